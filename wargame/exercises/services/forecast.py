"""White's forecast: the next 1–4 turns run many times from the proposed (in review) or published state, each
team's current orders repeated (a bot's team orders by its policy), fanned out over the workers in chunks (one task each, by name).

A forecast never changes the exercise: it writes only its own row, logs nothing to the exercise's event log
and bumps no version. Its doorbell (forecast_changed) carries the exercise's current version and no team in
its audience, so only White's console reacts to it. Chunks are idempotent (a redelivered or re-queued chunk
whose summary is already in finds it there and does nothing); the last one in merges the result. Beat
re-queues the chunks of a forecast that made no progress for the resolve grace (a worker died holding one).
"""

import logging
import time
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wargame.engine import forecast as engine_forecast
from wargame.scenarios import load_scenario

from .. import jobs, live
from ..doorbells import Doorbell
from ..models import Exercise, Forecast, ForecastChunk, Order, Team, Turn
from .common import ServiceError
from .turns import resolve_grace

log = logging.getLogger(__name__)

CHUNK_RUNS = 200
RUNS_MIN, RUNS_MAX = 100, 20_000
DEFAULT_DYADS = ("JPN-RUS", "CHN-JPN")


def forecast_defaults():
    return {"turns": 3, "runs": 2000, "dyads": list(DEFAULT_DYADS)}


def _ring(exercise_id):
    """The console's doorbell: the current version (nothing changed in the exercise), for no team."""
    version = Exercise.objects.values_list("version", flat=True).get(pk=exercise_id)
    live.publish_on_commit(exercise_id=exercise_id, kind=Doorbell.FORECAST_CHANGED, version=version, audience=())


def _bots(exercise):
    """{team: policy} of the teams a bot plays: they order by their policy in every run."""
    return dict(Team.objects.filter(exercise=exercise).exclude(bot_policy="").values_list("code", "bot_policy"))


def _orders(turn, bots):
    """{team: ["KEY", "KEY:TARGET"]}: each team's catalogue orders of the turn, in slot order (not the bots')."""
    out = {}
    rows = Order.objects.filter(turn=turn).exclude(action="").exclude(team__code__in=list(bots)) \
        .select_related("team").order_by("team__code", "slot")
    for o in rows:
        out.setdefault(o.team.code, []).append(f"{o.action}:{o.target}" if o.target else o.action)
    return out


def _start_state(exercise, turn):
    """The state the forecast starts from: the proposed result in review, else the last published state."""
    if turn.status in (Turn.Status.REVIEW, Turn.Status.PUBLISHED) and turn.result:
        return turn.result["state"], turn.status == Turn.Status.REVIEW
    return (exercise.state or turn.state_before), False


def chunk_range(forecast, index):
    size = forecast.params.get("chunk_runs", CHUNK_RUNS)
    return range(index * size, min(forecast.runs, (index + 1) * size))


@transaction.atomic
def forecast_start(*, exercise, by, turns=3, runs=2000, dyads=DEFAULT_DYADS):
    """Start a forecast; its chunks are queued once this commits. Refused while another one runs."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    try:
        turns, runs = int(turns), int(runs)
    except (TypeError, ValueError):
        raise ServiceError(_("Give the number of turns (1–4) and of runs as whole numbers.")) from None
    if not 1 <= turns <= engine_forecast.MAX_TURNS:
        raise ServiceError(_("A forecast looks 1 to 4 turns ahead."))
    if not RUNS_MIN <= runs <= RUNS_MAX:
        raise ServiceError(_("A forecast makes %(lo)d to %(hi)d runs.") % {"lo": RUNS_MIN, "hi": RUNS_MAX})
    turn = exercise.turns.order_by("-number").first()
    if turn is None:
        raise ServiceError(_("There is no turn to forecast from yet."))
    state, proposed = _start_state(exercise, turn)
    if not state or state.get("ended"):
        raise ServiceError(_("The game has ended: there is nothing to forecast."))
    dyads = [d for d in dict.fromkeys(dyads or ()) if d in state.get("dyads", {})]
    if not dyads:
        raise ServiceError(_("Choose at least one dyad to chart."))
    if exercise.forecasts.filter(status=Forecast.Status.RUNNING).exists():
        raise ServiceError(_("A forecast is running: wait for it or cancel it first."))
    number = (exercise.forecasts.aggregate(n=Max("number"))["n"] or 0) + 1
    chunks = -(-runs // CHUNK_RUNS)
    bots = _bots(exercise)
    forecast = Forecast.objects.create(
        exercise=exercise, number=number, from_turn=turn.number, turns=turns, runs=runs, chunks=chunks,
        params={"state": state, "proposed": proposed, "orders": _orders(turn, bots), "bots": bots,
                "dyads": dyads,
                "chunk_runs": CHUNK_RUNS, "seed": exercise.seed},
        created_by=str(by)[:150])
    for index in range(chunks):
        jobs.send_on_commit(jobs.FORECAST_CHUNK, forecast.pk, index)
    _ring(exercise.pk)
    return forecast


def forecast_chunk_run(*, forecast_id, index, worker=""):
    """Run one chunk and store its summary as a row. Idempotent: a chunk already in (or a cancelled forecast) is
    skipped; the store re-checks under the forecast's row lock, so a redelivered chunk never counts twice. The
    last chunk in merges the rows."""
    index = int(index)
    forecast = Forecast.objects.select_related("exercise__scenario").filter(pk=forecast_id).first()
    if forecast is None or forecast.status != Forecast.Status.RUNNING or \
            ForecastChunk.objects.filter(forecast_id=forecast_id, index=index).exists():
        log.info("forecast %s chunk %s: nothing to do", forecast_id, index)
        return False
    params = forecast.params
    runs = chunk_range(forecast, index)
    seeds = [engine_forecast.run_seed(params.get("seed", forecast.exercise.seed), forecast.number, i) for i in runs]
    started = time.perf_counter()
    summary = engine_forecast.run_chunk(load_scenario(forecast.exercise.scenario.slug), params["state"],
                                        params["orders"], turns=forecast.turns, seeds=seeds,
                                        bots=params.get("bots"))
    engine_s = time.perf_counter() - started
    with transaction.atomic():
        forecast = Forecast.objects.select_for_update().only("status", "chunks", "chunks_done", "exercise_id") \
            .get(pk=forecast_id)
        if forecast.status != Forecast.Status.RUNNING or \
                ForecastChunk.objects.filter(forecast_id=forecast_id, index=index).exists():
            return False
        ForecastChunk.objects.create(forecast_id=forecast_id, index=index, summary=summary, worker=worker[:200],
                                     finished=timezone.now())
        forecast.chunks_done += 1
        fields = ["chunks_done"]
        if forecast.chunks_done >= forecast.chunks:
            summaries = ForecastChunk.objects.filter(forecast_id=forecast_id).values_list("summary", flat=True)
            try:
                forecast.result = engine_forecast.merge(summaries, dyads=params.get("dyads"))
                forecast.status = Forecast.Status.DONE
            except Exception as exc:  # a bug, not a person's mistake: stored, then raised for the worker's log
                Forecast.objects.filter(pk=forecast_id).update(status=Forecast.Status.FAILED, error=str(exc)[:500],
                                                               finished=timezone.now())
                raise
            forecast.finished = timezone.now()
            fields += ["result", "status", "finished"]
        forecast.save(update_fields=fields)
        _ring(forecast.exercise_id)
    log.info("forecast %s chunk %s: %d runs, engine %.3f s, stored in %.3f s", forecast_id, index, len(seeds),
             engine_s, time.perf_counter() - started - engine_s)
    return True


@transaction.atomic
def forecast_cancel(*, exercise, by, forecast_id):
    """Stop a running forecast: chunks still queued find it cancelled and do nothing."""
    forecast = Forecast.objects.select_for_update().filter(pk=forecast_id, exercise=exercise).first()
    if forecast is None:
        raise ServiceError(_("No such forecast."))
    if forecast.status != Forecast.Status.RUNNING:
        raise ServiceError(_("This forecast is no longer running."))
    forecast.status = Forecast.Status.CANCELLED
    forecast.finished = timezone.now()
    forecast.error = (_("Cancelled by %(who)s") % {"who": by})[:500]
    forecast.save(update_fields=["status", "finished", "error"])
    _ring(exercise.pk)
    return forecast


def forecasts_requeue(*, now=None):
    """Beat calls this on its tick: re-queue the missing chunks of every running forecast that made no progress
    for the resolve grace (a worker died holding a chunk, or the broker lost the message). Chunks are
    idempotent, so a spare one costs a little work and changes nothing."""
    now = now or timezone.now()
    grace = resolve_grace()
    requeued = []
    for pk in Forecast.objects.filter(status=Forecast.Status.RUNNING).values_list("pk", flat=True):
        with transaction.atomic():
            f = Forecast.objects.select_for_update().filter(pk=pk, status=Forecast.Status.RUNNING).first()
            if f is None:
                continue
            done = dict(f.chunk_rows.values_list("index", "finished"))
            marks = [f.created, *done.values()]
            if f.params.get("requeued_at"):
                marks.append(datetime.fromisoformat(f.params["requeued_at"]))
            if now - max(marks) < grace:
                continue
            missing = [i for i in range(f.chunks) if i not in done]
            f.params["requeued_at"] = now.isoformat()
            f.save(update_fields=["params"])
            log.warning("forecast %s: no progress since %s; re-queueing chunks %s", pk, max(marks), missing)
            for index in missing:
                jobs.send_on_commit(jobs.FORECAST_CHUNK, pk, index)
            requeued.append(pk)
    return requeued
