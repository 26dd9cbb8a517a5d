"""Negotiation: a team's threads, one per counterpart, and White's log of every message.

A thread is named by its key ("JPN-RUS", "public", "white", "group:CHN-JPN-RUS"); a team may
open only the threads it is party to. Opening a thread marks it read for that player.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from .. import access, selectors, services
from ..models import Message
from .common import render_panel

TEMPLATE = "exercises/player/messages.html"
PANELS = {"thread-list", "thread-view", "message-compose", "group-compose"}
CONSOLE_TEMPLATE = "exercises/facilitator/messages.html"
CONSOLE_PANELS = {"console-messages", "console-broadcast"}
# After a plain (no-JavaScript) send we redirect; the next page marks that form's draft as saved.
SAVED_DRAFT = "message_draft_saved"


def _team_url(exercise, team, thread=None):
    url = reverse("player-messages", args=[exercise.join_code, team.code])
    return f"{url}?{urlencode({'thread': thread})}" if thread else url


def _draft_key(exercise, team_code, name):
    return f"msg:{exercise.pk}:{team_code}:{name}"


def _chosen_codes(post):
    """Recipient codes from checkboxes named ``to_<CODE>`` (one name each, so drafts restore cleanly)
    or from repeated ``to`` fields."""
    codes = post.getlist("to") + [key[3:] for key in post if key.startswith("to_")]
    return [c.strip().upper() for c in codes if c.strip()]


def _saved_draft(request):
    if request.method == "GET" and not request.htmx:
        return request.session.pop(SAVED_DRAFT, None)
    return None


def _team_context(request, team, player, thread_key, *, compose=None, group=None):
    exercise = team.exercise
    teams = {t.code: t for t in exercise.teams.all()}
    thread = None
    if thread_key:
        access.access_thread(team, thread_key, teams=teams)  # 404 unless the team is party to it
        thread = selectors.thread_messages(team=team, thread=thread_key, player=player, teams=teams)
        if player is not None and thread["last_id"] > thread["read_up_to"]:
            services.thread_mark_read(player=player, thread=thread["key"], last_message_id=thread["last_id"])
    if player is not None and request.method == "GET":
        services.player_seen(player=player)
    saved = _saved_draft(request)
    compose_key = _draft_key(exercise, team.code, thread["key"]) if thread else ""
    group_key = _draft_key(exercise, team.code, "new-group")
    return {
        "exercise": exercise, "team": team, "player": player, "thread": thread,
        "threads": selectors.team_threads(team=team, player=player, teams=teams),
        "others": [t for t in teams.values() if t.pk != team.pk],
        "can_write": access.may_write_messages(exercise, player),
        "panel_url": _team_url(exercise, team, thread["key"] if thread else None),
        "max_chars": settings.MESSAGE_MAX_CHARS,
        "compose_key": compose_key,
        "compose": {"body": "", "error": None, "saved": bool(compose_key) and saved == compose_key,
                    **(compose or {})},
        "group_key": group_key,
        "group": {"body": "", "codes": [], "error": None, "saved": saved == group_key, **(group or {})},
    }


@require_GET
def team_messages(request, code, team):
    team, player = access.access_team_as_player(request, code, team)
    context = _team_context(request, team, player, request.GET.get("thread", ""))
    return render_panel(request, TEMPLATE, context, PANELS)


@require_GET
def unread_badge(request, code, team):
    """The dashboard's link to the messages page, with the player's unread count."""
    team, player = access.access_team_as_player(request, code, team)
    return render(request, "exercises/player/dashboard.html#unread-badge", {
        "exercise": team.exercise, "team": team, "player": player,
        "unread_total": selectors.team_unread_total(team=team, player=player),
    })


def _panels(request, context, first, *oob):
    """One panel, plus others swapped out of band so the sender sees the result at once."""
    html = render_to_string(f"{TEMPLATE}#{first}", context, request=request)
    for name in oob:
        html += render_to_string(f"{TEMPLATE}#{name}", {**context, "oob": True}, request=request)
    return HttpResponse(html)


@require_POST
def message_send(request, code, team):
    """Write in the open thread: the thread decides the kind and the recipients."""
    body = request.POST.get("body", "")
    try:
        team, player, thread = access.access_thread_to_write(request, code, team, request.POST.get("thread", ""))
    except access.NoThread as exc:
        return HttpResponseBadRequest(str(exc))
    except access.WriteRefused as exc:
        team, player, thread, error = exc.team, exc.player, exc.thread, str(exc)
    else:
        error = None
        try:
            services.message_post(player=player, kind=thread["kind"], recipient_codes=thread["recipient_codes"],
                                  body=body)
        except services.ServiceError as exc:
            error = str(exc)
    if error is None and not request.htmx:
        request.session[SAVED_DRAFT] = _draft_key(team.exercise, team.code, thread["key"])
        return HttpResponseRedirect(_team_url(team.exercise, team, thread["key"]))
    compose = {"body": body, "error": error} if error else {"saved": True}
    context = _team_context(request, team, player, thread["key"], compose=compose)
    if not request.htmx:
        return render(request, TEMPLATE, context, status=400)
    if error:
        return _panels(request, context, "message-compose")
    return _panels(request, context, "message-compose", "thread-view", "thread-list")


@require_POST
def group_send(request, code, team):
    """Start (or continue) a group conversation with the teams ticked; one team makes it bilateral."""
    team, player = access.access_team_for_orders(request, code, team)
    codes, body = _chosen_codes(request.POST), request.POST.get("body", "")
    try:
        message = services.message_post(player=player, kind=Message.Kind.GROUP, recipient_codes=codes, body=body)
    except services.ServiceError as exc:
        context = _team_context(request, team, player, "", group={"body": body, "codes": codes, "error": str(exc)})
        if request.htmx:
            return _panels(request, context, "group-compose")
        return render(request, TEMPLATE, context, status=400)
    request.session[SAVED_DRAFT] = _draft_key(team.exercise, team.code, "new-group")
    url = _team_url(team.exercise, team, message.thread)
    return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)


# ---- White's console: every message, a team filter, and broadcasts ----

def _console_context(request, exercise, team_code, *, broadcast=None):
    log = selectors.console_messages(exercise=exercise, team_code=team_code)
    url = reverse("console-messages", args=[exercise.pk])
    key = _draft_key(exercise, "WHITE", "broadcast")
    return {
        "exercise": exercise, "log": log,
        "panel_url": f"{url}?{urlencode({'team': log['team'].code})}" if log["team"] else url,
        "max_chars": settings.MESSAGE_MAX_CHARS,
        "broadcast_key": key,
        "broadcast": {"body": "", "codes": [t.code for t in log["teams"]], "error": None, "sent_to": None,
                      "saved": _saved_draft(request) == key, **(broadcast or {})},
    }


@login_required
@require_GET
def console_messages(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    return render_panel(request, CONSOLE_TEMPLATE, _console_context(request, exercise, request.GET.get("team", "")),
                        CONSOLE_PANELS)


@login_required
@require_POST
def broadcast(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    codes, body = _chosen_codes(request.POST), request.POST.get("body", "")
    team_code = request.POST.get("filter", "")
    try:
        message = services.message_broadcast(exercise=exercise, by=request.user.username, body=body,
                                             recipient_codes=access.access_broadcast_recipients(exercise, codes))
    except (access.WriteRefused, services.ServiceError) as exc:
        context = _console_context(request, exercise, team_code,
                                   broadcast={"body": body, "codes": codes, "error": str(exc)})
        if request.htmx:
            return HttpResponse(render_to_string(f"{CONSOLE_TEMPLATE}#console-broadcast", context, request=request))
        return render(request, CONSOLE_TEMPLATE, context, status=400)
    names = ", ".join(t.name for t in message.recipients.all())
    sent = _("Sent to %(teams)s.") % {"teams": names}
    if not request.htmx:
        flash.success(request, sent)
        request.session[SAVED_DRAFT] = _draft_key(exercise, "WHITE", "broadcast")
        url = reverse("console-messages", args=[exercise.pk])
        return HttpResponseRedirect(f"{url}?{urlencode({'team': team_code})}" if team_code else url)
    context = _console_context(request, exercise, team_code, broadcast={"saved": True, "sent_to": sent})
    html = render_to_string(f"{CONSOLE_TEMPLATE}#console-broadcast", context, request=request)
    html += render_to_string(f"{CONSOLE_TEMPLATE}#console-messages", {**context, "oob": True}, request=request)
    return HttpResponse(html)
