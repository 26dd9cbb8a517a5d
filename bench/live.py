"""Live refresh benchmark: N open dashboards on one exercise, one published turn.

For each room size (default 30 and 200 clients), on make run's server (wargame.server.web_command),
a real Celery worker and Redis, prints p50/p95 of
  (a0) the doorbell alone: Redis publish -> event received by each client (public stream),
  (a) publish (White's publish service, commit included) -> doorbell event received by each client,
  (p) publish -> each dashboard fully updated, as the page does it now: its team's stream pushes every
      panel the publish changed (`panels`), received whole and checked, no request at all,
  (b) the same done with one request for every changed panel (`panels/?event=turn_published`), answered
      and checked, as the page did before the team stream, for comparison,
  (b10) the same done the oldest way, one request per panel (10 at once), for comparison,
  (c) a trivial Django view, all clients at once (the floor),
and each p95 as a ratio to the floor's p95, all from one run.

    .venv/bin/python bench/live.py                  # 30 and 200 clients
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
from wargame.server import web_command  # noqa: E402
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


PUBLISH_PANELS = ["turn-status", "team-objectives", "turn-injects", "team-map", "team-state", "last-result",
                  "orders-summary", "proposals", "order-forms", "argued-panel"]


async def refresh_once(client, code, team):
    """What the dashboard does on the publish doorbell now: one request, every changed panel."""
    r = await client.get(f"/x/{code}/t/{team}/panels/", params={"event": "turn_published"})
    assert r.status_code == 200 and 'data-testid="narrative"' in r.text, r.text[:300]
    missing = [p for p in PUBLISH_PANELS if f'id="{p}"' not in r.text]
    assert not missing, f"panels missing from the refresh: {missing}"


async def refresh_per_panel(client, code, team):
    """The old way, for comparison: each of the ten panels fetched itself."""
    answers = await asyncio.gather(*(client.get(f"/x/{code}/t/{team}/", headers={"HX-Request": "true",
                                                                                  "HX-Target": p})
                                     for p in PUBLISH_PANELS))
    assert all(a.status_code == 200 for a in answers)


async def sse_client(url, cookies, team, code, ready, results, publish_at, refresh):
    """One open dashboard. ``refresh`` None: it listens on its team's stream and is updated when the pushed
    panels arrive; otherwise on the public stream, and ``refresh`` asks for the panels on the doorbell."""
    import httpx

    path = f"/x/{code}/t/{team}/events/" if refresh is None else f"/x/{code}/events/"
    async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=httpx.Timeout(30, read=90)) as client:
        async with client.stream("GET", path) as stream:
            assert stream.status_code == 200, f"{path}: {stream.status_code}"
            event, data = None, []
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    event, data = line.split(":", 1)[1].strip(), []
                    if event == "hello":
                        ready.release()
                elif line.startswith("data:"):
                    data.append(line[6:])
                elif line == "" and event == "panels" and refresh is None and 'data-testid="narrative"' in "".join(data):
                    updated = time.perf_counter()
                    html = "\n".join(data)
                    missing = [p for p in PUBLISH_PANELS if f'id="{p}"' not in html]
                    assert not missing, f"panels missing from the push: {missing}"
                    results.append((updated - publish_at[0], updated - publish_at[0], None))
                    return
                elif line == "" and event == "turn_published" and refresh is not None:
                    received = time.perf_counter()
                    push = time.time() - json.loads(data[0])["sent"]  # Redis publish -> this client
                    await refresh(client, code, team)
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


async def run(url, exercise, cookies, refresh):
    from asgiref.sync import sync_to_async

    from wargame.exercises import services
    from wargame.exercises.models import Turn

    ready = asyncio.Semaphore(0)
    results, publish_at = [], [0.0]
    tasks = [asyncio.create_task(sse_client(url, c, team, exercise.join_code, ready, results, publish_at, refresh))
             for c, team in cookies]
    for _ in cookies:
        await asyncio.wait_for(ready.acquire(), 30)
    await sync_to_async(services.turn_lock)(exercise=exercise, by="bench")
    for _ in range(300):
        status = await sync_to_async(lambda: Turn.objects.get(exercise=exercise, number=1).status)()
        if status == Turn.Status.REVIEW:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(2)  # let the lock's own doorbells (and, on team streams, their pushes) drain first
    publish_at[0] = time.perf_counter()
    await sync_to_async(services.turn_publish)(exercise=exercise, by="bench")
    await asyncio.wait_for(asyncio.gather(*tasks), 120)
    return results


def wait_healthy(url, procs):
    import httpx

    for _ in range(300):
        assert all(p.poll() is None for p in procs), "a server process exited; see its output above"
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not become healthy in 30 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, action="append", help="open dashboards (repeatable; default 30 and 200)")
    parser.add_argument("--workers", type=int, default=2, help="web processes (make run starts one per core)")
    args = parser.parse_args()
    sizes = args.clients or [30, 200]
    db = ROOT / "var" / "bench.sqlite3"
    if os.environ["DATABASE_URL"].startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    setup_django()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DEBUG="false")
    procs = [
        subprocess.Popen(web_command(host="127.0.0.1", port=port, workers=args.workers), cwd=ROOT, env=env),
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "wargame", "worker", "--pool", "solo",
                          "--loglevel", "warning", "--queues", env["CELERY_QUEUE"], "--without-mingle",
                          "--without-gossip", "--hostname", f"bench-{os.getpid()}@%h"], cwd=ROOT, env=env),
    ]
    rows = []
    try:
        wait_healthy(url, procs)
        for n in sizes:
            figures = {}
            for name, refresh in (("p", None), ("b", refresh_once), ("b10", refresh_per_panel)):
                exercise, cookies = make_exercise(n)
                figures[name] = asyncio.run(run(url, exercise, cookies, refresh))
            figures["c"] = asyncio.run(floor(url, n))
            rows.append((n, figures))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
    engine = os.environ["DATABASE_URL"].split(":")[0]
    print(f"\nLive refresh: publish -> open dashboards updated. make run's server ({args.workers} web processes), "
          f"one Celery worker, Redis, {engine}; {os.cpu_count()} CPUs, clients on the same machine; "
          f"{time.strftime('%Y-%m-%d')}")
    print(f"{'clients':>8}  {'figure':<52}{'p50 ms':>9}{'p95 ms':>9}{'p95 ÷ floor p95':>17}")
    for n, figures in rows:
        ms = lambda values: [v * 1000 for v in values]  # noqa: E731
        floor_ms = ms(figures["c"])
        f95 = pct(floor_ms, 95)
        lines = (("(a0) doorbell: Redis publish -> client", ms([c for _, _, c in figures["b"]])),
                 ("(a) publish -> event received", ms([a for a, _, _ in figures["b"]])),
                 ("(p) publish -> dashboard updated (pushed, 0 requests)", ms([b for _, b, _ in figures["p"]])),
                 ("(b) publish -> dashboard updated, 1 request (before)", ms([b for _, b, _ in figures["b"]])),
                 ("(b10) publish -> dashboard updated, 10 requests (old)", ms([b for _, b, _ in figures["b10"]])),
                 ("(c) trivial view, all clients at once (floor)", floor_ms))
        for name, vals in lines:
            print(f"{n:>8}  {name:<52}{statistics.median(vals):>9.1f}{pct(vals, 95):>9.1f}{pct(vals, 95) / f95:>17.2f}")
    print("\nTargets (issue 10): (p) p95 <= 100 ms at 30 clients and <= 500 ms at 200.")


if __name__ == "__main__":
    main()
