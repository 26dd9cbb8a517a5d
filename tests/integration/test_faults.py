"""Faults on real processes: a turn always finishes and streams always come back.

Each test runs its own redis-server, uvicorn, Celery worker and beat (subprocesses on the test database),
so it can kill and restart them without touching the shared Redis or the session's worker. The resolve
grace is shortened to GRACE seconds; recovery is asserted within 30 s of the missing part being back.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import httpx
import psycopg
import pytest
from django.conf import settings
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import Event, Exercise, Order, Turn

from ..conftest import ROOT, _free_port, _test_database_url, wait_for

GRACE = 2  # seconds a locked turn waits for its result before beat re-queues it (10 in production)
RECOVERY = 30  # seconds: the promise, from the broker and a worker being back to the turn in review

ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
needs_postgres = pytest.mark.skipif(
    ON_SQLITE, reason="exactly-once resolution relies on select_for_update, which SQLite ignores; CI runs PostgreSQL")

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


# ---- processes ----

class Processes:
    """A private Redis and the app's processes on it; every one can be killed and started again."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.redis_port = _free_port()
        self.web_port = _free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.env = dict(os.environ, DATABASE_URL=_test_database_url(), PYTHONUNBUFFERED="1",
                        REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
                        CELERY_QUEUE=f"faults-{uuid.uuid4().hex[:8]}",
                        LIVE_CHANNEL_PREFIX=f"faults-{uuid.uuid4().hex[:8]}",
                        RESOLVE_GRACE_SECONDS=str(GRACE), LOG_LEVEL="INFO")
        self.running = {}
        self.logs = ROOT / "var"
        self.logs.mkdir(exist_ok=True)
        self._n = 0

    def _start(self, name, argv, ready=None):
        self._n += 1
        log_path = self.logs / f"test-faults-{name}-{self._n}.log"
        log = open(log_path, "w")
        p = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        p.log_path, p.log_file = log_path, log
        self.running[name] = p
        if ready:
            def up():
                if p.poll() is not None:
                    raise AssertionError(f"{name} exited early; see {log_path}")
                return ready(p)
            wait_for(up, timeout=30, interval=0.1, message=f"{name} to start")
        return p

    def start_redis(self):
        return self._start("redis", ["redis-server", "--port", str(self.redis_port), "--save", "", "--appendonly",
                                     "no", "--bind", "127.0.0.1", "--dir", str(self.tmp)],
                           ready=lambda p: "Ready to accept connections" in p.log_path.read_text())

    def start_web(self):
        def ready(p):
            try:
                return httpx.get(f"{self.url}/ping", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False
        return self._start("web", [sys.executable, "-m", "uvicorn", "wargame.asgi:application", "--host",
                                   "127.0.0.1", "--port", str(self.web_port), "--timeout-graceful-shutdown", "3",
                                   "--log-level", "warning"], ready=ready)

    def start_worker(self):
        return self._start("worker", [sys.executable, "-m", "celery", "-A", "wargame", "worker", "--pool", "solo",
                                      "--loglevel", "info", "--without-mingle", "--without-gossip",
                                      "--queues", self.env["CELERY_QUEUE"],
                                      "--hostname", f"faults-{uuid.uuid4().hex[:6]}@%h"],
                           ready=lambda p: " ready." in p.log_path.read_text())

    def start_beat(self):
        return self._start("beat", [sys.executable, "-m", "celery", "-A", "wargame", "beat", "--loglevel", "info",
                                    "--schedule", str(self.tmp / "beat-schedule")],
                           ready=lambda p: "beat: Starting" in p.log_path.read_text())

    def kill(self, name, sig=signal.SIGKILL):
        p = self.running.pop(name)
        p.send_signal(sig)
        p.wait(timeout=15)
        p.log_file.close()

    def stop_all(self):
        for name in list(self.running):
            p = self.running[name]
            if p.poll() is None:
                p.terminate()
        for name in list(self.running):
            p = self.running.pop(name)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            p.log_file.close()


@pytest.fixture
def procs(tmp_path):
    p = Processes(tmp_path)
    try:
        yield p
    finally:
        p.stop_all()


class ReconnectingSSE:
    """Reads an SSE stream the way EventSource does: when the stream drops or the server refuses, it waits
    the server's `retry` delay and connects again. It keeps every event with the moment it arrived."""

    def __init__(self, url):
        self.url = url
        self.events = []  # (time.monotonic(), kind, payload)
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        retry = 2.0
        while not self._stop:
            try:
                with httpx.stream("GET", self.url, timeout=httpx.Timeout(5, read=30)) as response:
                    name = None
                    for line in response.iter_lines():
                        if self._stop:
                            return
                        if line.startswith("retry:"):
                            retry = int(line.split(":", 1)[1]) / 1000
                        elif line.startswith("event:"):
                            name = line.split(":", 1)[1].strip()
                        elif line.startswith("data:") and name:
                            self.events.append((time.monotonic(), name, json.loads(line.split(":", 1)[1])))
                            name = None
            except (httpx.HTTPError, OSError):
                pass
            if not self._stop:
                time.sleep(retry)  # EventSource's reconnection delay

    def hellos(self, after=0.0):
        return [e for e in self.events if e[1] == "hello" and e[0] > after]

    def close(self):
        self._stop = True


# ---- the exercise, White's browser session and the teams' orders ----

def white_browser(procs, facilitator):
    """White's signed-in browser on the uvicorn subprocess: a session cookie and a CSRF token pair."""
    c = Client()
    c.force_login(facilitator)
    token = uuid.uuid4().hex  # 32 characters, as Django's CSRF secret
    return httpx.Client(base_url=procs.url, timeout=30, headers={"X-CSRFToken": token},
                        cookies={"sessionid": c.cookies["sessionid"].value, "csrftoken": token})


@pytest.fixture
def seminar(facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Faults", facilitator=facilitator,
                                        seed=11)
    for name, code, action in (("Aiko", "JPN", "M2"), ("Boris", "RUS", "M4"), ("Chen", "CHN", "M7")):
        player = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{name}")
        player = services.player_choose_team(player=player, team_code=code)
        services.order_save(player=player, turn_number=1, slot=1, action=action, note=f"{name}'s reasons")
    return exercise


def orders_of(exercise):
    return sorted(Order.objects.filter(turn__exercise=exercise).values_list(
        "team__code", "slot", "action", "target", "note", "revision"))


def turn_of(exercise):
    return Turn.objects.get(exercise=exercise, number=1)


def lock_over_http(white, exercise):
    started = time.monotonic()
    r = white.post(f"/f/{exercise.pk}/lock/", data={"turn": 1})
    return r, time.monotonic() - started


@needs_postgres
def test_a_worker_killed_mid_resolution_is_replaced_and_the_turn_resolves_once(procs, seminar, facilitator):
    """The worker is SIGKILLed while the turn is RESOLVING: its task stays unacknowledged in Redis (redelivered
    only after the visibility timeout). A new worker and beat finish the turn, exactly once."""
    before = orders_of(seminar)
    procs.start_redis()
    procs.start_web()
    with white_browser(procs, facilitator) as white:
        r, _ = lock_over_http(white, seminar)
    assert r.status_code == 302 and turn_of(seminar).status == Turn.Status.LOCKED
    # Hold the exercise row, so the worker marks the turn RESOLVING and then waits on its doorbell's bump:
    # it is killed in the middle of resolution, holding the task.
    with psycopg.connect(_test_database_url()) as hold:
        hold.execute("SELECT id FROM exercises_exercise WHERE id = %s FOR UPDATE", [seminar.pk])
        procs.start_worker()
        wait_for(lambda: turn_of(seminar).status == Turn.Status.RESOLVING, timeout=20,
                 message="the worker to start resolving")
        procs.kill("worker")  # SIGKILL
        hold.rollback()
    killed = time.monotonic()
    assert turn_of(seminar).status == Turn.Status.RESOLVING and turn_of(seminar).result is None

    procs.start_worker()
    procs.start_beat()
    back = time.monotonic()
    wait_for(lambda: turn_of(seminar).status == Turn.Status.REVIEW, timeout=RECOVERY, interval=0.1,
             message="the turn to reach review after a new worker started")
    done = time.monotonic()
    print(f"\nworker killed mid-resolution (grace {GRACE} s): in review {done - back:.1f} s after the new worker "
          f"was up, {done - killed:.1f} s after the kill")
    turn = turn_of(seminar)
    assert turn.result is not None and turn.result["state"]["turn"] == 1
    assert Event.objects.filter(exercise=seminar, kind="turn_resolved").count() == 1
    assert orders_of(seminar) == before


@needs_postgres
def test_redis_restarted_mid_turn_white_locks_during_the_outage_and_all_recovers(procs, seminar, facilitator):
    """Redis goes away mid-turn with a browser's stream open. White locks during the outage: the lock is
    answered and committed. Redis comes back empty: beat re-queues the turn, it resolves once, and the
    stream reconnects with a fresh hello."""
    before = orders_of(seminar)
    white = white_browser(procs, facilitator)
    procs.start_redis()
    procs.start_web()
    procs.start_worker()
    procs.start_beat()
    stream = ReconnectingSSE(f"{procs.url}/x/{seminar.join_code}/events/")
    try:
        wait_for(lambda: stream.hellos(), timeout=15, message="the stream's first hello")

        beat_log = procs.running["beat"].log_path
        failures = beat_log.read_text().count("beat: Connection error")
        procs.kill("redis", signal.SIGTERM)
        down = time.monotonic()
        r, took = lock_over_http(white, seminar)
        assert r.status_code == 302, r.text[:500]
        turn = turn_of(seminar)
        assert turn.status == Turn.Status.LOCKED and turn.result is None
        assert Event.objects.filter(exercise=seminar, kind="turn_locked").count() == 1
        # Past the grace White's console says what is happening instead of spinning on.
        wait_for(lambda: "Waiting for a worker" in white.get(
            f"/f/{seminar.pk}/", headers={"HX-Request": "true", "HX-Target": "console-turn"}).text,
            timeout=GRACE + 10, message="the console to say it waits for a worker")
        # Keep Redis away until beat has failed to reach it at least once, so beat lives through an outage.
        wait_for(lambda: beat_log.read_text().count("beat: Connection error") > failures, timeout=15,
                 message="beat to try a tick while Redis is down")

        procs.start_redis()
        back = time.monotonic()
        wait_for(lambda: turn_of(seminar).status == Turn.Status.REVIEW, timeout=RECOVERY, interval=0.1,
                 message="the turn to reach review after Redis came back")
        resolved = time.monotonic()
        wait_for(lambda: stream.hellos(after=back), timeout=RECOVERY, message="a new hello after Redis came back")
        hello = stream.hellos(after=back)[0][0]
        print(f"\nRedis down {back - down:.1f} s; White's lock answered in {took:.2f} s during the outage; "
              f"after Redis was back (grace {GRACE} s): stream hello in {hello - back:.1f} s, "
              f"turn in review in {resolved - back:.1f} s")
        assert Event.objects.filter(exercise=seminar, kind="turn_resolved").count() == 1
        assert orders_of(seminar) == before
        # The stream carries the doorbell again: White publishes and the browser hears it, or (if its stream
        # was between reconnects at that moment) its next hello carries the new version, and the page refreshes.
        assert white.post(f"/f/{seminar.pk}/publish/", data={"turn": 1}).status_code == 302
        published = Exercise.objects.values_list("version", flat=True).get(pk=seminar.pk)
        wait_for(lambda: any(kind == "turn_published" or (kind == "hello" and data["version"] >= published)
                             for _, kind, data in stream.events), timeout=10,
                 message="turn_published, or a hello at its version, on the stream")
    finally:
        stream.close()
        white.close()


def test_uvicorn_killed_under_open_streams_comes_back_and_streams_reconnect(procs, seminar):
    """The web server dies with players' streams open. Started again, every stream reconnects (as
    EventSource does) and says hello; nothing the teams saved is lost."""
    before = orders_of(seminar)
    procs.start_redis()
    procs.start_web()
    streams = [ReconnectingSSE(f"{procs.url}/x/{seminar.join_code}/events/") for _ in range(5)]
    try:
        wait_for(lambda: all(s.hellos() for s in streams), timeout=15, message="every stream's first hello")
        procs.kill("web")  # SIGKILL: no graceful shutdown, the sockets just drop
        procs.start_web()
        back = time.monotonic()
        wait_for(lambda: all(s.hellos(after=back) for s in streams), timeout=RECOVERY,
                 message="every stream to reconnect with a hello")
        last = max(s.hellos(after=back)[0][0] for s in streams)
        print(f"\nuvicorn killed under {len(streams)} streams: all reconnected {last - back:.1f} s after it was back")
        assert orders_of(seminar) == before
        r = httpx.get(f"{procs.url}/x/{seminar.join_code}/plenary/")
        assert r.status_code == 200
    finally:
        for s in streams:
            s.close()
