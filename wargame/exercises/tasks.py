"""Thin tasks: ids in, one service call, exceptions propagate (Celery records them).
Services never call these directly: they enqueue by name through jobs.py."""

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from . import jobs, services


class BestEffortSend(DjangoTask):
    """A task sent the way jobs.send sends it: never an error, whatever the broker's state."""

    def delay_on_commit(self, *args):
        jobs.send_on_commit(self.name, *args)

    def send_best_effort(self, *args):
        return jobs.send(self.name, *args)


@shared_task(base=BestEffortSend, acks_late=True, reject_on_worker_lost=True)
def resolve_turn(turn_id):
    return services.turn_resolve(turn_id=turn_id)


# Beat sends this every few seconds and nobody reads its result. Storing none also keeps beat off the
# result store, whose subscribe retries for ~20 s and then gives up for good while Redis is down.
@shared_task(ignore_result=True)
def enforce_deadlines():
    """The turn clocks and the crisis clocks, on beat's one tick."""
    return services.deadlines_enforce(), services.crises_enforce(), services.forecasts_requeue()


@shared_task(base=BestEffortSend, acks_late=True, reject_on_worker_lost=True)
def settle_crisis(turn_id):
    return services.crisis_settle(turn_id=turn_id)


@shared_task(base=BestEffortSend, acks_late=True, reject_on_worker_lost=True)
def run_export(job_id):
    return services.export_run(job_id=job_id)


@shared_task(base=BestEffortSend, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def forecast_chunk(self, forecast_id, index):
    return services.forecast_chunk_run(forecast_id=forecast_id, index=index, worker=self.request.hostname or "")


@shared_task(base=BestEffortSend, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def calibrate_scenario(scenario_id):
    return services.scenario_calibrate(scenario_id=scenario_id)
