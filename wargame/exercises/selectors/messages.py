"""Negotiation as each reader sees it: threads, unread counts, messages, and White's view of all of them."""

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from wargame import engine

from ..models import Message, ThreadRead


def _team_visible(team):
    received = Message.recipients.through.objects.filter(team_id=team.pk).values("message_id")
    return Message.objects.filter(Q(pk__in=received) | Q(sender_team_id=team.pk), exercise_id=team.exercise_id)


def thread_info(*, team, thread, teams=None):
    """Describe one thread key as ``team`` sees it, or None when the team is not party to it.

    Keys: "public", "white", a dyad key such as "JPN-RUS", or "group:<sorted codes>".
    ``recipient_codes`` are the teams a reply from this team goes to. ``teams`` ({code: Team})
    saves a query when the caller already has the exercise's teams.
    """
    thread = (thread or "").strip()
    if teams is None:
        teams = {t.code: t for t in team.exercise.teams.all()}
    if thread == "public":
        return {"key": thread, "kind": Message.Kind.PUBLIC, "label": _("Public: all teams"), "members": [],
                "recipient_codes": [], "can_write": True}
    if thread == "white":
        return {"key": thread, "kind": Message.Kind.BROADCAST, "label": _("From White"), "members": [],
                "recipient_codes": [], "can_write": False}
    if thread.startswith("group:"):
        codes = thread[len("group:"):].split("-")
        if (len(codes) < 2 or codes != sorted(set(codes)) or team.code not in codes
                or any(c not in teams for c in codes)):
            return None
        others = [teams[c] for c in codes if c != team.code]
        return {"key": thread, "kind": Message.Kind.GROUP,
                "label": _("Group: %(names)s") % {"names": ", ".join(t.name for t in others)},
                "members": others, "recipient_codes": [t.code for t in others], "can_write": True}
    codes = thread.split("-")
    if (len(codes) != 2 or codes[0] == codes[1] or engine.dyad_key(*codes) != thread or team.code not in codes
            or any(c not in teams for c in codes)):
        return None
    other = teams[codes[1] if codes[0] == team.code else codes[0]]
    return {"key": thread, "kind": Message.Kind.BILATERAL, "label": other.name, "members": [other],
            "recipient_codes": [other.code], "can_write": True}


def _unread_by_thread(team, player):
    """{thread: number of messages from other senders this player has not opened}."""
    if player is None:
        return {}
    reads = dict(ThreadRead.objects.filter(player=player).values_list("thread", "last_message_id"))
    unseen = ~Q(thread__in=list(reads))
    for key, last_id in reads.items():
        unseen |= Q(thread=key, pk__gt=last_id)
    rows = (_team_visible(team).exclude(sender_team_id=team.pk).filter(unseen).order_by()
            .values("thread").annotate(n=Count("id")).values_list("thread", "n"))
    return dict(rows)


def team_unread_total(*, team, player):
    return sum(_unread_by_thread(team, player).values())


def team_threads(*, team, player, teams=None):
    """One row per counterpart: White, Public, each other team, then every group the team is in.

    Each row: key, label, kind, members, last (Message or None), count, unread, can_write.
    """
    stats = {row["thread"]: row for row in _team_visible(team).order_by().values("thread")
             .annotate(last_id=Max("id"), count=Count("id"))}
    last = {m.pk: m for m in Message.objects.filter(pk__in=[s["last_id"] for s in stats.values()])
            .select_related("sender_team")}
    unread = _unread_by_thread(team, player)
    if teams is None:
        teams = {t.code: t for t in team.exercise.teams.all()}
    keys = ["white", "public"]
    keys += [engine.dyad_key(team.code, code) for code in teams if code != team.code]
    keys += sorted(k for k in stats if k.startswith("group:"))
    rows = []
    for key in keys:
        info = thread_info(team=team, thread=key, teams=teams)
        if info is None:
            continue
        s = stats.get(key)
        rows.append({**info, "last": last.get(s["last_id"]) if s else None, "count": s["count"] if s else 0,
                     "unread": unread.get(key, 0)})
    return rows


def thread_messages(*, team, thread, player=None, teams=None):
    """The thread as ``team`` sees it, with its messages oldest first; None when the team is not party."""
    info = thread_info(team=team, thread=thread, teams=teams)
    if info is None:
        return None
    messages = list(_team_visible(team).filter(thread=info["key"]).select_related("sender_team")
                    .order_by("created", "id"))
    read_up_to = 0
    if player is not None:
        read_up_to = (ThreadRead.objects.filter(player=player, thread=info["key"])
                      .values_list("last_message_id", flat=True).first() or 0)
    return {**info, "messages": messages, "last_id": max((m.pk for m in messages), default=0),
            "read_up_to": read_up_to}


def console_messages(*, exercise, team_code=None):
    """Every message in the exercise, newest first; with a team code, only those it sent or received."""
    teams = list(exercise.teams.all())
    team = next((t for t in teams if t.code == (team_code or "").upper()), None)
    qs = Message.objects.filter(exercise=exercise)
    if team is not None:
        received = Message.recipients.through.objects.filter(team_id=team.pk).values("message_id")
        qs = qs.filter(Q(pk__in=received) | Q(sender_team_id=team.pk))
    messages = list(qs.select_related("sender_team").prefetch_related("recipients").order_by("-created", "-id"))
    everyone = {t.pk for t in teams}
    for m in messages:
        m.to_everyone = {r.pk for r in m.recipients.all()} == everyone
    return {"teams": teams, "team": team, "messages": messages}
