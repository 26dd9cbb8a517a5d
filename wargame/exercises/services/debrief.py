"""The after-action review's public version: White releases it (choosing its parts) or withdraws it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..doorbells import Doorbell
from ..models import Exercise, Turn
from ..selectors.debrief import clean_parts
from .common import ServiceError, current_turn_number, record


@transaction.atomic
def debrief_release(*, exercise, by, parts):
    """Release (or re-release with other parts) the public debrief: players and observers may read the chosen
    parts from now on. Needs at least one published turn and one part."""
    chosen = clean_parts(parts)
    if not chosen:
        raise ServiceError(_("Choose at least one part of the review to release."))
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if not exercise.turns.filter(status=Turn.Status.PUBLISHED).exists():
        raise ServiceError(_("Publish a turn before releasing the review: there is nothing to show yet."))
    first = exercise.debrief_released_at is None
    exercise.debrief_parts = chosen
    if first:
        exercise.debrief_released_at = timezone.now()
    exercise.save(update_fields=["debrief_parts", "debrief_released_at"])
    record(exercise_id=exercise.pk, turn_number=current_turn_number(exercise.pk),
           kind="debrief_released" if first else "debrief_parts_changed", actor=by, parts=chosen,
           doorbell=Doorbell.DEBRIEF_RELEASED)
    return exercise


@transaction.atomic
def debrief_withdraw(*, exercise, by):
    """Take the public debrief back: players and observers get 404 again. The chosen parts are kept for the
    next release."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if exercise.debrief_released_at is None:
        raise ServiceError(_("The review is not released."))
    exercise.debrief_released_at = None
    exercise.save(update_fields=["debrief_released_at"])
    record(exercise_id=exercise.pk, turn_number=current_turn_number(exercise.pk), kind="debrief_withdrawn",
           actor=by, doorbell=Doorbell.DEBRIEF_RELEASED)
    return exercise
