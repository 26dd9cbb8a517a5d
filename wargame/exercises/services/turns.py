"""A turn's life: deadline and clock, lock, resolve on the worker (exactly once), publish."""

import logging
import os
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import jobs
from ..doorbells import Doorbell
from ..models import Exercise, Turn
from .common import ServiceError, StaleAction, bump, current_turn_locked, log_event, record, turn_for_white
from .engine_io import crisis_teams, engine_orders, run_engine, turn_inputs


log = logging.getLogger(__name__)


@transaction.atomic
def turn_set_deadline(*, turn, minutes, by):
    turn = current_turn_locked(turn.exercise_id, turn.number)
    if turn.status != Turn.Status.OPEN:
        raise StaleAction(_("Turn %(n)d is no longer open.") % {"n": turn.number})
    if not 0 < minutes <= 240:
        raise ServiceError(_("A turn clock runs between 1 and 240 minutes."))
    turn.deadline = timezone.now() + timedelta(minutes=minutes)
    turn.paused_remaining = None
    turn.save(update_fields=["deadline", "paused_remaining"])
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="clock_set", actor=by, minutes=minutes,
           doorbell=Doorbell.CLOCK_CHANGED)
    return turn


@transaction.atomic
def turn_lock(*, exercise, by, turn_number=None):
    """Close a turn to orders and hand it to the worker. Locking twice is refused, never repeated."""
    turn = current_turn_locked(exercise.pk, turn_number)
    if turn.status != Turn.Status.OPEN:
        raise StaleAction(_("Turn %(n)d is already %(status)s.") % {"n": turn.number,
                                                                    "status": turn.get_status_display().lower()})
    lock_claimed(turn, by=by)
    return turn


def lock_claimed(turn, *, by, now=None):
    """Lock a turn this caller holds (its row is locked, or a conditional UPDATE claimed it), log it, ring the
    doorbell and hand it to the worker."""
    now = now or timezone.now()
    if turn.status == Turn.Status.OPEN:
        turn.status = Turn.Status.LOCKED
        turn.locked_at = turn.resolve_queued_at = now
        turn.save(update_fields=["status", "locked_at", "resolve_queued_at"])
    _record_lock(turn, by)


def _record_lock(turn, by):
    from .bots import bots_order  # every bot team orders now, before the lock logs the turn's orders
    bots_order(turn=turn)
    orders = [{"team": o.team, "action": o.action, "target": o.target} for o in engine_orders(turn)]
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="turn_locked", actor=by, orders=orders,
           doorbell=Doorbell.TURN_LOCKED)
    jobs.send_on_commit(jobs.RESOLVE_TURN, turn.pk)  # best effort: if the broker is down, beat re-queues it


def resolve_grace():
    """How long a locked or resolving turn may wait for its result before beat re-queues it."""
    seconds = getattr(settings, "RESOLVE_GRACE_SECONDS", None) or os.environ.get("RESOLVE_GRACE_SECONDS") or 10
    return timedelta(seconds=float(seconds))


# Re-queues back off: each waits at least as long as the turn had waited before the last one (so grace,
# grace, 2×, 4×…), capped here so a turn resolves within 30 s of a worker coming back (cap + beat's 5 s tick).
# A dead worker for an hour then costs about 180 no-op tasks, not 720.
RESOLVE_REQUEUE_MAX_INTERVAL = timedelta(seconds=20)


def turns_requeue(*, now=None):
    """Beat calls this with the deadlines: re-queue every turn whose resolve task went missing.

    The broker was down at lock, or Redis lost its queue, or a worker died holding the task (Redis would
    redeliver it only after its visibility timeout). Resolution is exactly-once, so a spare task is harmless.
    The conditional UPDATE of resolve_queued_at (compare-and-set on the value read) is the claim, so two
    beats never both re-queue, and it throttles: the first re-queue waits the grace, each later one as
    long as the turn had waited before the last (grace, grace, 2x, 4x...), never more than 20 seconds.
    """
    now = now or timezone.now()
    grace = resolve_grace()
    waiting = Turn.objects.filter(status__in=(Turn.Status.LOCKED, Turn.Status.RESOLVING), result__isnull=True)
    requeued = []
    for turn_id, locked_at, queued_at in waiting.values_list("pk", "locked_at", "resolve_queued_at"):
        backoff = grace
        if queued_at and locked_at:
            backoff = max(grace, min(queued_at - locked_at, RESOLVE_REQUEUE_MAX_INTERVAL))
        last = queued_at or locked_at
        if last is not None and now - last < backoff:
            continue
        if waiting.filter(pk=turn_id, resolve_queued_at=queued_at).update(resolve_queued_at=now):
            log.warning("turn %s: no result since its resolve task of %s; re-queueing", turn_id, last)
            jobs.send(jobs.RESOLVE_TURN, turn_id)
            requeued.append(turn_id)
    return requeued


@transaction.atomic
def turn_resolve_retry(*, exercise, by, turn_number=None):
    """White's "Retry now": send the locked turn to the worker again. Refused unless it awaits its result."""
    turn = current_turn_locked(exercise.pk, turn_number)
    if turn.status not in (Turn.Status.LOCKED, Turn.Status.RESOLVING) or turn.result is not None:
        raise StaleAction(_("Turn %(n)d is %(status)s; only a turn waiting for its result can be retried.")
                          % {"n": turn.number, "status": turn.get_status_display().lower()})
    turn.resolve_queued_at = timezone.now()
    turn.save(update_fields=["resolve_queued_at"])
    log_event(exercise_id=exercise.pk, turn_number=turn.number, kind="resolve_retried", actor=by)
    jobs.send_on_commit(jobs.RESOLVE_TURN, turn.pk)
    return turn


def deadlines_enforce(*, now=None):
    """Beat calls this every few seconds: lock every open turn whose deadline has passed.

    The conditional UPDATE is the claim, so two beats (or a beat and White) never lock twice.
    """
    now = now or timezone.now()
    locked = []
    for turn_id in Turn.objects.filter(status=Turn.Status.OPEN, deadline__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Turn.objects.filter(pk=turn_id, status=Turn.Status.OPEN, deadline__lte=now).update(
                status=Turn.Status.LOCKED, locked_at=now, resolve_queued_at=now)
            if claimed:
                _record_lock(Turn.objects.get(pk=turn_id), "clock")
                locked.append(turn_id)
    turns_requeue(now=now)
    return locked


def turn_resolve(*, turn_id):
    """Run the engine on a locked turn. Idempotent: a second delivery finds the turn claimed."""
    # Show "resolving" at once; the claim that matters is the locked re-check below.
    if Turn.objects.filter(pk=turn_id, status=Turn.Status.LOCKED).update(status=Turn.Status.RESOLVING):
        exercise_id = Turn.objects.values_list("exercise_id", flat=True).get(pk=turn_id)
        with transaction.atomic():
            bump(exercise_id, Doorbell.TURN_RESOLVING)
    with transaction.atomic():
        turn = Turn.objects.select_for_update().select_related("exercise__scenario").get(pk=turn_id)
        if turn.status not in (Turn.Status.LOCKED, Turn.Status.RESOLVING) or turn.result is not None:
            log.info("turn %s already resolved, skipping", turn_id)
            return False
        exercise = turn.exercise
        result = run_engine(turn)
        turn.result = result.to_dict()
        turn.status = Turn.Status.REVIEW
        turn.resolved_at = timezone.now()
        turn.save(update_fields=["result", "status", "resolved_at"])
        record(exercise_id=exercise.pk, turn_number=turn.number, kind="turn_resolved", actor="engine",
               draws=turn.result.get("draws", []), doorbell=Doorbell.TURN_RESOLVED)
        return True


@transaction.atomic
def turn_publish(*, exercise, by, turn_number=None):
    """Release White's reviewed results to the teams and open the next turn."""
    turn = current_turn_locked(exercise.pk, turn_number)
    if turn.status != Turn.Status.REVIEW:
        raise StaleAction(_("Turn %(n)d is %(status)s; only a turn in review can be published.")
                          % {"n": turn.number, "status": turn.get_status_display().lower()})
    exercise = Exercise.objects.select_for_update().select_related("scenario").get(pk=exercise.pk)
    new_state = turn.result["state"]
    edited = turn_inputs(turn)["narratives"]
    if edited:
        turn.result = {**turn.result, "narratives": {**turn.result.get("narratives", {}), **edited}}
    turn.status = Turn.Status.PUBLISHED
    turn.published_at = timezone.now()
    turn.save(update_fields=["status", "published_at", "result"])
    exercise.state = new_state
    ended = new_state.get("ended")  # the engine's end phase decides, the turn limit included
    if ended:
        exercise.status = Exercise.Status.ENDED
        exercise.ended_reason = str(ended)
    else:
        next_turn = Turn(exercise=exercise, number=turn.number + 1, state_before=new_state)
        if crisis_teams(next_turn):  # a crisis sub-turn opens the turn; its clock starts now
            next_turn.crisis_deadline = timezone.now() + timedelta(minutes=exercise.crisis_minutes)
        next_turn.save()
        if next_turn.crisis_deadline:  # bot teams in the crisis choose as it opens
            from .bots import bots_choose_in_crisis
            bots_choose_in_crisis(turn=next_turn)
    exercise.save(update_fields=["state", "status", "ended_reason"])
    record(exercise_id=exercise.pk, turn_number=turn.number, kind="turn_published", actor=by, ended=bool(ended),
           doorbell=Doorbell.TURN_PUBLISHED)
    return turn


@transaction.atomic
def clock_pause(*, exercise, by):
    turn = turn_for_white(exercise, None, {Turn.Status.OPEN})
    if turn.deadline is None:
        raise ServiceError(_("The clock is not running."))
    turn.paused_remaining = max(turn.deadline - timezone.now(), timedelta(0))
    turn.deadline = None
    turn.save(update_fields=["deadline", "paused_remaining"])
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="clock_paused", actor=by,
           doorbell=Doorbell.CLOCK_CHANGED)
    return turn


@transaction.atomic
def clock_resume(*, exercise, by):
    turn = turn_for_white(exercise, None, {Turn.Status.OPEN})
    if turn.paused_remaining is None:
        raise ServiceError(_("The clock is not paused."))
    turn.deadline = timezone.now() + turn.paused_remaining
    turn.paused_remaining = None
    turn.save(update_fields=["deadline", "paused_remaining"])
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="clock_resumed", actor=by,
           doorbell=Doorbell.CLOCK_CHANGED)
    return turn


@transaction.atomic
def clock_extend(*, exercise, by, minutes):
    turn = turn_for_white(exercise, None, {Turn.Status.OPEN})
    if not 0 < minutes <= 120:
        raise ServiceError(_("Extend by 1 to 120 minutes."))
    if turn.deadline is not None:
        turn.deadline += timedelta(minutes=minutes)
    elif turn.paused_remaining is not None:
        turn.paused_remaining += timedelta(minutes=minutes)
    else:
        raise ServiceError(_("Set a clock first."))
    turn.save(update_fields=["deadline", "paused_remaining"])
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="clock_extended", actor=by, minutes=minutes,
           doorbell=Doorbell.CLOCK_CHANGED)
    return turn
