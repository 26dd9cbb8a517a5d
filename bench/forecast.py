"""Forecast benchmark: 2,000 runs of a 3-turn forecast on one Celery worker, then on two, against the bare engine.

Printed: the bare engine's single-process rate (resolve_turn in a loop, the same runs, orders and seeds), the
forecast chunk code in this process (the engine plus its summaries), and the whole forecast through Celery
(queued by forecast_start, chunks on `celery worker --pool solo` processes, merged by the last chunk) with one
worker and with two: turns per second and each as a ratio to the bare engine. Goals: the forecast's overhead
over the bare engine under 25% (one worker at ≥ 0.8× the engine), and two workers ≥ 1.6× one.

    .venv/bin/python bench/forecast.py [--runs 2000] [--turns 3] [--repeat 3]

Needs PostgreSQL at FORECAST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/wargame_forecast_bench;
dropped and created again at every run) and `redis-server` on the PATH (a private one on a free port).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REDIS_PORT = free_port()
os.environ["DATABASE_URL"] = os.environ.get("FORECAST_DATABASE_URL",
                                            "postgres://postgres@127.0.0.1:5432/wargame_forecast_bench")
os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ["CELERY_QUEUE"] = f"forecast-bench-{uuid.uuid4().hex[:8]}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wargame.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def reset_database():
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def wait_for(condition, timeout, what):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.01)


def start_workers(n, logdir):
    procs = []
    for i in range(n):
        log = open(logdir / f"worker-{i}.log", "w")
        p = subprocess.Popen([sys.executable, "-m", "celery", "-A", "wargame", "worker", "--pool", "solo",
                              "--loglevel", "info", "--without-mingle", "--without-gossip", "--queues",
                              os.environ["CELERY_QUEUE"], "--hostname", f"bench{i}-{uuid.uuid4().hex[:4]}@%h"],
                             cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        p.log_path = logdir / f"worker-{i}.log"
        procs.append(p)
    wait_for(lambda: all(" ready." in p.log_path.read_text() for p in procs), 60, "the workers")
    return procs


def stop(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=15)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--turns", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3, help="forecasts per worker count (the best is kept)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="forecast-bench-"))
    redis = subprocess.Popen(["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no",
                              "--bind", "127.0.0.1", "--dir", str(tmp)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        measure(args, tmp)
    finally:
        redis.terminate()
        redis.wait()


def measure(args, tmp):
    reset_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from wargame.engine import forecast as engine_forecast
    from wargame.engine.resolve import resolve_turn
    from wargame.engine.state import GameState
    from wargame.exercises import live, services
    from wargame.exercises.models import Forecast
    from wargame.exercises.services.forecast import CHUNK_RUNS
    from wargame.scenarios import load_scenario

    import redis as redis_lib

    redis_client = redis_lib.Redis.from_url(os.environ["REDIS_URL"])
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("white", password="x")
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Bench", facilitator=user, seed=3)
    for name, code, action in (("A", "JPN", "M2"), ("B", "RUS", "M4"), ("C", "CHN", "M7")):
        p = services.player_choose_team(player=services.player_join(exercise=exercise, display_name=name,
                                                                    session_key=f"s{name}"), team_code=code)
        services.order_save(player=p, turn_number=1, slot=1, action=action)
    spec = load_scenario("northern-territories")
    orders = {"JPN": ["M2"], "RUS": ["M4"], "CHN": ["M7"]}
    state = exercise.state
    turns_total = args.runs * args.turns
    seeds = [engine_forecast.run_seed(exercise.seed, 1, i) for i in range(args.runs)]

    def bare():
        st0 = GameState.from_dict(state)
        order_list = engine_forecast.read_orders(orders)
        t = time.perf_counter()
        for seed in seeds:
            st = st0
            for _ in range(args.turns):
                if st.ended:
                    break
                st = resolve_turn(spec, st, order_list, seed=seed).state
        return time.perf_counter() - t

    def chunked():
        t = time.perf_counter()
        engine_forecast.merge([engine_forecast.run_chunk(spec, state, orders, turns=args.turns,
                                                         seeds=seeds[i:i + CHUNK_RUNS])
                              for i in range(0, args.runs, CHUNK_RUNS)])
        return time.perf_counter() - t

    engine_s = min(bare() for _ in range(args.repeat))
    chunk_s = min(chunked() for _ in range(args.repeat))
    rate = turns_total / engine_s
    print(f"{args.runs:,} runs × {args.turns} turns = {turns_total:,} turns")
    print(f"{'bare engine, one process':<34} {engine_s:7.2f} s {rate:9.0f} turns/s   1.00×")
    print(f"{'forecast chunks, one process':<34} {chunk_s:7.2f} s {turns_total / chunk_s:9.0f} turns/s "
          f"  {engine_s / chunk_s:.2f}×")
    results = {}
    for n in (1, 2):
        workers = start_workers(n, tmp)
        try:
            best = None
            for _ in range(args.repeat):
                bell = redis_client.pubsub(ignore_subscribe_messages=True)
                bell.subscribe(live.channel_name(exercise.pk))
                t = time.perf_counter()
                f = services.forecast_start(exercise=exercise, by="bench", turns=args.turns, runs=args.runs)
                # Woken by the forecast's own doorbell rather than polling the database, so that the bench
                # does not take CPU from the workers on a small machine.
                while not Forecast.objects.filter(pk=f.pk, status="done").exists():
                    if time.perf_counter() - t > 300:
                        raise SystemExit("timed out waiting for the forecast")
                    bell.get_message(timeout=1.0)
                took = time.perf_counter() - t
                bell.close()
                best = took if best is None else min(best, took)
                f.refresh_from_db()
                hosts = {w.split("@")[0] for w in f.chunk_rows.values_list("worker", flat=True)}
                assert len(hosts) == n, hosts
            results[n] = best
            print(f"{f'forecast through Celery, {n} worker' + ('s' if n > 1 else ''):<34} {best:7.2f} s "
                  f"{turns_total / best:9.0f} turns/s   {engine_s / best:.2f}×")
        finally:
            stop(workers)
    overhead = results[1] / engine_s - 1
    print(f"overhead of one worker over the bare engine: {overhead * 100:.0f}% (goal < 25%)")
    print(f"two workers / one worker: {results[1] / results[2]:.2f}× (goal ≥ 1.6×)")


if __name__ == "__main__":
    main()
