"""White hands a team without players to a bot, or takes it back. Thin: gate, service, answer (the Teams panel
with htmx, else a redirect to it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services
from .facilitator import console_context


def _answer(request, exercise, error=None, done=""):
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    if request.htmx:
        return render(request, "exercises/facilitator/console.html#console-teams", console_context(request, exercise))
    return redirect(reverse("console", args=[exercise.pk]) + "#console-teams")


@login_required
@require_POST
def bot_assign(request, exercise_id):
    """POST team, policy: the team's orders and crisis choices now come from the bot."""
    exercise, team = access.access_team_as_facilitator(request, exercise_id, request.POST.get("team", ""))
    try:
        services.bot_assign(exercise=exercise, by=request.user.username, team_code=team.code,
                            policy=request.POST.get("policy", ""))
    except services.ServiceError as exc:
        return _answer(request, exercise, error=str(exc))
    return _answer(request, exercise, done=_("%(team)s is now run by the bot.") % {"team": team.name})


@login_required
@require_POST
def bot_release(request, exercise_id):
    """POST team: White takes the team back from its bot."""
    exercise, team = access.access_team_as_facilitator(request, exercise_id, request.POST.get("team", ""))
    try:
        services.bot_release(exercise=exercise, by=request.user.username, team_code=team.code)
    except services.ServiceError as exc:
        return _answer(request, exercise, error=str(exc))
    return _answer(request, exercise, done=_("%(team)s is back with White.") % {"team": team.name})
