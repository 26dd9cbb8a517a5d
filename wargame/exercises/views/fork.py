"""Forking an exercise at a published turn, and White setting a fork's orders of that turn. Thin: gate, service,
redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, services


@login_required
@require_POST
def fork(request, exercise_id):
    """POST turn=<N>: a new exercise that keeps this one up to turn N; White lands on the fork's console."""
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    back = request.POST.get("next") == "debrief"
    try:
        new = services.exercise_fork(exercise=exercise, by=request.user, turn_number=request.POST.get("turn"),
                                     facilitator=request.user)
    except services.ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("debrief-white" if back else "console", args=[exercise.pk]))
    messages.success(request, _("Forked at turn %(n)d: change the orders of turn %(n)d below, then lock the turn "
                                "to resolve it again.") % {"n": new.fork_turn})
    return redirect("console", exercise_id=new.pk)


@login_required
@require_POST
def fork_order(request, exercise_id):
    """POST team, slot, action, target: White sets one order of the fork's turn N."""
    exercise = access.access_exercise_as_facilitator(request, exercise_id)
    try:
        services.order_set_by_white(exercise=exercise, by=request.user, team_code=request.POST.get("team", ""),
                                    slot=request.POST.get("slot"), action=request.POST.get("action", ""),
                                    target=request.POST.get("target", ""))
        messages.success(request, _("Order saved."))
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("console", args=[exercise.pk]) + "#fork-orders")
