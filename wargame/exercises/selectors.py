"""Reads. Views call these after access has handed them the object they may see."""

import re

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wargame import engine
from wargame.engine.replay import replay
from wargame.scenarios import load_scenario

from .models import ArguedAction, Exercise, Message, Order, ThreadRead, Turn

ONLINE_SECONDS = 60


def current_turn(exercise):
    return exercise.turns.order_by("-number").first()


def last_published_turn(exercise):
    return exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("-number").first()


def scenario_for(exercise):
    return load_scenario(exercise.scenario.slug)


def clock(turn):
    """Seconds left on the turn clock, or None when no deadline is set."""
    if turn is None or turn.deadline is None or turn.status != Turn.Status.OPEN:
        return None
    return max(0, int((turn.deadline - timezone.now()).total_seconds()))


_CURRENT = object()


def turn_summary(exercise, *, turn=_CURRENT):
    """The turn line. Pass the turn a page already read, so its pill and its buttons tell the same story."""
    spec = scenario_for(exercise)
    if turn is _CURRENT:
        turn = current_turn(exercise)
    number = turn.number if turn else 0
    return {
        "turn": turn,
        "number": number,
        "of": spec.turns,
        "date": engine.game_date(spec, number) if number else "",
        "seconds_left": clock(turn),
        "progress": round(100 * max(0, number - 1) / spec.turns),
    }


def _dyad_rows(state, codes, only_with=None):
    rows = []
    for key, d in sorted(state.dyads.items()):
        a, b = key.split("-")
        if a not in codes or b not in codes:
            continue
        if only_with and only_with not in (a, b):
            continue
        rows.append({
            "key": key, "a": a, "b": b, "IL": round(d.IL), "T": round(d.T), "C": round(d.C), "E": round(d.E),
            "rung": d.rung, "rung_name": engine.RUNG_NAMES[d.rung], "band": engine.band_name(d.IL),
            "flags": sorted(d.flags), "other": b if a == only_with else a,
        })
    return rows


def team_view(*, team):
    """What one team may see: its own state exactly, the others through fog."""
    exercise = team.exercise
    spec = scenario_for(exercise)
    state = engine.GameState.from_dict(exercise.state)
    codes = set(exercise.teams.values_list("code", flat=True)) | set(state.actors)
    own = state.actors[team.code]
    perceived = engine.perceive(spec, state, team.code, seed=exercise.seed)
    objectives = engine.objectives_status(spec, state, team.code)
    team_spec = next(t for t in spec.teams if t.code == team.code)
    return {
        "spec": team_spec,
        "own_vars": [{"name": k, "value": round(v)} for k, v in own.vars.items()],
        "rp": state.rp.get(team.code, 0),
        "dyads": _dyad_rows(state, codes, only_with=team.code),
        "perceived": perceived,
        "objectives": objectives,
    }


def team_orders(*, team, turn):
    slots = {o.slot: o for o in Order.objects.filter(turn=turn, team=team).select_related("updated_by")}
    return [slots.get(1), slots.get(2)]


def team_catalogue(*, team):
    exercise = team.exercise
    spec = scenario_for(exercise)
    turn = current_turn(exercise)
    state = engine.GameState.from_dict(turn.state_before if turn else exercise.state)
    # Actions an inject must unlock stay out of sight until it does.
    rows = [(a, ok, why) for a, ok, why in engine.available_actions(spec, state, team.code)
            if ok or why.code != engine.NOT_UNLOCKED]
    groups = [(label, [r for r in rows if r[0].category == category]) for category, label in CATEGORIES]
    others = [t for t in exercise.teams.all() if t.pk != team.pk]
    return {"actions": rows, "groups": [g for g in groups if g[1]], "targets": others}


CATEGORIES = (("military", _lazy("Military")), ("diplomatic", _lazy("Diplomatic")),
              ("economic", _lazy("Economic")), ("information", _lazy("Information")))


def team_last_result(*, team):
    return _team_result(team, last_published_turn(team.exercise))


def team_published_turns(*, team):
    """Numbers of the turns published so far: a team may re-read each of them."""
    return list(team.exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("number")
                .values_list("number", flat=True))


def team_turn_result(*, team, number):
    """One published turn as this team saw it (the same rules as the "Last turn" panel), or None
    when that turn is not published."""
    turn = team.exercise.turns.filter(status=Turn.Status.PUBLISHED, number=number).first()
    result = _team_result(team, turn)
    if result is not None:
        result["injects"] = team_injects(team=team, turn=turn)
        result["orders"] = [o for o in team_orders(team=team, turn=turn) if o and o.action]
    return result


def _team_result(team, turn):
    if turn is None or not turn.result:
        return None
    return {
        "turn": turn,
        "narrative": turn.result.get("narratives", {}).get(team.code, ""),
        "headlines": turn.result.get("headlines", []),
        "events": [e for e in turn.result.get("events", []) if engine.visible_to(e, team.code)],
    }


def console_view(*, exercise):
    spec = scenario_for(exercise)
    turn = current_turn(exercise)
    state = engine.GameState.from_dict(exercise.state)
    teams = list(exercise.teams.prefetch_related("players"))
    now = timezone.now()
    submitted = set()
    if turn:
        submitted = set(Order.objects.filter(turn=turn).exclude(action="").values_list("team_id", flat=True))
    team_rows = []
    for t in teams:
        players = list(t.players.all())
        team_rows.append({
            "team": t,
            "players": [{"p": p, "online": bool(p.last_seen and (now - p.last_seen).total_seconds() < ONLINE_SECONDS)}
                        for p in players],
            "submitted": t.pk in submitted,
        })
    unassigned = list(exercise.players.filter(team__isnull=True))
    codes = {t.code for t in teams} | set(state.actors)
    return {
        "spec": spec,
        "turn": turn,
        "teams": team_rows,
        "unassigned": unassigned,
        "orders": list(Order.objects.filter(turn=turn).exclude(action="").select_related("team", "updated_by"))
        if turn else [],
        "actors": [{"code": c, "vars": {k: round(v) for k, v in a.vars.items()}, "rp": state.rp.get(c, 0)}
                   for c, a in sorted(state.actors.items())],
        "dyads": _dyad_rows(state, codes),
        "result": turn.result if turn and turn.status == Turn.Status.REVIEW else None,
    }


def plenary_view(*, exercise):
    """Public information only: what the projector may show the whole room."""
    state = engine.GameState.from_dict(exercise.state)
    teams = list(exercise.teams.all())
    played = {t.code for t in teams}
    ladder = []
    for row in _dyad_rows(state, played):
        row["rungs"] = range(8)
        ladder.append(row)
    last = last_published_turn(exercise)
    incidents = []
    headlines = []
    public_events = []
    if last and last.result:
        public_events = [e for e in last.result.get("events", []) if engine.events.public(e)]
        headlines = last.result.get("headlines", [])
        incidents = [{"zone": e["zone"], "label": e.get("label", "")} for e in public_events
                     if e.get("kind") == "incident" and e.get("zone")]
    return {
        "teams": teams,
        "ladder": ladder,
        "presence": engine.public_presence(scenario_for(exercise), public_events),
        "incidents": incidents,
        "headlines": headlines,
        "headline_events": [e for e in public_events if e.get("kind") in engine.HEADLINE_KINDS],
        "spec": scenario_for(exercise),
        "last": last,
        "colours": {t.code: t.colour for t in teams},
    }


MSEL_LABELS = {
    engine.msel.FIRED: _lazy("fired, turn %(n)d"), engine.msel.PROPOSED: _lazy("fires this turn (in review)"),
    engine.msel.QUEUED: _lazy("will fire when this turn resolves"), engine.msel.SKIPPED: _lazy("skipped"),
    engine.msel.WAITING: _lazy("waiting on its condition"), engine.msel.SCHEDULED: _lazy("scheduled, turn %(n)s"),
}


def msel_rows(*, exercise):
    """Each scripted inject with its state: scheduled, waiting on a condition, fired or skipped."""
    turn = current_turn(exercise)
    resolved = [engine.ResolvedTurn(t.number, t.status == Turn.Status.PUBLISHED, tuple(t.result.get("events", [])),
                                    t.inputs or {})
                for t in exercise.turns.filter(result__isnull=False).order_by("number")
                .only("number", "status", "result", "inputs")]
    rows = []
    for row in engine.msel_status(scenario_for(exercise), resolved, (turn.inputs or {}) if turn else {}):
        trigger = row.inject.trigger or {}
        when = row.inject.trigger_text or (f"turn {trigger['turn']}" if "turn" in trigger else "condition")
        number = row.turn if row.turn is not None else "?"
        rows.append({"spec": row.inject, "when": when, "state": row.status,
                     "label": str(MSEL_LABELS[row.status]) % {"n": number}, "why": row.why})
    return rows


def console_argued(*, turn):
    if turn is None:
        return []
    rows = list(ArguedAction.objects.filter(turn=turn).select_related("team", "updated_by")
                .prefetch_related("counters__team", "cards__team"))
    for a in rows:
        a.card_median = engine.card_median(c.probability for c in a.cards.all())
    return rows


def review_rows(*, result):
    """Each proposed event with its dice and the overrides White already made."""
    if not result:
        return []
    draws = {}
    for d in result.get("draws", []):
        draws.setdefault(d["event"], []).append(d)
    overrides = {}
    for o in (result.get("input") or {}).get("overrides", []):
        overrides.setdefault(o["event_id"], []).append(o)
    rows = [{"event": e, "draws": draws.pop(e["id"], []), "overrides": overrides.get(e["id"], []),
             "dom_id": dom_id(e["id"])}
            for e in result.get("events", [])]
    # Rolls that changed nothing (an incident that did not happen) can still be re-rolled or entered by hand.
    for event_id, rolls in draws.items():
        rows.append({"event": {"id": event_id, "phase": rolls[0]["phase"], "kind": "roll",
                               "text": _("%(event)s: rolled, nothing happened") % {"event": event_id},
                               **_roll_subject(event_id)},
                     "draws": rolls, "overrides": overrides.get(event_id, []), "dom_id": dom_id(event_id)})
    return rows


def dom_id(event_id):
    """An event id as a DOM id fragment: "t1:incident:CHN-JPN" -> "t1-incident-CHN-JPN"."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(event_id)).strip("-")


def _roll_subject(event_id):
    """Typed fields for a roll that produced no event: a draw records only the engine's event id."""
    parsed = engine.parse_event_id(event_id)
    if parsed and parsed.kind == "incident" and parsed.pair:
        return {"roll_of": "incident", "teams": list(parsed.pair)}
    return {}


def review_row(*, result, event_id):
    """One row of the review, for a change White made to it in place; None when it has gone."""
    return next((r for r in review_rows(result=result) if r["event"]["id"] == event_id), None)


def review_narratives(*, turn, result):
    """The narratives White will publish: the engine's, with White's edits (kept in the turn's inputs) on top."""
    if not result:
        return []
    edited = ((turn.inputs or {}).get("narratives") or {}) if turn else {}
    merged = {**result.get("narratives", {}), **edited}
    return [{"code": code, "text": text, "edited": code in edited} for code, text in merged.items()]


def team_proposals(*, team, turn):
    """Bilateral actions: what others propose to this team, and whether each will happen."""
    if turn is None:
        return []
    spec = scenario_for(team.exercise)
    bilateral = [k for k, a in spec.actions.items() if a.bilateral]
    orders = list(Order.objects.filter(turn=turn, action__in=bilateral).select_related("team"))
    teams = {o.team.code: o.team for o in orders}
    rows = []
    for p in engine.bilateral_status(spec, [engine.Order(o.team.code, o.action, o.target or None) for o in orders],
                                     team.code):
        if p.incoming:
            rows.append({"action": spec.actions[p.action], "from": teams[p.other], "incoming": True, "agreed": p.agreed})
        else:
            rows.append({"action": spec.actions[p.action], "to": p.other, "incoming": False, "agreed": False})
    return rows


def team_argued(*, team, turn):
    """This team's argued action, and the other teams' ones it may counter or estimate."""
    if turn is None:
        return {"own": None, "others": []}
    rows = list(ArguedAction.objects.filter(turn=turn).select_related("team", "updated_by")
                .prefetch_related("counters__team", "cards"))
    own = next((a for a in rows if a.team_id == team.pk), None)
    others = []
    for a in rows:
        if a.team_id == team.pk:
            continue
        my_card = next((c.probability for c in a.cards.all() if c.team_id == team.pk), None)
        others.append({"argued": a, "my_card": my_card})
    return {"own": own, "others": others}


def team_injects(*, team, turn):
    """Injects this team is told about at the start of the turn: the MSEL's turn triggers and White's own."""
    if turn is None:
        return []
    return engine.injects_announced(scenario_for(team.exercise), turn.number, turn.inputs, team.code)




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


def exercise_log(*, exercise):
    """The engine's event log of every published turn: inputs (orders, White's overrides and
    injects) and every draw. Replaying it must rebuild the published state exactly."""
    return [{**t.result["input"], "draws": t.result["draws"]}
            for t in exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("number")]


def exercise_replay(*, exercise):
    """Re-resolve the whole exercise from its log; returns (replayed state, matches published state)."""
    spec = scenario_for(exercise)
    state = replay(spec, exercise_log(exercise=exercise))
    return state, state.to_dict() == exercise.state


# ---- People in the room: seats, switch requests ----

def join_team_rows(*, exercise):
    """The team picker: each team with its seated count (removed players do not count) and its briefing."""

    spec = scenario_for(exercise)
    counts = dict(exercise.players.filter(removed_at__isnull=True, team__isnull=False)
                  .values("team_id").annotate(n=Count("pk")).values_list("team_id", "n"))
    return [{"team": t, "count": counts.get(t.pk, 0), "spec": next((s for s in spec.teams if s.code == t.code), None)}
            for t in exercise.teams.all()]


def team_by_code(*, exercise, code):
    return exercise.teams.filter(code=(code or "").strip().upper()).first()


def other_teams(*, player):
    """Teams a seated player could ask White to move them to."""
    return list(player.exercise.teams.exclude(pk=player.team_id))


def exercise_counts(*, exercise):
    """What deleting an exercise throws away, for White's confirmation page."""
    return {"players": exercise.players.count(), "turns": exercise.turns.count(),
            "messages": exercise.messages.count()}


def facilitator_exercises(*, user):
    """White's list: current exercises, and archived ones apart."""

    mine = Exercise.objects.filter(facilitators=user).select_related("scenario")
    return {"current": list(mine.filter(archived_at__isnull=True)), "archived": list(mine.filter(archived_at__isnull=False))}
