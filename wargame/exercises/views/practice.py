"""The practice game: White starts one with one click (bots in every seat until players join), and a player's
dashboard shows short hints next to the main controls, which the player may hide.

Hiding is remembered on the server, in the player's session (a player is one browser session: models.Player),
so a reload or another tab of the same browser keeps the choice, and nothing is lost if the page is closed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .. import access, services
from ..services.exercises import PRACTICE_SLUG

SESSION_KEY = "hints_hidden"  # the player ids (this browser's) who hid the hints


def hints_hidden(request, player) -> bool:
    return player is not None and player.pk in (request.session.get(SESSION_KEY) or [])


def hints_shown_for(request, exercise, player) -> bool:
    """Hints show on a practice exercise's dashboard to its players, until the player hides them."""
    return player is not None and exercise.scenario.slug == PRACTICE_SLUG and not hints_hidden(request, player)


@login_required
@require_POST
def practice_start(request):
    """Any facilitator: a new practice exercise, every team played by a bot until a player joins it."""
    try:
        exercise = services.exercise_start_practice(facilitator=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("facilitator-home")
    return redirect("console", exercise_id=exercise.pk)


@require_POST
def hints_toggle(request, code, team):
    """A player hides (hide=1) or shows (hide=0) the dashboard hints; back to the dashboard."""
    team, player = access.access_team_for_orders(request, code, team)
    hidden = set(request.session.get(SESSION_KEY) or [])
    if request.POST.get("hide", "1") == "0":
        hidden.discard(player.pk)
    else:
        hidden.add(player.pk)
    request.session[SESSION_KEY] = sorted(hidden)
    return redirect("player-dashboard", code=team.exercise.join_code, team=team.code)
