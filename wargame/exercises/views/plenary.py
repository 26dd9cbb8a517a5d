from django.urls import reverse
from django.utils.safestring import mark_safe

from wargame.maps import theatre_svg

from .. import access, selectors
from .common import render_panel
from . import facilitator
from .facilitator import CONSOLE_PANELS

PLENARY_PANELS = {"plenary-turn", "plenary-map", "plenary-ladder", "plenary-headlines"}


def plenary(request, code):
    """The projector view: no login, public information only."""
    exercise = access.access_exercise_by_code(code)
    return render_panel(request, "exercises/plenary.html", _plenary_context(request, exercise), PLENARY_PANELS)


def _plenary_context(request, exercise):
    view = selectors.plenary_view(exercise=exercise)
    svg = theatre_svg(presence=view["presence"], incidents=view["incidents"], colours=view["colours"],
                      title="Theatre: public picture", dom_id="plenary-theatre")
    return {"exercise": exercise, "panel_url": request.path, "summary": selectors.turn_summary(exercise),
            "events_url": reverse("exercise-events", args=[exercise.join_code]),
            "view": view, "map_svg": mark_safe(svg)}  # theatre_svg escapes every text it draws


def observer(request, code):
    """The observer's seat: the plenary picture, plus White's console read-only when allowed."""
    exercise = access.access_exercise_as_observer(code)
    # Observers never see the join code: with it they could take a seat and order.
    own = {"observer": True, "events_url": reverse("observer-events", args=[exercise.observer_code])}
    context = {**_plenary_context(request, exercise), **own}
    if exercise.observers_see_console and request.GET.get("view") == "console":
        context = {**facilitator.console_context(request, exercise), **own}
        context.update(read_only=True, panel_url=request.get_full_path(), join_url="",
                       plenary_url=reverse("observer", args=[exercise.observer_code]))
        return render_panel(request, "exercises/facilitator/console.html", context, CONSOLE_PANELS)
    return render_panel(request, "exercises/plenary.html", context, PLENARY_PANELS)
