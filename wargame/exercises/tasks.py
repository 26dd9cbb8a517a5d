"""Thin tasks: ids in, one service call, exceptions propagate (Celery records them)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def resolve_turn(turn_id):
    return services.turn_resolve(turn_id=turn_id)


# Beat sends this every few seconds and nobody reads its result. Storing none also keeps beat off the
# result store, whose subscribe retries for ~20 s and then gives up for good while Redis is down.
@shared_task(ignore_result=True)
def enforce_deadlines():
    return services.deadlines_enforce()
