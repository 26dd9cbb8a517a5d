from django.utils.safestring import mark_safe

from wargame.maps import theatre_svg

from .. import access, selectors
from .common import render_panel

PLENARY_PANELS = {"plenary-turn", "plenary-map", "plenary-ladder", "plenary-headlines"}


def plenary(request, code):
    """The projector view: no login, public information only."""
    exercise = access.access_exercise_by_code(code)
    view = selectors.plenary_view(exercise=exercise)
    svg = theatre_svg(presence=view["presence"], incidents=view["incidents"], colours=view["colours"],
                      title="Theatre: public picture", dom_id="plenary-theatre")
    context = {"exercise": exercise, "panel_url": request.path, "summary": selectors.turn_summary(exercise), "view": view,
               "map_svg": mark_safe(svg)}  # theatre_svg escapes every text it draws
    return render_panel(request, "exercises/plenary.html", context, PLENARY_PANELS)
