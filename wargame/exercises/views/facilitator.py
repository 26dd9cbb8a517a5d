import io
import math

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wargame import engine
from wargame.scenarios import load_scenario, scenario_slugs

from .. import access, saved_notes, selectors, services
from ..models import CrisisChoice, EstimateCard, Exercise, Turn
from ..templatetags.words import override_summary
from . import forecast as forecast_views
from .common import render_panel


CONSOLE_PANELS = {"console-turn", "console-teams", "console-orders", "console-review", "console-state",
                  "console-injects", "console-crisis"}


def _scenario_choices():
    return [load_scenario(slug, lang=get_language()) for slug in scenario_slugs()]  # shown: the reader's language


@login_required
def home(request):
    exercises = access.access_exercises_as_facilitator(request)
    return render(request, "exercises/facilitator/home.html",
                  {"exercises": exercises["current"], "archived": exercises["archived"],
                   "scenarios": _scenario_choices(), "modes": Exercise.Mode.choices})


@login_required
@require_POST
def exercise_new(request):
    slug = request.POST.get("scenario", "")
    if slug not in scenario_slugs():
        messages.error(request, _("Choose a scenario from the list."))
        return redirect("facilitator-home")
    spec = load_scenario(slug)
    codes = [t.code for t in spec.teams if request.POST.get(f"team_{t.code}")] or None
    mode = request.POST.get("mode", Exercise.Mode.CARDS)
    if mode not in Exercise.Mode.values:
        mode = Exercise.Mode.CARDS
    try:
        exercise = services.exercise_create(scenario_slug=slug, name=request.POST.get("name", ""),
                                            facilitator=request.user, team_codes=codes, mode=mode)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("facilitator-home")
    return redirect("console", exercise_id=exercise.pk)


def console_context(request, exercise):
    console = selectors.console_view(exercise=exercise)
    return {
        "msel": selectors.msel_rows(exercise=exercise),
        "argued": selectors.console_argued(turn=console["turn"]),
        "crisis": selectors.console_crisis(turn=console["turn"]),
        "crisis_choices": CrisisChoice.Choice.choices,
        "review": selectors.review_rows(result=console["result"], spec=console.get("spec")),
        "narratives": selectors.review_narratives(turn=console["turn"], result=console["result"]),
        "reasons": services.engine.OVERRIDE_REASONS,
        "effect_vars": engine.VARIABLES,
        "cards": EstimateCard.CARDS,
        "observer_url": request.build_absolute_uri(reverse("observer", args=[exercise.observer_code])),
        "plenary_url": reverse("plenary", args=[exercise.join_code]),
        "events_url": reverse("exercise-events", args=[exercise.join_code]),
        "exercise": exercise,
        "panel_url": reverse("console", args=[exercise.pk]),
        "summary": selectors.turn_summary(exercise, turn=console["turn"]),
        "console": console,
        # A locked or resolving turn is polled more often: its result is due any moment.
        "turn_poll": "5s" if console["turn"] and console["turn"].status in (Turn.Status.LOCKED, Turn.Status.RESOLVING)
        else "30s",
        # Locked or resolving past the grace with no result: say a worker is missing instead of spinning on.
        "resolve_overdue": bool(console["turn"] and console["turn"].resolve_overdue(grace=services.resolve_grace())),
        "join_url": request.build_absolute_uri(reverse("home") + f"?code={exercise.join_code}"),
        "recent_notes": saved_notes.notes_recent(exercise_id=exercise.pk, user_id=request.user.pk)
        if request.user.is_authenticated else {},
    }


@login_required
def console(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    context = console_context(request, exercise)
    if not request.htmx:  # the forecast card (White's only) refreshes itself from views.forecast
        context.update(forecast_views.forecast_shell_context(exercise))
    return render_panel(request, "exercises/facilitator/console.html", context, CONSOLE_PANELS)


def _act(request, exercise_id, action, *, partial="console-turn", error_key=None):
    """A change White makes on the console, answered with ``partial`` (htmx) or the console. A refusal is a
    flash message, or with ``error_key`` a context value the partial shows beside its own buttons."""
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    error = None
    try:
        action(exercise)
    except services.ServiceError as exc:
        error = str(exc)
        if not (request.htmx and error_key):
            messages.error(request, error)
    if not request.htmx:
        return redirect("console", exercise_id=exercise.pk)
    context = console_context(request, exercise)
    if error_key:
        context[error_key] = error
    return render(request, f"exercises/facilitator/console.html#{partial}", context)


def _in_place(request, exercise_id, action, *, partial, find, note_id, confirm):
    """A change White makes to one part of the review, answered with that part alone.

    With htmx the answer is the part's partial (its DOM id is the hx-target), carrying a short confirmation
    or the refusal beside the button, so the page never moves; without it, the usual redirect. When the part
    has gone (the turn was published meanwhile), the whole review answers in its place.
    """
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    error = None
    try:
        action(exercise)
    except services.ServiceError as exc:
        error = str(exc)
        if not request.htmx:
            messages.error(request, error)
    if not request.htmx:
        return redirect("console", exercise_id=exercise.pk)
    if not error:
        saved_notes.note_remember(exercise_id=exercise.pk, user_id=request.user.pk, note_id=note_id, text=confirm())
    context = console_context(request, exercise)
    context.update(saved="" if error else confirm(), error=error, saved_for=note_id)
    item = find(context)
    if item is None:
        context["saved_for"] = ""
        response = render(request, "exercises/facilitator/console.html#console-review", context)
        response["HX-Retarget"] = "#console-review"
        response["HX-Reswap"] = "outerHTML"
        return response
    context.update(item)
    return render(request, f"exercises/facilitator/console.html#{partial}", context)


def _review_row_in_place(request, exercise_id, action, confirm):
    event_id = request.POST.get("event", "")

    def find(context):
        row = next((r for r in context["review"] if r["event"]["id"] == event_id), None)
        return {"row": row} if row else None

    return _in_place(request, exercise_id, action, partial="review-row", find=find,
                     note_id="saved-" + selectors.dom_id(event_id), confirm=confirm)


@login_required
@require_POST
def turn_lock(request, exercise_id):
    return _act(request, exercise_id, lambda x: services.turn_lock(
        exercise=x, by=request.user.username, turn_number=_turn_number(request)))


@login_required
@require_POST
def turn_resolve_retry(request, exercise_id):
    """White's "Retry now" when no worker has resolved the locked turn: send it to the worker again."""
    def retry(exercise):
        services.turn_resolve_retry(exercise=exercise, by=request.user.username, turn_number=_turn_number(request))
        messages.info(request, _("Sent to the worker again."))

    return _act(request, exercise_id, retry)


@login_required
@require_POST
def turn_publish(request, exercise_id):
    return _act(request, exercise_id, lambda x: services.turn_publish(
        exercise=x, by=request.user.username, turn_number=_turn_number(request)))


@login_required
@require_POST
def turn_clock(request, exercise_id):
    def set_clock(exercise):
        try:
            minutes = int(request.POST.get("minutes", ""))
        except ValueError:
            raise services.ServiceError(_("Enter the clock in whole minutes."))
        services.turn_set_deadline(turn=selectors.current_turn(exercise), minutes=minutes, by=request.user.username)

    return _act(request, exercise_id, set_clock)


@login_required
@require_POST
def player_assign(request, exercise_id):
    """White seats a waiting player, or moves a seated one to another team."""
    def assign(player):
        player = services.player_choose_team(player=player, team_code=request.POST.get("team", ""),
                                             by_facilitator=request.user.username)
        return _("%(name)s is with %(team)s.") % {"name": player.display_name, "team": player.team.name}

    return _people_act(request, exercise_id, assign)


@login_required
def join_qr(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    url = request.build_absolute_uri(reverse("home") + f"?code={exercise.join_code}")
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2, dark="#0f172a")
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value, what):
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):  # "nan" and "inf" parse as floats but are never a game value
        raise services.ServiceError(_("Enter a number for %(what)s.") % {"what": what})
    return number


def parse_effects(post, prefix="effect"):
    """Effect rows from a form: variable, subject (actor code or dyad such as JPN-RUS) and delta."""
    effects = []
    for i in range(3):
        var = post.get(f"{prefix}_{i}_var", "").strip()
        subject = post.get(f"{prefix}_{i}_subject", "").strip().upper()
        delta = post.get(f"{prefix}_{i}_delta", "").strip()
        if not (var or subject or delta):
            continue
        if not (var and subject and delta):
            raise services.ServiceError(_("Effect %(n)d needs a variable, a subject and a change.") % {"n": i + 1})
        amount = _float(delta, _("the change"))
        if "-" in subject:
            effects.append({"var": var, "dyad": subject.split("-", 1), "delta": amount})
        else:
            effects.append({"var": var, "of": subject, "delta": amount})
    return effects


def _turn_number(request):
    return _int_or_none(request.POST.get("turn"))


@login_required
@require_POST
def override(request, exercise_id):
    def act(exercise):
        kind = request.POST.get("kind", "")
        value = None
        if kind == "scale":
            value = _float(request.POST.get("value"), _("the scale"))
        elif kind == "replace":
            value = parse_effects(request.POST)
            if not value:
                raise services.ServiceError(_("A replacement needs at least one effect."))
        elif kind == "manual_dice":
            faces = [f for f in request.POST.get("value", "").replace("+", " ").replace(",", " ").split() if f]
            value = [_int_or_none(f) for f in faces]
            if not value or None in value:
                raise services.ServiceError(_("Enter the dice as whole numbers, e.g. 4 6."))
        services.turn_override(exercise=exercise, by=request.user.username, turn_number=_turn_number(request),
                               event_id=request.POST.get("event", ""), kind=kind, value=value,
                               reason=request.POST.get("reason", ""), note=request.POST.get("note", ""),
                               draw=_int_or_none(request.POST.get("draw")))

    def confirm():
        kind = request.POST.get("kind", "")
        value = request.POST.get("value", "")
        if kind == "scale":
            value = _float(value, _("the scale"))
        elif kind == "manual_dice":
            value = value.replace("+", " ").replace(",", " ").split()
        return _("%(what)s — saved") % {"what": override_summary(kind, value)}

    return _review_row_in_place(request, exercise_id, act, confirm)


@login_required
@require_POST
def override_clear(request, exercise_id):
    return _review_row_in_place(request, exercise_id, lambda x: services.turn_override_clear(
        exercise=x, by=request.user.username, turn_number=_turn_number(request), event_id=request.POST.get("event", "")),
        lambda: _("Overrides undone — saved"))


@login_required
@require_POST
def narrative(request, exercise_id):
    code = request.POST.get("team", "")

    def find(context):
        n = next((n for n in context["narratives"] if n["code"] == code), None)
        return {"n": n} if n else None

    return _in_place(request, exercise_id, lambda x: services.narrative_edit(
        exercise=x, by=request.user.username, turn_number=_turn_number(request),
        team_code=code, text=request.POST.get("text", "")),
        partial="narrative-row", find=find, note_id=f"saved-narrative-{code}",
        confirm=lambda: _("Narrative for %(team)s saved") % {"team": code})


@login_required
@require_POST
def inject_fire(request, exercise_id):
    return _act(request, exercise_id, lambda x: services.inject_fire_now(
        exercise=x, by=request.user.username, turn_number=_turn_number(request), inject_id=request.POST.get("inject", "")))


@login_required
@require_POST
def inject_skip(request, exercise_id):
    return _act(request, exercise_id, lambda x: services.inject_skip(
        exercise=x, by=request.user.username, turn_number=_turn_number(request), inject_id=request.POST.get("inject", "")))


@login_required
@require_POST
def inject_new(request, exercise_id):
    def act(exercise):
        audience = "all" if request.POST.get("audience") == "all" else request.POST.getlist("teams")
        services.inject_adhoc(exercise=exercise, by=request.user.username, turn_number=_turn_number(request),
                              title=request.POST.get("title", ""), text=request.POST.get("text", ""),
                              audience=audience, effects=parse_effects(request.POST))

    return _act(request, exercise_id, act)


@login_required
@require_POST
def clock_control(request, exercise_id, action):
    if action not in ("pause", "resume", "extend"):
        raise Http404

    def act(exercise):
        by = request.user.username
        if action == "pause":
            services.clock_pause(exercise=exercise, by=by)
        elif action == "resume":
            services.clock_resume(exercise=exercise, by=by)
        else:
            minutes = _int_or_none(request.POST.get("minutes"))
            if minutes is None:
                raise services.ServiceError(_("Enter the extension in whole minutes."))
            services.clock_extend(exercise=exercise, by=by, minutes=minutes)

    return _act(request, exercise_id, act)


CRISIS_CARD = {"partial": "console-crisis", "error_key": "crisis_error"}  # crisis changes answer in their card


@login_required
@require_POST
def crisis_choose(request, exercise_id):
    """White chooses for a crisis team, typically one with no players."""
    return _act(request, exercise_id, lambda x: services.crisis_choose_for_team(
        exercise=x, by=request.user.username, turn_number=_turn_number(request),
        team_code=request.POST.get("team", ""), choice=request.POST.get("choice", "")), **CRISIS_CARD)


@login_required
@require_POST
def crisis_settle(request, exercise_id):
    """White settles the crisis now: a team that has not chosen holds."""
    return _act(request, exercise_id, lambda x: services.crisis_settle_now(
        exercise=x, by=request.user.username, turn_number=_turn_number(request)), **CRISIS_CARD)


@login_required
@require_POST
def crisis_minutes(request, exercise_id):
    def act(exercise):
        minutes = _int_or_none(request.POST.get("minutes"))
        if minutes is None:
            raise services.ServiceError(_("Enter the crisis length in whole minutes."))
        services.crisis_set_minutes(exercise=exercise, by=request.user.username, minutes=minutes)

    return _act(request, exercise_id, act, **CRISIS_CARD)


@login_required
@require_POST
def argued(request, exercise_id):
    def act(exercise):
        probability = request.POST.get("probability", "").strip()
        card = request.POST.get("white_card", "").strip()
        services.argued_adjudicate(
            exercise=exercise, by=request.user.username, turn_number=_turn_number(request),
            team_code=request.POST.get("team", ""),
            accepted_reasons=[i for i in map(_int_or_none, request.POST.getlist("reasons")) if i is not None]
            if "reasons_sent" in request.POST else None,
            accepted_counters=[i for i in map(_int_or_none, request.POST.getlist("counters")) if i is not None]
            if "reasons_sent" in request.POST else None,
            probability=_int_or_none(probability) if probability else None,
            white_card=_int_or_none(card) if card else None)

    code = request.POST.get("team", "")

    def find(context):
        a = next((a for a in context["argued"] if a.team.code == code), None)
        return {"a": a} if a else None

    return _in_place(request, exercise_id, act, partial="argued-row", find=find, note_id=f"saved-argued-{code}",
                     confirm=lambda: _("Adjudication saved"))


@login_required
@require_POST
def facilitator_add(request, exercise_id):
    def act(exercise):
        user = access.access_user_to_add(request.POST.get("username", ""))
        if user is None:
            raise services.ServiceError(_("No facilitator account has that username."))
        services.facilitator_add(exercise=exercise, user=user, by=request.user.username)

    return _act(request, exercise_id, act)


@login_required
@require_POST
def observers_console(request, exercise_id):
    return _act(request, exercise_id, lambda x: services.observers_console_set(
        exercise=x, allowed=request.POST.get("allowed") == "1", by=request.user.username))


# ---- People in the room and the exercise's life: move, rename, remove, switch requests; end, archive, delete ----

def _people_act(request, exercise_id, action):
    """Act on one player of this exercise, then back to the console's teams panel with what happened."""
    try:
        exercise, player = access.access_player_as_facilitator(request, exercise_id, request.POST.get("player"))
    except access.PlayerNotFound as exc:
        messages.error(request, _("That player is not in this exercise."))
        return redirect(reverse("console", args=[exc.exercise.pk]) + "#console-teams")
    try:
        done = action(player)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(reverse("console", args=[exercise.pk]) + "#console-teams")


@login_required
@require_POST
def player_rename(request, exercise_id):
    def rename(player):
        old = player.display_name
        player = services.player_rename(player=player, display_name=request.POST.get("name", ""),
                                        by=request.user.username)
        return _("%(old)s is now %(new)s.") % {"old": old, "new": player.display_name}

    return _people_act(request, exercise_id, rename)


@login_required
@require_POST
def player_remove(request, exercise_id):
    def remove(player):
        services.player_remove(player=player, by=request.user.username)
        return _("%(name)s was removed; their orders and messages stay.") % {"name": player.display_name}

    return _people_act(request, exercise_id, remove)


@login_required
@require_POST
def switch_decide(request, exercise_id):
    def decide(player):
        approve = request.POST.get("decision") == "approve"
        player = services.player_switch_decide(player=player, approve=approve, by=request.user.username)
        if approve:
            return _("%(name)s moved to %(team)s.") % {"name": player.display_name, "team": player.team.name}
        return _("%(name)s stays with %(team)s.") % {"name": player.display_name, "team": player.team.name}

    return _people_act(request, exercise_id, decide)


@login_required
@require_POST
def exercise_end(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    try:
        services.exercise_end(exercise=exercise, by=request.user.username, reason=request.POST.get("reason", ""))
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The exercise has ended. No more joins, orders or messages."))
    return redirect("console", exercise_id=exercise.pk)


@login_required
@require_POST
def exercise_archive(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    archived = request.POST.get("archived", "1") == "1"
    try:
        services.exercise_archive(exercise=exercise, by=request.user.username, archived=archived)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("console", exercise_id=exercise.pk)
    messages.success(request, _("“%(name)s” is archived; it stays readable under Archived.") % {"name": exercise.name}
                     if archived else _("“%(name)s” is back in your list.") % {"name": exercise.name})
    return redirect("facilitator-home")


@login_required
@require_http_methods(["GET", "POST"])
def exercise_delete(request, exercise_id):
    """A confirmation page: White types the exercise's name to delete it and everything in it."""
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    error, typed = None, ""
    if request.method == "POST":
        typed = request.POST.get("confirm", "")
        try:
            services.exercise_delete(exercise=exercise, by=request.user.username, confirm_name=typed)
        except services.ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("“%(name)s” was deleted.") % {"name": exercise.name})
            return redirect("facilitator-home")
    return render(request, "exercises/facilitator/exercise_delete.html",
                  {"exercise": exercise, "error": error, "typed": typed,
                   "counts": selectors.exercise_counts(exercise=exercise)}, status=400 if error else 200)
