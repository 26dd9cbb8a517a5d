"""Live refresh benchmark: N SSE clients on one exercise, one published turn.

Prints p50/p95 of
  (a0) the doorbell alone: Redis publish -> event received by each client,
  (a) publish (White's publish service, commit included) -> doorbell event received by each client,
  (b) publish -> each client's results panel re-fetched through its permission-checked view,
  (c) a trivial Django view under the same concurrency (the floor),
and the ratios (a)/(c) and (b)/(c), all from one run on real uvicorn, Celery and Redis.

    .venv/bin/python bench/live.py --clients 50
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wargame.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("LIVE_CHANNEL_PREFIX", f"wargame-bench-{os.getpid()}")
os.environ.setdefault("CELERY_QUEUE", f"wargame-bench-{os.getpid()}")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django():
    import django

    (ROOT / "var").mkdir(exist_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_exercise(n_clients):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from wargame.exercises import services

    user, _ = get_user_model().objects.get_or_create(username="bench-white")
    exercise = services.exercise_create(scenario_slug="northern-territories", name="bench", facilitator=user, seed=5)
    exercise.teams.update(max_players=n_clients)  # a bench packs more players per team than a seminar
    codes = list(exercise.teams.values_list("code", flat=True))
    cookies = []
    for i in range(n_clients):
        store = SessionStore()
        store.create()
        player = services.player_join(exercise=exercise, display_name=f"p{i}", session_key=store.session_key)
        services.player_choose_team(player=player, team_code=codes[i % len(codes)])
        store["players"] = {str(exercise.pk): player.pk}
        store.save()
        cookies.append(({settings.SESSION_COOKIE_NAME: store.session_key}, codes[i % len(codes)]))
    return exercise, cookies


async def sse_client(url, cookies, team, code, ready, results, publish_at):
    import httpx

    async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=httpx.Timeout(10, read=60)) as client:
        async with client.stream("GET", f"/x/{code}/events/") as stream:
            event = None
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                    if event == "hello":
                        ready.release()
                elif line.startswith("data:") and event == "turn_published":
                    received = time.perf_counter()
                    push = time.time() - json.loads(line[5:])["sent"]  # Redis publish -> this client
                    panel = await client.get(f"/x/{code}/t/{team}/",
                                             headers={"HX-Request": "true", "HX-Target": "last-result"})
                    assert panel.status_code == 200 and 'data-testid="narrative"' in panel.text, panel.text[:300]
                    refreshed = time.perf_counter()
                    results.append((received - publish_at[0], refreshed - publish_at[0], push))
                    return


async def floor(url, n, rounds=5):
    import httpx

    latencies = []
    async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=n)) as client:
        async def one():
            t = time.perf_counter()
            r = await client.get("/ping")
            assert r.status_code == 200
            latencies.append(time.perf_counter() - t)

        for _ in range(rounds):
            await asyncio.gather(*(one() for _ in range(n)))
    return latencies


async def run(url, exercise, cookies):
    from asgiref.sync import sync_to_async

    from wargame.exercises import services
    from wargame.exercises.models import Turn

    ready = asyncio.Semaphore(0)
    results, publish_at = [], [0.0]
    tasks = [asyncio.create_task(sse_client(url, c, team, exercise.join_code, ready, results, publish_at))
             for c, team in cookies]
    for _ in cookies:
        await asyncio.wait_for(ready.acquire(), 30)
    await sync_to_async(services.turn_lock)(exercise=exercise, by="bench")
    for _ in range(300):
        status = await sync_to_async(lambda: Turn.objects.get(exercise=exercise, number=1).status)()
        if status == Turn.Status.REVIEW:
            break
        await asyncio.sleep(0.05)
    publish_at[0] = time.perf_counter()
    await sync_to_async(services.turn_publish)(exercise=exercise, by="bench")
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    floor_latencies = await floor(url, len(cookies))
    return results, floor_latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (production runs 3)")
    args = parser.parse_args()
    db = ROOT / "var" / "bench.sqlite3"
    if os.environ["DATABASE_URL"].startswith("sqlite") and db.exists():
        db.unlink()
    setup_django()
    exercise, cookies = make_exercise(args.clients)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    procs = [
        subprocess.Popen([sys.executable, "-m", "uvicorn", "wargame.asgi:application", "--port", str(port),
                          "--workers", str(args.workers), "--log-level", "warning",
                          "--timeout-graceful-shutdown", "2"], cwd=ROOT, env=env),
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "wargame", "worker", "--pool", "solo",
                          "--loglevel", "warning", "--queues", env["CELERY_QUEUE"], "--without-mingle",
                          "--without-gossip", "--hostname", f"bench-{os.getpid()}@%h"], cwd=ROOT, env=env),
    ]
    try:
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        results, floor_latencies = asyncio.run(run(url, exercise, cookies))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
    push_ms = [c * 1000 for _, _, c in results]
    event_ms = [a * 1000 for a, _, _ in results]
    panel_ms = [b * 1000 for _, b, _ in results]
    floor_ms = [f * 1000 for f in floor_latencies]
    f50, f95 = statistics.median(floor_ms), pct(floor_ms, 95)
    print(f"Live refresh, {len(results)} SSE clients on one exercise "
          f"(uvicorn, {args.workers} worker(s); Celery; Redis; {os.environ['DATABASE_URL'].split(':')[0]})")
    print(f"{'figure':<42}{'p50 ms':>10}{'p95 ms':>10}{'p95 / floor p95':>18}")
    for name, vals in (("(a0) doorbell: Redis publish -> client", push_ms),
                       ("(a) publish -> event received", event_ms),
                       ("(b) publish -> panel re-fetched", panel_ms),
                       ("(c) trivial view, same concurrency", floor_ms)):
        print(f"{name:<42}{statistics.median(vals):>10.1f}{pct(vals, 95):>10.1f}{pct(vals, 95) / f95:>18.2f}")
    print(f"floor p50 {f50:.1f} ms")


if __name__ == "__main__":
    main()
