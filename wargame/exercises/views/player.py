import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject as lazy
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wargame.maps import theatre_svg

from .. import access, selectors, services, throttle
from ..doorbells import Doorbell
from ..models import CrisisChoice, EstimateCard, Turn
from .common import out_of_band, panels_for_events, render_panel

DASHBOARD_PANELS = {"turn-status", "team-state", "orders-summary", "order-forms", "last-result", "team-objectives",
                    "turn-injects", "team-map", "proposals", "argued-panel", "crisis-panel"}


@require_http_methods(["GET", "POST"])
def home(request):
    """Join with a code and a display name; the same browser coming back gets its own player again."""
    form = {"code": request.GET.get("code", "").upper(), "name": ""}
    error = None
    status = 200
    if request.method == "POST":
        form = {"code": request.POST.get("code", "").strip().upper(), "name": request.POST.get("name", "")}
        # The right code always works: it is checked before any counter, so a room whose NAT address
        # (or a laptop that mistyped) has failed many times still joins with the code on the projector.
        try:
            exercise = access.access_exercise_to_join(form["code"])
        except access.ExerciseEnded:
            error, status = _("That exercise has ended and no longer takes players."), 400
        else:
            if exercise is None:
                error, status = _wrong_code(request, form["code"])
            else:
                joined, error, status = _join(request, exercise, form["name"])
                if joined is not None:
                    return joined
    return render(request, "exercises/home.html", {"form": form, "error": error}, status=status)


def _wrong_code(request, code):
    """(error, status) for a code that opens nothing, counted against this browser and its address."""
    if request.session.session_key is None:
        request.session.save()  # count this browser on its own, not the room's shared address
    keys = throttle.join_failure_keys(session_key=request.session.session_key, ip=throttle.client_address(request))
    if throttle.join_blocked(keys=keys, per_session=settings.JOIN_ATTEMPTS_PER_WINDOW):
        return _("Too many wrong codes from this browser. Wait five minutes, or ask White for the code."), 429
    throttle.failure_count(keys=keys.values(), window_seconds=settings.JOIN_WINDOW_SECONDS)
    return _("No exercise has the code “%(code)s”. Check it on the projector; codes are six "
             "letters and digits.") % {"code": code}, 400


def _join(request, exercise, name):
    """(redirect, None, 302) once joined; (None, error, status) when the join is refused."""
    # A new key at every join: a key seen before the join (fixation, a shared
    # computer) must not open the team's private pages afterwards.
    old_key = request.session.session_key
    request.session.cycle_key()
    services.player_session_rekey(old_key=old_key, new_key=request.session.session_key)
    players = request.session.get(access.SESSION_PLAYERS, {})
    try:
        player = services.player_join(exercise=exercise, display_name=name, session_key=request.session.session_key,
                                      player_id=players.get(str(exercise.pk)))
    except services.PlayerRemoved as exc:
        return None, str(exc), 403
    except services.ServiceError as exc:
        return None, str(exc), 400
    players[str(exercise.pk)] = player.pk
    request.session[access.SESSION_PLAYERS] = players
    if player.team_id:
        return redirect("player-dashboard", code=exercise.join_code, team=player.team.code), None, 302
    return redirect("player-join-team", code=exercise.join_code), None, 302


@require_http_methods(["GET", "POST"])
def join_team(request, code):
    player = access.access_player(request, code)
    exercise = player.exercise
    error = None
    if player.team_id and request.method == "GET":
        return redirect("player-dashboard", code=exercise.join_code, team=player.team.code)
    if request.method == "POST":
        wanted = request.POST.get("team", "")
        try:
            player = services.player_choose_team(player=player, team_code=wanted)
        except services.SeatTaken as exc:
            return render(request, "exercises/player/seat_taken.html",
                          {"exercise": exercise, "player": player, "error": str(exc),
                           "wanted": access.access_team_to_join(exercise, wanted),
                           "teams": selectors.other_teams(player=player)}, status=403)
        except services.ServiceError as exc:
            error = str(exc)
        else:
            return redirect("player-dashboard", code=exercise.join_code, team=player.team.code)
    return render(request, "exercises/player/join_team.html",
                  {"exercise": exercise, "player": player, "teams": selectors.join_team_rows(exercise=exercise),
                   "error": error},
                  status=400 if error else 200)


def _dashboard_context(request, team, player, *, seen=True, **extra):
    """Everything the dashboard may show. Each piece is computed only if the rendered page or
    panel uses it (SimpleLazyObject), so a panel refresh pays only for its own panel."""
    exercise = team.exercise
    turn = selectors.current_turn(exercise)
    if player and seen:
        services.player_seen(player=player)
    view = lazy(lambda: selectors.team_view(team=team))
    catalogue = lazy(lambda: selectors.team_catalogue(team=team))
    orders = lazy(lambda: selectors.team_orders(team=team, turn=turn) if turn else [None, None])
    argued = lazy(lambda: selectors.team_argued(team=team, turn=turn))

    def argued_form():
        own = argued["own"]
        form = extra.get("argued_draft") or {
            "action": own.action if own else "", "intended": own.intended if own else "",
            "reasons": list(own.reasons) if own else [], "aims": ", ".join(own.aims) if own else "",
            "nearest_action": own.nearest_action if own else ""}
        return {**form, "reasons": (list(form["reasons"]) + ["", "", ""])[:3]}

    def map_svg():
        presence = {zone: {code: v["value"] for code, v in teams.items()}
                    for zone, teams in view["perceived"]["presence"].items()}
        # theatre_svg escapes every text it draws
        return mark_safe(theatre_svg(presence=presence, estimated=True, compact=True,
                                     colours={t.code: t.colour for t in exercise.teams.all()},
                                     title=_("Your picture of the theatre"), dom_id="team-theatre",
                                     **selectors.map_layers(exercise, team=team)))

    return {
        "exercise": exercise, "team": team, "player": player, "turn": turn,
        "panel_url": reverse("player-dashboard", args=[exercise.join_code, team.code]),
        "viewer_doorbells": VIEWER_DOORBELLS,
        "can_order": player is not None and turn is not None and turn.status == Turn.Status.OPEN,
        "summary": lazy(lambda: selectors.turn_summary(exercise, turn=turn)),
        "view": view, "catalogue": catalogue,
        "team_spec": lazy(lambda: next(t for t in selectors.scenario_for(exercise).teams if t.code == team.code)),
        # The turn status shows only the points; reading them from the stored state spares it the fog of war.
        "team_rp": exercise.state.get("rp", {}).get(team.code, 0), "spec": lazy(lambda: selectors.scenario_for(exercise)),
        "orders": orders,
        "order_slots": lazy(lambda: _order_slots(orders, catalogue, **extra)),
        "last": lazy(lambda: selectors.team_last_result(team=team)),
        "last_published": lazy(lambda: selectors.last_published_turn(exercise)),  # the banner needs only its number
        "published_turns": lazy(lambda: selectors.team_published_turns(team=team)),
        "turn_injects": lazy(lambda: selectors.team_injects(team=team, turn=turn)),
        "proposals": lazy(lambda: selectors.team_proposals(team=team, turn=turn)),
        "crisis": lazy(lambda: selectors.team_crisis(team=team, turn=turn)),
        "crisis_choice_options": CrisisChoice.Choice.choices,
        "argued": argued, "argued_form": lazy(argued_form), "cards": EstimateCard.CARDS,
        "argued_revision": lazy(lambda: argued["own"].revision if argued["own"] else 0),
        "argued_error": extra.get("argued_error"), "argued_saved": extra.get("argued_saved"),
        "argued_conflict": extra.get("argued_conflict"), "argued_kept": extra.get("argued_kept"),
        "counter_error": extra.get("counter_error"), "counter_against": extra.get("counter_against"),
        "counter_text": extra.get("counter_text", ""), "counter_saved": extra.get("counter_saved"),
        "map_svg": lazy(map_svg),
        "unread_total": lazy(lambda: selectors.team_unread_total(team=team, player=player)) if player else None,
    }


def _order_slots(orders, catalogue, *, errors=None, drafts=None, saved_slot=None, conflicts=None,
                 kept_slot=None, **_ignored):
    """One row per order slot; a refused draft is shown again so nothing typed is lost. After a
    conflict the row keeps the revision the player started from (so a plain save stays refused)
    and carries both versions, theirs and the player's, to show side by side."""
    errors, drafts, conflicts = errors or {}, drafts or {}, conflicts or {}
    names = {spec.key: spec.name for spec, _ok, _why in catalogue["actions"]}
    targets = {t.code: t.name for t in catalogue["targets"]}

    def label(action, target):
        return {"action": f"{action} · {names.get(action, '')}".strip(" ·") if action else "",
                "target": targets.get(target, target) if target else ""}

    rows = []
    for slot, order in enumerate(orders, start=1):
        draft = drafts.get(slot) or {
            "action": order.action if order else "", "target": order.target if order else "",
            "note": order.note if order else ""}
        row = {"slot": slot, "order": order, "revision": order.revision if order else 0,
               "error": errors.get(slot), "saved": saved_slot == slot, "kept": kept_slot == slot,
               # "Saved by you": the page shows it where it is its own player (the forms are the whole team's).
               "saved_by": order.updated_by_id if order and not errors.get(slot) and slot not in conflicts else None,
               **draft}
        if order:
            row["theirs"] = {**label(order.action, order.target), "note": order.note}
        if slot in conflicts:
            row["conflict"] = True
            row["base_revision"] = conflicts[slot]
            row["yours"] = {**label(draft["action"], draft["target"]), "note": draft["note"]}
        rows.append(row)
    return rows


# Panels with no form and no clock: identical for every member of a team at one exercise version,
# so each is rendered once per team and version and then served from the cache.
SHARED_PANELS = {"team-state", "team-objectives", "turn-injects", "last-result", "team-map", "proposals",
                 "orders-summary"}


def dashboard(request, code, team):
    target = request.htmx.target if request.htmx else None
    if target in SHARED_PANELS:
        return _shared_panel(request, code, team, target)
    team, player = access.access_team_as_player(request, code, team)
    context = _dashboard_context(request, team, player)
    if target not in DASHBOARD_PANELS:  # the whole page: its panels from the same cache as a refresh
        context["prerendered"] = {name: mark_safe(html) for name, html in
                                  _panel_fragments(request, team, player, context, PAGE_PANELS).items()}
    return render_panel(request, "exercises/player/dashboard.html", context, DASHBOARD_PANELS)


def _shared_panel(request, code, team_code, target):
    """Serve a team-wide panel from the cache. When a doorbell makes every player of a team ask at
    once, one request renders and the others wait briefly for it instead of all rendering the same HTML."""
    seat = access.access_team_seat(request, code, team_code)
    if seat is None:  # White, or no seat: the full gate decides (and explains a removal)
        team, player = access.access_team_as_player(request, code, team_code)
        team_id, version = team.pk, team.exercise.version
    else:
        team, player, team_id, version = None, seat, seat.team_id, seat.version
    if player:
        services.player_seen(player=player)

    def full_team():  # a render needs the whole team; the plain seat check gave only its id and version
        return access.access_team_as_player(request, code, team_code)[0]

    key = f"panel:{team_id}:{version}:{get_language()}:{target}"
    try:
        html = cache.get(key)
        if html is None and not cache.add(f"{key}:rendering", 1, 5):  # a teammate is rendering it
            for _attempt in range(50):
                time.sleep(0.01)
                if (html := cache.get(key)) is not None:
                    break
        if html is None:
            html = _render_shared_panel(request, team or full_team(), target, key)
    except redis.RedisError:  # the cache is unreachable: serve the panel uncached rather than fail
        html = render(request, f"exercises/player/dashboard.html#{target}",
                      _dashboard_context(request, team or full_team(), None)).content
    return HttpResponse(html)


# Which doorbells change which dashboard panel. A doorbell costs an open dashboard one request
# (`dashboard_panels`), which answers with every panel the event changed, swapped in out of band.
PANEL_EVENTS = {
    "turn-status": {Doorbell.TURN_LOCKED, Doorbell.TURN_RESOLVING, Doorbell.TURN_RESOLVED, Doorbell.TURN_PUBLISHED, Doorbell.CLOCK_CHANGED},
    "unread-badge": {Doorbell.MESSAGE_SENT},
    "team-objectives": {Doorbell.TURN_PUBLISHED},
    "turn-injects": {Doorbell.INJECTS_CHANGED, Doorbell.TURN_PUBLISHED},
    "team-map": {Doorbell.TURN_PUBLISHED},
    "team-state": {Doorbell.TURN_PUBLISHED},
    "last-result": {Doorbell.TURN_PUBLISHED, Doorbell.DEBRIEF_RELEASED},
    "orders-summary": {Doorbell.ORDERS_CHANGED, Doorbell.TURN_LOCKED, Doorbell.TURN_PUBLISHED},
    "proposals": {Doorbell.ORDERS_CHANGED, Doorbell.TURN_PUBLISHED},
    "order-forms": {Doorbell.ORDERS_CHANGED, Doorbell.TURN_LOCKED, Doorbell.TURN_PUBLISHED},
    "argued-panel": {Doorbell.ORDERS_CHANGED, Doorbell.TURN_LOCKED, Doorbell.TURN_PUBLISHED},
    "crisis-panel": {Doorbell.CRISIS_CHANGED, Doorbell.TURN_LOCKED, Doorbell.TURN_PUBLISHED},
}
PANEL_DOORBELLS = sorted(set().union(*PANEL_EVENTS.values()))
# The team's stream pushes every panel but what differs per person; for that the page still asks.
VIEWER_PANELS = {"unread-badge"}
VIEWER_DOORBELLS = sorted(set().union(*(PANEL_EVENTS[name] for name in VIEWER_PANELS)))
PUSHED_PANEL_EVENTS = {name: kinds for name, kinds in PANEL_EVENTS.items() if name not in VIEWER_PANELS}
PAGE_PANELS = [name for name in PANEL_EVENTS if name != "unread-badge"]  # the badge sits inside the turn status


# The forms panels differ between teammates only in the CSRF token, filled in per browser ("Saved by you"
# is shown by the page itself), and White's view is read-only. So they too are rendered once per team,
# version and variant, and a doorbell that reaches six teammates renders each form once.
TEAM_FORM_PANELS = {"order-forms", "argued-panel", "crisis-panel"}
CSRF_PLACEHOLDER = "__csrf_token_for_this_browser__"


def dashboard_panels(request, code, team):
    """Every panel that the given doorbells (``?event=…``, repeatable) change, in one answer; with no
    event (a reconnect that missed some), every panel. Only the turn status (a clock, the player's unread
    count) is rendered for each request; the others come from the team's cache."""
    team, player = access.access_team_as_player(request, code, team)
    wanted = panels_for_events(request, PANEL_EVENTS)
    context = _dashboard_context(request, team, player)
    if player is None:  # White looking on: the badge counts the team's unread, as its own view does
        context["unread_total"] = lazy(lambda: selectors.team_unread_total(team=team, player=None))
    fragments = _panel_fragments(request, team, player, context, wanted)
    response = HttpResponse("".join(out_of_band(fragments[name]) for name in wanted))
    response["Cache-Control"] = "no-store"
    return response


def _panel_fragments(request, team, player, context, wanted):
    """{panel id: its HTML for this browser}: team panels from the team's cache (rendered on a miss)."""
    token = get_token(request)
    return {name: html.replace(CSRF_PLACEHOLDER, token)
            for name, html in team_fragments(team, player, context, wanted, request=request).items()}


def team_fragments(team, player, context, wanted, *, request=None, pushed=False):
    """{panel id: its HTML, with the CSRF placeholder}: team panels from the team's cache (rendered on a miss).
    The forms come in two variants, the players' and White's read-only one. ``pushed``: the team's stream is
    asking, and its turn status, which holds no one's unread count and a placeholder for the clock, is
    team-wide too."""
    base = f"panel:{team.pk}:{team.exercise.version}:{get_language()}"
    keys = {name: f"{base}:{name}" for name in wanted if name in SHARED_PANELS}
    if pushed and "turn-status" in wanted:
        keys["turn-status"] = f"{base}:turn-status:pushed:{int(player is None)}"
    keys.update({name: f"{base}:{name}:{int(player is None)}" for name in wanted if name in TEAM_FORM_PANELS})
    try:
        cached = cache.get_many(keys.values())
    except redis.RedisError:
        cached = {}
    fragments, rendered = {}, {}
    for name in wanted:
        html = cached.get(keys[name]) if name in keys else None
        if html is None:
            html = render_to_string(f"exercises/player/dashboard.html#{name}",
                                    {**context, "csrf_token": CSRF_PLACEHOLDER}, request=request)
            if name in keys:
                rendered[keys[name]] = html
        fragments[name] = html
    if rendered:
        try:
            cache.set_many(rendered, 600)  # one round trip
        except redis.RedisError:
            pass
    return fragments


def _render_shared_panel(request, team, target, key):
    # Text, under the same key as team_fragments: a refresh and a single panel share one rendering.
    html = render_to_string(f"exercises/player/dashboard.html#{target}", _dashboard_context(request, team, None),
                            request=request)
    cache.set(key, html, 600)
    return html


@require_POST
def order_save(request, code, team, slot):
    """Save an order slot. After a conflict the player either replaces the teammate's version with
    theirs (``replace`` carries the revision they have now seen) or keeps it (``keep``)."""
    team, player = access.access_team_for_orders(request, code, team)
    if slot not in (1, 2):
        raise Http404
    draft = {"action": request.POST.get("action", ""), "target": request.POST.get("target", ""),
             "note": request.POST.get("note", "")}
    try:
        base_revision = int(request.POST.get("revision", "0"))
        replace = request.POST.get("replace")
        seen_revision = int(replace) if replace else base_revision
        turn_number = int(request.POST.get("turn", "0"))
    except ValueError:
        base_revision, seen_revision, turn_number = -1, -1, 0
    if "keep" in request.POST:  # keep the teammate's version: nothing to write, the draft is dropped
        context = _dashboard_context(request, team, player, kept_slot=slot)
        return render(request, "exercises/player/dashboard.html#order-forms" if request.htmx
                      else "exercises/player/dashboard.html", context)
    error, conflicts = None, None
    try:
        services.order_save(player=player, turn_number=turn_number, slot=slot, base_revision=seen_revision, **draft)
    except services.OrderConflict as exc:
        error, conflicts = str(exc), {slot: base_revision}
    except services.ServiceError as exc:
        error = str(exc)
    context = _dashboard_context(request, team, player, errors={slot: error} if error else None,
                                 drafts={slot: draft} if error else None, saved_slot=None if error else slot,
                                 conflicts=conflicts)
    if request.htmx:
        return render(request, "exercises/player/dashboard.html#order-forms", context, status=200)
    return render(request, "exercises/player/dashboard.html", context, status=400 if error else 200)


def _turn_number(request):
    try:
        return int(request.POST.get("turn", "0"))
    except ValueError:
        return 0


def _argued_response(request, team, player, **extra):
    context = _dashboard_context(request, team, player, **extra)
    if request.htmx:
        return render(request, "exercises/player/dashboard.html#argued-panel", context)
    failed = extra.get("argued_error") or extra.get("counter_error")
    return render(request, "exercises/player/dashboard.html", context, status=400 if failed else 200)


@require_POST
def argued_save(request, code, team):
    team, player = access.access_team_for_orders(request, code, team)
    draft = {"action": request.POST.get("action", ""), "intended": request.POST.get("intended", ""),
             "reasons": request.POST.getlist("reason")[:3], "aims": request.POST.get("aims", ""),
             "nearest_action": request.POST.get("nearest_action", "")}
    try:
        revision = int(request.POST.get("revision", "0"))
        seen = int(request.POST["replace"]) if request.POST.get("replace") else revision
    except ValueError:
        revision = seen = -1
    if "keep" in request.POST:  # keep the teammate's version; the draft is dropped
        return _argued_response(request, team, player, argued_kept=True)
    try:
        services.argued_save(player=player, turn_number=_turn_number(request), action=draft["action"],
                             intended=draft["intended"], reasons=draft["reasons"],
                             aims=draft["aims"].split(","), nearest_action=draft["nearest_action"],
                             base_revision=seen)
    except services.OrderConflict as exc:
        return _argued_response(request, team, player, argued_error=str(exc), argued_draft=draft,
                                argued_conflict=revision)
    except services.ServiceError as exc:
        return _argued_response(request, team, player, argued_error=str(exc), argued_draft=draft)
    return _argued_response(request, team, player, argued_saved=True)


@require_POST
def counter_post(request, code, team):
    team, player = access.access_team_for_orders(request, code, team)
    against, text = request.POST.get("against", ""), request.POST.get("text", "")
    try:
        services.counter_post(player=player, turn_number=_turn_number(request), argued_team_code=against, text=text)
    except services.ServiceError as exc:
        return _argued_response(request, team, player, counter_error=str(exc), counter_against=against,
                                counter_text=text)
    return _argued_response(request, team, player, counter_saved=against)


@require_POST
def card_pick(request, code, team):
    team, player = access.access_team_for_orders(request, code, team)
    against = request.POST.get("against", "")
    try:
        probability = int(request.POST.get("probability", ""))
    except ValueError:
        probability = -1
    try:
        services.card_pick(player=player, turn_number=_turn_number(request), argued_team_code=against,
                           probability=probability)
    except services.ServiceError as exc:
        return _argued_response(request, team, player, counter_error=str(exc), counter_against=against)
    return _argued_response(request, team, player)


@require_POST
def crisis_choose(request, code, team):
    """A crisis team's choice: de-escalate, hold or escalate. Answered with the crisis panel."""
    team, player = access.access_team_for_orders(request, code, team)
    error = None
    try:
        services.crisis_choose(player=player, turn_number=_turn_number(request), choice=request.POST.get("choice", ""))
    except services.ServiceError as exc:
        error = str(exc)
    context = _dashboard_context(request, team, player)
    context["crisis_error"] = error
    if request.htmx:
        return render(request, "exercises/player/dashboard.html#crisis-panel", context)
    if error:
        return render(request, "exercises/player/dashboard.html", context, status=400)
    return redirect("player-dashboard", code=team.exercise.join_code, team=team.code)


@require_http_methods(["GET"])
def turn_history(request, code, team, number):
    """An earlier published turn as this team saw it: results, narrative and injects. White reads it too."""
    team, player, past = access.access_turn_result_as_player(request, code, team, number)
    exercise = team.exercise
    return render(request, "exercises/player/turn.html", {
        "exercise": exercise, "team": team, "player": player, "past": past, "spec": selectors.scenario_for(exercise),
        "published_turns": selectors.team_published_turns(team=team),
        "dashboard_url": reverse("player-dashboard", args=[exercise.join_code, team.code]),
    })
