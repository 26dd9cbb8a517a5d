"""Thin tasks: ids in, one service call, exceptions propagate (Celery records them)."""

import functools
import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import transaction

from . import services

log = logging.getLogger(__name__)


class BestEffortSend(DjangoTask):
    """`delay_on_commit` that never turns the committed write into an error.

    The task is sent after commit; if the broker is unreachable the write stands, a warning is logged, and
    beat re-queues the work (services.turns_requeue). No result is awaited: subscribing to the result store
    would block for ~20 s when Redis is down, and the broker is retried once only (a pooled connection that a
    Redis restart closed), so the caller waits a fraction of a second at worst.
    """

    def delay_on_commit(self, *args, **kwargs):
        transaction.on_commit(functools.partial(self.send_best_effort, *args, **kwargs), robust=True)

    def send_best_effort(self, *args, **kwargs):
        try:
            return self.apply_async(args, kwargs, ignore_result=True, retry_policy={
                "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2})
        except Exception as exc:  # kombu.OperationalError, redis errors, OSError: the broker is unreachable
            log.warning("%s%s not queued (%s); beat re-queues it", self.name, args, exc)
            return None


@shared_task(base=BestEffortSend, acks_late=True, reject_on_worker_lost=True)
def resolve_turn(turn_id):
    return services.turn_resolve(turn_id=turn_id)


# Beat sends this every few seconds and nobody reads its result. Storing none also keeps beat off the
# result store, whose subscribe retries for ~20 s and then gives up for good while Redis is down.
@shared_task(ignore_result=True)
def enforce_deadlines():
    return services.deadlines_enforce()
