"""Request cost benchmark: requests per second and p50/p95 latency at a fixed concurrency.

For each server arrangement, started here as a subprocess on a free port with DEBUG off, on one database:
  - make run's server (wargame.server.web_command: gunicorn managing 2 uvicorn processes, pages on
    Django's WSGI handler in a thread pool, SSE async; see wargame/asgi.py);
  - gunicorn with 2 sync workers (`gunicorn wargame.wsgi:application -w 2`), the WSGI baseline;
it loads, one after another,
  (1) /ping, the trivial view (the floor each other figure is divided by),
  (2) a cached shared team panel (the dashboard URL with HX-Request / HX-Target: team-state) as a seated
      Japan player,
  (3) the one request an open dashboard sends when White publishes (every changed panel, out of band),
  (4) the whole dashboard page as that player,
  (5) the plenary (projector) view,
and prints req/s, p50, p95, each ratio to the trivial view of the same server, and make run's server / gunicorn-sync.

The load comes from wrk (C, one thread here, so it takes as little of the 2 cores as it can):
Debian/Ubuntu `apt-get install wrk`, macOS `brew install wrk`. It runs on the same machine as the
server, so both share the CPUs; the ratios are steadier than the absolute figures.

    .venv/bin/python bench/requests.py                       # 20 connections, 10 s per figure
    .venv/bin/python bench/requests.py --connections 50 --duration 5 --only production

Uses Redis at REDIS_URL (default redis://127.0.0.1:6379/9, keys under a per-run prefix) and
DATABASE_URL (default a fresh SQLite file var/bench-requests.sqlite3; PostgreSQL works too).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# This file is named like the `requests` library: keep bench/ off the path so no import finds it by mistake.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wargame.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-requests.sqlite3'}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("LIVE_CHANNEL_PREFIX", f"wargame-bench-req-{os.getpid()}")
os.environ["DEBUG"] = "false"  # as in the room

from wargame.server import web_command  # noqa: E402

# wrk's summary as one JSON line; latencies in microseconds.
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""

SERVERS = {
    "production": lambda port: web_command(host="127.0.0.1", port=port, workers=2, bin_dir=BIN),
    "gunicorn-sync": lambda port: [str(BIN / "gunicorn"), "wargame.wsgi:application", "-w", "2",
                                   "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
}
LABELS = {"production": "make run's server (2 processes)", "gunicorn-sync": "gunicorn, 2 sync workers"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_secret_key():
    if not os.environ.get("SECRET_KEY", "").strip():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "secret_key.py")], check=True)


def setup():
    """A fresh exercise with one Japan player seated; return the URLs and the session cookie."""
    import django

    (ROOT / "var").mkdir(exist_ok=True)
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from wargame.exercises import services

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-white")
    exercise = services.exercise_create(scenario_slug="northern-territories", name="bench requests",
                                        facilitator=user, seed=5)
    team = next(c for c in exercise.teams.values_list("code", flat=True) if c.upper() == "JPN")
    store = SessionStore()
    store.create()
    player = services.player_join(exercise=exercise, display_name="bench-japan", session_key=store.session_key)
    services.player_choose_team(player=player, team_code=team)
    store["players"] = {str(exercise.pk): player.pk}
    store.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    code = exercise.join_code
    dashboard = f"/x/{code}/t/{team}/"
    return cookie, [
        ("trivial view /ping", "/ping", {}, "ok"),
        ("cached team panel (team-state)", dashboard, {"HX-Request": "true", "HX-Target": "team-state"}, None),
        ("refresh on a publish (one request)", f"{dashboard}panels/?event=turn_published", {}, "hx-swap-oob"),
        ("whole dashboard page", dashboard, {}, "<html"),
        ("plenary view", f"/x/{code}/plenary/", {}, "<html"),
    ]


def wait_ready(url, proc):
    import httpx

    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}: {' '.join(proc.args)}")
        try:
            if httpx.get(f"{url}/ping", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"server did not answer /ping in 30 s: {' '.join(proc.args)}")


def check(url, path, headers, cookie, expect):
    """One request first: the figure is only worth printing if the page is the right one."""
    import httpx

    r = httpx.get(url + path, headers={**headers, "Cookie": cookie}, timeout=10)
    assert r.status_code == 200, f"{path} {headers}: {r.status_code} {r.text[:300]}"
    if expect:
        assert expect in r.text, f"{path}: {expect!r} not in {r.text[:300]}"
    if headers.get("HX-Target"):
        assert "<html" not in r.text, f"{path} {headers}: a whole page, not a panel"


def wrk(url, path, headers, cookie, connections, seconds, report):
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", report,
            "-H", f"Cookie: {cookie}"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run(args + [url + path], capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("{"))
    r = json.loads(line)
    r["rps"] = r["requests"] / r["seconds"]
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return r


def start(name):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(ROOT / "var" / f"bench-requests-{name}.log", "w")
    proc = subprocess.Popen(SERVERS[name](port), cwd=ROOT, env=dict(os.environ), stdout=log, stderr=log)
    wait_ready(url, proc)
    return url, proc


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def measure(servers, cases, cookie, args, report):
    """All servers run at once (an idle one costs nothing) and each figure is taken on each server back to
    back, so a change in the machine's other load skews the ratio between servers as little as it can."""
    running, figures = {}, {name: {} for name in servers}
    try:
        for name in servers:
            running[name] = start(name)
        for label, path, headers, expect in cases:
            for name in servers:
                url = running[name][0]
                check(url, path, headers, cookie, expect)
                wrk(url, path, headers, cookie, args.connections, args.warmup, report)  # warm caches and workers
                r = figures[name][label] = wrk(url, path, headers, cookie, args.connections, args.duration, report)
                print(f"  {name:<14} {label:<32} {r['rps']:>8.0f} req/s  p50 {r['p50'] / 1000:6.1f} ms  "
                      f"p95 {r['p95'] / 1000:6.1f} ms  errors {r['errors']}", file=sys.stderr, flush=True)
    finally:
        for _, proc in running.values():
            stop(proc)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=20, help="open connections (default 20)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per figure (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load before each figure")
    parser.add_argument("--only", choices=sorted(SERVERS), action="append", help="run only this server (repeatable)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/requests.py needs wrk, the HTTP load generator: "
                 "apt-get install wrk (Debian/Ubuntu) or brew install wrk (macOS).")
    db = ROOT / "var" / "bench-requests.sqlite3"
    if os.environ["DATABASE_URL"] == f"sqlite:///{db}":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    ensure_secret_key()
    cookie, cases = setup()
    servers = args.only or list(SERVERS)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_REPORT)
    try:
        load_before = os.getloadavg()[0]
        figures = measure(servers, cases, cookie, args, f.name)
        load_after = os.getloadavg()[0]
    finally:
        os.unlink(f.name)

    engine = os.environ["DATABASE_URL"].split(":")[0]
    print(f"\nRequest cost: {args.connections} connections, {args.duration} s per figure, wrk on the same "
          f"machine ({os.cpu_count()} CPUs); {engine}, Redis cache; DEBUG off")
    print(f"1-minute load average before {load_before:.1f}, after {load_after:.1f} (other processes share the CPUs)")
    print(f"{'server':<32}{'figure':<38}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'÷ trivial':>11}{'errors':>8}")
    for name in servers:
        floor = figures[name]["trivial view /ping"]["rps"]
        for label, r in figures[name].items():
            print(f"{LABELS[name]:<32}{label:<38}{r['rps']:>8.0f}{r['p50'] / 1000:>9.1f}{r['p95'] / 1000:>9.1f}"
                  f"{r['rps'] / floor:>11.2f}{r['errors']:>8}")
    if len(servers) == 2:
        print(f"\n{'figure':<38}{'make run server ÷ gunicorn-sync (req/s)':>42}")
        for label, *_ in cases:
            ratio = figures["production"][label]["rps"] / figures["gunicorn-sync"][label]["rps"]
            print(f"{label:<38}{ratio:>42.2f}")
    print("\nTargets (DESIGN.md): trivial view make run's server ÷ gunicorn-sync ≥ 0.7; cached team panel ÷ trivial ≥ 0.5; "
          "whole dashboard ≥ 160 req/s.")


if __name__ == "__main__":
    main()
