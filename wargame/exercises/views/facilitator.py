import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wargame.scenarios import load_scenario, scenario_slugs

from .. import access, selectors, services
from ..models import Exercise, Player
from .common import render_panel

CONSOLE_PANELS = {"console-turn", "console-teams", "console-orders", "console-review", "console-state"}


def _scenario_choices():
    return [load_scenario(slug) for slug in scenario_slugs()]


@login_required
def home(request):
    exercises = Exercise.objects.filter(facilitators=request.user).select_related("scenario")
    return render(request, "exercises/facilitator/home.html",
                  {"exercises": exercises, "scenarios": _scenario_choices(), "modes": Exercise.Mode.choices})


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
    exercise = services.exercise_create(scenario_slug=slug, name=request.POST.get("name", ""),
                                        facilitator=request.user, team_codes=codes, mode=mode)
    return redirect("console", exercise_id=exercise.pk)


def _console_context(request, exercise):
    return {
        "exercise": exercise,
        "panel_url": reverse("console", args=[exercise.pk]),
        "summary": selectors.turn_summary(exercise),
        "console": selectors.console_view(exercise=exercise),
        "join_url": request.build_absolute_uri(reverse("home") + f"?code={exercise.join_code}"),
    }


@login_required
def console(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    return render_panel(request, "exercises/facilitator/console.html", _console_context(request, exercise),
                        CONSOLE_PANELS)


def _act(request, exercise_id, action):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    try:
        action(exercise)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    if request.htmx:
        response = render(request, "exercises/facilitator/console.html#console-turn",
                          _console_context(request, exercise))
        return response
    return redirect("console", exercise_id=exercise.pk)


@login_required
@require_POST
def turn_lock(request, exercise_id):
    return _act(request, exercise_id, lambda x: services.turn_lock(
        exercise=x, by=request.user.username, turn_number=int(request.POST.get("turn") or 0) or None))


@login_required
@require_POST
def turn_publish(request, exercise_id):
    return _act(request, exercise_id, lambda x: services.turn_publish(
        exercise=x, by=request.user.username, turn_number=int(request.POST.get("turn") or 0) or None))


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
    def assign(exercise):
        player = Player.objects.filter(exercise=exercise, pk=request.POST.get("player") or 0).first()
        if player is None:
            raise services.ServiceError(_("That player is not in this exercise."))
        services.player_choose_team(player=player, team_code=request.POST.get("team", ""),
                                    by_facilitator=request.user.username)

    return _act(request, exercise_id, assign)


@login_required
def join_qr(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    url = request.build_absolute_uri(reverse("home") + f"?code={exercise.join_code}")
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2, dark="#0f172a")
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
