"""Thin tasks: ids in, one service call, exceptions propagate (Celery records them)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def resolve_turn(turn_id):
    return services.turn_resolve(turn_id=turn_id)


@shared_task
def enforce_deadlines():
    return services.deadlines_enforce()
