"""White's forecast on two real Celery workers: its chunks spread over both, and a worker SIGKILLed mid-run
costs nothing but time (beat re-queues the chunk it held; the result is complete and the same as without)."""

import sys
import time
import uuid

import pytest

from wargame.engine import forecast as engine_forecast
from wargame.exercises.models import Forecast
from wargame.exercises.services.forecast import CHUNK_RUNS
from wargame.scenarios import load_scenario

from ..conftest import wait_for
from .test_faults import needs_postgres, procs, seminar, white_browser  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), needs_postgres]


def start_worker(procs, name):
    host = f"{name}-{uuid.uuid4().hex[:6]}"
    procs._start(name, [sys.executable, "-m", "celery", "-A", "wargame", "worker", "--pool", "solo", "--loglevel",
                        "info", "--without-mingle", "--without-gossip", "--queues", procs.env["CELERY_QUEUE"],
                        "--hostname", f"{host}@%h"],
                 ready=lambda p: " ready." in p.log_path.read_text())
    return host


def expected_result(forecast):
    """The forecast computed here, in one piece: what the workers' chunks must add up to."""
    seeds = [engine_forecast.run_seed(forecast.params["seed"], forecast.number, i) for i in range(forecast.runs)]
    summary = engine_forecast.run_chunk(load_scenario("northern-territories"), forecast.params["state"],
                                        forecast.params["orders"], turns=forecast.turns, seeds=seeds,
                                        bots=forecast.params.get("bots"))
    return engine_forecast.merge([summary], dyads=forecast.params["dyads"])


def start_over_http(procs, exercise, facilitator, runs):
    """White presses Start on the console (the uvicorn subprocess queues the chunks on the private Redis)."""
    with white_browser(procs, facilitator) as white:
        r = white.post(f"/f/{exercise.pk}/forecast/", data={"turns": "3", "runs": str(runs),
                                                            "dyads": ["JPN-RUS", "CHN-JPN"]})
    assert r.status_code == 302, r.text[:500]
    return Forecast.objects.get(exercise=exercise, status="running")


def workers_of(forecast):
    return {w.split("@")[0] for w in forecast.chunk_rows.values_list("worker", flat=True)}


def test_the_chunks_spread_over_both_workers_and_add_up_to_the_whole(procs, seminar, facilitator):
    procs.start_redis()
    procs.start_web()
    hosts = {start_worker(procs, "fc1"), start_worker(procs, "fc2")}
    started = time.monotonic()
    f = start_over_http(procs, seminar, facilitator, 2000)
    wait_for(lambda: Forecast.objects.get(pk=f.pk).status == "done", timeout=60, interval=0.1,
             message="the forecast to finish")
    took = time.monotonic() - started
    f.refresh_from_db()
    print(f"\n2,000 runs × 3 turns on two workers: {took:.2f} s; chunks per worker "
          f"{ {h: f.chunk_rows.filter(worker__startswith=h).count() for h in hosts} }")
    chunks = -(-2000 // CHUNK_RUNS)
    assert f.chunks == chunks and f.chunks_done == chunks
    assert list(f.chunk_rows.values_list("index", flat=True)) == list(range(chunks))
    assert workers_of(f) == hosts
    assert f.result == expected_result(f)


def test_a_worker_killed_mid_run_loses_nothing(procs, seminar, facilitator):
    procs.start_redis()
    procs.start_web()
    start_worker(procs, "fc1")
    survivor = start_worker(procs, "fc2")
    procs.start_beat()  # its tick re-queues the chunks of a forecast that stopped moving
    f = start_over_http(procs, seminar, facilitator, 4000)
    wait_for(lambda: len(workers_of(Forecast.objects.get(pk=f.pk))) == 2, timeout=30, interval=0.02,
             message="both workers to have stored a chunk")
    procs.kill("fc1")  # SIGKILL: the chunk it held stays unacknowledged in Redis
    killed_at = Forecast.objects.get(pk=f.pk).chunks_done
    assert killed_at < f.chunks
    wait_for(lambda: Forecast.objects.get(pk=f.pk).status == "done", timeout=90, interval=0.1,
             message="the forecast to finish on the surviving worker")
    f.refresh_from_db()
    print(f"\nfc1 killed after {killed_at} of {f.chunks} chunks; requeued at {f.params.get('requeued_at')}")
    assert f.chunks_done == f.chunks == -(-4000 // CHUNK_RUNS) == f.chunk_rows.count()
    assert survivor in workers_of(f)
    assert f.result == expected_result(f)
