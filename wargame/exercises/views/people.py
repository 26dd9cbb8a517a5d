"""People in the room, the player's side: their seat, a request to switch team, and the page a removed
player sees. (White's side is in views/facilitator.py.)"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied as default_permission_denied

from .. import access, selectors, services
from .common import render_panel

SEAT_PANELS = {"seat-status"}


def permission_denied(request, exception=None):
    """handler403: a player White removed gets a page that says so; everything else the usual 403.
    A live panel asking (htmx) makes the whole page reload into it, so the player is never left on a
    dashboard that silently stopped updating."""
    if isinstance(exception, access.PlayerRemoved):
        response = render(request, "exercises/player/removed.html",
                          {"exercise": exception.player.exercise, "player": exception.player}, status=403)
        if getattr(request, "htmx", False):
            response["HX-Refresh"] = "true"
        return response
    return default_permission_denied(request, exception)


def _seat_context(request, player, **extra):
    exercise = player.exercise
    return {"exercise": exercise, "player": player, "teams": selectors.other_teams(player=player) if player.team_id
            else [], "panel_url": reverse("player-seat", args=[exercise.join_code]),
            "events_url": reverse("exercise-events", args=[exercise.join_code]), **extra}


def seat(request, code):
    """Where a player sits, their request to switch team, and White's answer (live)."""
    player = access.access_player(request, code)
    return render_panel(request, "exercises/player/seat.html", _seat_context(request, player), SEAT_PANELS)


@require_POST
def switch_request(request, code):
    """Ask White to move me to another team (or withdraw the request: an empty team)."""
    player = access.access_player(request, code)
    try:
        player = services.player_switch_request(player=player, team_code=request.POST.get("team", ""))
    except services.ServiceError as exc:
        return render(request, "exercises/player/seat.html", _seat_context(request, player, error=str(exc)),
                      status=400)
    return redirect("player-seat", code=player.exercise.join_code)
