from django.urls import reverse
from django.utils.functional import SimpleLazyObject as lazy
from django.utils.safestring import mark_safe

from wargame.maps import theatre_svg

from .. import access, selectors
from ..doorbells import Doorbell
from .common import render_panel, render_refresh
from .facilitator import CONSOLE_PANELS, console_context

PLENARY_PANELS = {"plenary-turn", "plenary-map", "plenary-ladder", "plenary-headlines", "plenary-crisis"}
# Which doorbells change which panel of the projector and observer views (one refresh request each).
PLENARY_EVENTS = {
    "plenary-map": {Doorbell.TURN_PUBLISHED},
    "plenary-turn": {Doorbell.TURN_LOCKED, Doorbell.TURN_RESOLVING, Doorbell.TURN_RESOLVED, Doorbell.TURN_PUBLISHED,
                     Doorbell.CLOCK_CHANGED},
    "plenary-ladder": {Doorbell.TURN_PUBLISHED},
    "plenary-headlines": {Doorbell.TURN_PUBLISHED},
    "plenary-crisis": {Doorbell.CRISIS_CHANGED, Doorbell.TURN_LOCKED, Doorbell.TURN_PUBLISHED},
}
PLENARY_DOORBELLS = sorted(set().union(*PLENARY_EVENTS.values()))


def plenary(request, code):
    """The projector view: no login, public information only."""
    exercise = access.access_exercise_by_code(code)
    return _plenary_response(request, _plenary_context(request, exercise))


def _plenary_response(request, context):
    if "refresh" in request.GET:
        return render_refresh(request, "exercises/plenary.html", context, PLENARY_EVENTS)
    return render_panel(request, "exercises/plenary.html", context, PLENARY_PANELS)


def _plenary_context(request, exercise):
    view = lazy(lambda: selectors.plenary_view(exercise=exercise))

    def map_svg():  # theatre_svg escapes every text it draws
        return mark_safe(theatre_svg(presence=view["presence"], incidents=view["incidents"], colours=view["colours"],
                                     title="Theatre: public picture", dom_id="plenary-theatre",
                                     **selectors.map_layers(exercise)))

    # Built only for the panels a request renders: a clock refresh does not draw the map.
    turn = lazy(lambda: selectors.current_turn(exercise))
    return {"exercise": exercise, "panel_url": request.path, "doorbells": PLENARY_DOORBELLS,
            "summary": lazy(lambda: selectors.turn_summary(exercise, turn=turn)),
            "events_url": reverse("exercise-events", args=[exercise.join_code]),
            "view": view, "map_svg": lazy(map_svg), "spec": lazy(lambda: selectors.scenario_for(exercise)),
            "crisis": lazy(lambda: selectors.plenary_crisis(turn=turn))}


def observer(request, code):
    """The observer's seat: the plenary picture, plus White's console read-only when allowed."""
    if request.GET.get("view") == "console":
        try:
            return _observer_console(request, access.access_exercise_as_observer(code, console=True))
        except access.ConsoleClosed as closed:  # White does not share the console: the plenary picture
            exercise = closed.exercise
    else:
        exercise = access.access_exercise_as_observer(code)
    return _plenary_response(request, {**_plenary_context(request, exercise), **_observer_own(exercise)})


def _observer_own(exercise):
    # Observers never see the join code: with it they could take a seat and order.
    return {"observer": True, "events_url": reverse("observer-events", args=[exercise.observer_code])}


def _observer_console(request, exercise):
    context = {**console_context(request, exercise), **_observer_own(exercise)}
    context.update(read_only=True, panel_url=request.get_full_path(), join_url="",
                   plenary_url=reverse("observer", args=[exercise.observer_code]))
    return render_panel(request, "exercises/facilitator/console.html", context, CONSOLE_PANELS)
