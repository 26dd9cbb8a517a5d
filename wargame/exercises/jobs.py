"""Work for the Celery worker, asked for by task name.

The write layer (services) enqueues here once its transaction commits, and never imports the task layer,
which imports it. Sending is best effort: if the broker is unreachable the committed write stands, a warning
is logged, and beat re-queues the work (services.turns_requeue). No result is awaited: subscribing to the
result store would block for ~20 s when Redis is down, and the broker is retried once only (a pooled
connection that a Redis restart closed), so the caller waits a fraction of a second at worst.
"""

import functools
import logging

from django.db import transaction

from wargame.celery import app

log = logging.getLogger(__name__)

RESOLVE_TURN = "wargame.exercises.tasks.resolve_turn"
SETTLE_CRISIS = "wargame.exercises.tasks.settle_crisis"
RUN_EXPORT = "wargame.exercises.tasks.run_export"
FORECAST_CHUNK = "wargame.exercises.tasks.forecast_chunk"
CALIBRATE_SCENARIO = "wargame.exercises.tasks.calibrate_scenario"
RETRY_ONCE = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def send(name, *args):
    """Queue a task now; None (and a warning) when the broker cannot take it."""
    try:
        return app.send_task(name, args=args, ignore_result=True, retry=True, retry_policy=RETRY_ONCE)
    except Exception as exc:  # kombu.OperationalError, redis errors, OSError: the broker is unreachable
        log.warning("%s%s not queued (%s); beat re-queues it", name, args, exc)
        return None


def send_on_commit(name, *args):
    """Queue a task once the current transaction commits (at once outside one)."""
    transaction.on_commit(functools.partial(send, name, *args), robust=True)
