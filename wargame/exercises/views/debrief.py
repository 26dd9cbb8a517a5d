"""The after-action review: White's full debrief, the release form, and the released public version for the
exercise's players and its observers. Thin: gate, selector, template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, selectors, services
from ..selectors.debrief import compare_candidates

TEMPLATE = "exercises/debrief/debrief.html"


def _filters(request, data_codes, max_turn):
    """The timeline's filters from ``?team=&turn=``; anything unknown is ignored, never an error."""
    team = request.GET.get("team", "")
    team = team if team in data_codes else None
    try:
        turn = int(request.GET.get("turn", ""))
    except ValueError:
        turn = None
    if turn is not None and not 1 <= turn <= max_turn:
        turn = None
    return team, turn


def _compare(request, exercise):
    """``?compare=<id>``: another branch of this game (its parent or a fork) that White also facilitates. Any other
    id is ignored; a branch of this game White does not facilitate is a 404, like its own pages."""
    try:
        other_id = int(request.GET.get("compare", ""))
    except ValueError:
        return None
    if other_id == exercise.forked_from_id or exercise.forks.filter(pk=other_id).exists():
        return access.access_exercise_as_facilitator(request, other_id)
    return None


def _context(request, exercise, *, public, parts=None, base_url, audience):
    codes = list(exercise.teams.values_list("code", flat=True))
    team, turn = _filters(request, codes, exercise.turns.count())
    compare = None if public else _compare(request, exercise)
    data = selectors.debrief_view(exercise=exercise, public=public, parts=parts, team=team, turn=turn,
                                  compare=compare)
    return {"exercise": exercise, "d": data, "public": public, "base_url": base_url, "audience": audience,
            "release_parts": selectors.debrief_parts(exercise) if not public else None,
            "branches": None if public else compare_candidates(exercise),
            "public_urls": None if public else {
                "player": reverse("debrief-public", args=[exercise.join_code]),
                "observer": reverse("debrief-observer", args=[exercise.observer_code])}}


@login_required
@require_GET
def debrief_white(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    context = _context(request, exercise, public=False, base_url=reverse("debrief-white", args=[exercise.pk]),
                       audience="white")
    return render(request, TEMPLATE, context)


@login_required
@require_POST
def debrief_release(request, exercise_id):
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    try:
        if request.POST.get("action") == "withdraw":
            services.debrief_withdraw(exercise=exercise, by=request.user)
            messages.success(request, _("The public review is withdrawn: players and observers no longer see it."))
        else:
            services.debrief_release(exercise=exercise, by=request.user, parts=request.POST.getlist("parts"))
            messages.success(request, _("The public review is released with the parts you chose."))
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("debrief-white", args=[exercise.pk]) + "#release")


@require_GET
def debrief_public(request, code):
    exercise = access.access_public_debrief(request, code)
    context = _context(request, exercise, public=True, parts=exercise.debrief_parts,
                       base_url=reverse("debrief-public", args=[code]), audience="player")
    return render(request, TEMPLATE, context)


@require_GET
def debrief_observer(request, code):
    exercise = access.access_observer_debrief(code)
    context = _context(request, exercise, public=True, parts=exercise.debrief_parts,
                       base_url=reverse("debrief-observer", args=[code]), audience="observer")
    return render(request, TEMPLATE, context)
