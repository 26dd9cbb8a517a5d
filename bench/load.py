"""Load test: whole exercises played at once, on PostgreSQL, with real web and Celery processes.

200 players in 10 exercises (20 each, spread over the scenario's three teams) play 8 turns. Each player,
a locust user:
  - joins through the real views (POST / with the code and a name, then POST /x/<code>/join/ with a team;
    the join throttle counts only wrong codes, so 200 joins from one address are never refused),
  - opens the dashboard once and holds its team's SSE stream open, as the page does: the stream pushes the
    panels each doorbell changed (kept as the page would swap them in); only for a doorbell the page's
    refresher still listens to (a message: the unread count) it does one GET of panels/?event=<kind>, one
    after another as the refresher does (hx-sync "queue all"),
  - while the turn is open, every --think seconds either saves an order in slot 1 or 2 (an action its order
    form offers as usable now, within its resource points, with the revision its latest form showed; nine
    times in ten one that does not escalate, so no exercise ends in armed conflict before its last turn) or
    opens the messages page on one of its team's threads and sends a message there.
One White per exercise signs in at /facilitator/login/, opens the console, holds its SSE stream and refreshes
the console panels each doorbell changes, as the page does (coalesced: the page replaces a refresh in
flight). Each turn White waits until every player of the exercise has saved an order, or --turn-seconds
have passed, locks, waits until the console shows the turn resolved by the Celery worker (the doorbell
refreshes the console's turn panel; it also polls every 5 s while locked, as the page does), and publishes.

Printed per request type: count, HTTP errors, answers refused with a message (a validation message, an order
conflict, a turn that locked meanwhile: 200s, counted apart, not errors), p50, p95, max and req/s; then the
overall req/s, turns published, "lock → resolved" (as White saw it, and as the database recorded it), the
refresh lag (doorbell sent → panels answered) and the CPU time the load generator and the servers used.
A request sent on a kept-alive connection just as the server closed it is sent again, as browsers do, and
counted in its own row. Exits non-zero if any HTTP error happened (a 4xx or 5xx not expected, no answer).

The web server is wargame.server.web_command (gunicorn managing --web-workers uvicorn processes). Celery
runs as --celery-workers separate `celery worker` processes, each prefork with concurrency 1 (one process
resolving turns each), all on one queue. --compare runs the whole load twice, with 1 web + 1 worker
process, then 2 + 2, and prints the req/s ratio and the p95s side by side.

    .venv/bin/python bench/load.py                                  # 200 players, 10 exercises, 8 turns
    .venv/bin/python bench/load.py --players 20 --exercises 2 --turns 2
    .venv/bin/python bench/load.py --compare

Locust runs in this process on the same machine as the servers, so they share the CPUs; the figures
are those of the whole machine, and the load generator's own CPU time is printed beside them.
Needs PostgreSQL at LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/wargame_load; that database
is dropped and created again at every run, and a run refuses to start while anything else is connected to it)
and Redis at LOAD_REDIS_URL (default redis://127.0.0.1:6379/8; that Redis database is emptied at every run:
give the benchmark a database of its own). Server logs go to var/bench-load-<pid>-<web>+<celery>-<server>.log.
"""

import argparse
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# bench/requests.py is named like the requests library, which locust and the SSE reader import.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

# locust first: importing it patches the standard library for gevent, which must come before ssl is imported.
from locust import FastHttpUser, task  # noqa: E402, I001
from locust.env import Environment  # noqa: E402
from locust.exception import StopUser  # noqa: E402
import gevent  # noqa: E402
import gevent.pool  # noqa: E402
import gevent.queue  # noqa: E402
import requests  # noqa: E402
from gevent.event import Event  # noqa: E402
from geventhttpclient.response import HTTPConnectionClosed  # noqa: E402

# Their own variables, not DATABASE_URL and REDIS_URL: every run drops this database and empties this Redis
# database, which must never be the ones a developer's shell points the app at.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wargame.settings")
os.environ["DATABASE_URL"] = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wargame_load")
os.environ["REDIS_URL"] = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/8")
os.environ.setdefault("LIVE_CHANNEL_PREFIX", f"wargame-load-{os.getpid()}")  # pub/sub ignores the db number
os.environ.setdefault("CELERY_QUEUE", f"wargame-load-{os.getpid()}")
os.environ["DEBUG"] = "false"  # as in the room

from wargame.server import web_command  # noqa: E402

SCENARIO = "northern-territories"
WHITE_PASSWORD = "load-white-cell-pass"
SPAWN_PER_SECOND = 20  # a room arriving over ten seconds, not all in one instant
READY_TIMEOUT = 120  # White starts anyway if some players never got their dashboard open
RESOLVE_TIMEOUT = 120
CLOSED_AS_REUSED = (HTTPConnectionClosed, ConnectionResetError, BrokenPipeError)
CONSOLE_POLL_SECONDS = 5  # the console's turn panel polls this often while a turn is locked or resolving

# Request types in the order they are printed; TIMING rows are measured spans, not requests.
RETRIED = "(closed as reused: sent again)"
REQUEST_TYPES = ["home page", "join: code", "join: team", "dashboard", "SSE connect", "SSE dropped",
                 "panels (doorbell)", "panels (catch-up)", "messages page", "send message", "save order",
                 "sign-in page", "sign in", "console", "console panel (doorbell)", "console panel (poll)", "lock",
                 "publish", RETRIED]
TIMINGS = ["lock → resolved", "push lag (doorbell → panels on the stream)", "refresh lag (doorbell → panels)"]


# ---- the database, Redis and the exercises (in this process, before any load) ----

def reset_database():
    """Drop and create the benchmark's own database, so every run starts from the same empty state.
    Refuses while anything else is connected to it: that is another run, whose database this would pull away."""
    import psycopg
    from django.db import connections

    connections.close_all()
    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        for _ in range(50):  # the last run's servers may take a moment to hang up
            users = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()[0]
            if not users:
                break
            time.sleep(0.2)
        else:
            sys.exit(f"{users} other connection(s) use the database {name}: another load run? "
                     "Give this one its own with LOAD_DATABASE_URL (and LOAD_REDIS_URL).")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def reset_redis():
    """Empty the run's Redis database: the queue, sessions and cached panels of an earlier run would leak in."""
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


@dataclass
class Room:
    """One exercise as the load sees it, shared by its players and its White."""
    pk: int
    code: str
    teams: list
    white: str  # White's username
    players: int = 0  # seats assigned here
    ready: int = 0  # players whose dashboard stream said hello
    all_ready: Event = field(default_factory=Event)
    ordered: dict = field(default_factory=lambda: defaultdict(set))  # turn -> names with an order saved
    all_ordered: dict = field(default_factory=lambda: defaultdict(Event))
    published: int = 0
    done: Event = field(default_factory=Event)

    def player_ready(self):
        self.ready += 1
        if self.ready >= self.players:
            self.all_ready.set()

    def player_lost(self):
        """A player who could not join: nobody waits for them."""
        self.players -= 1
        if self.ready >= self.players:
            self.all_ready.set()

    def order_saved(self, turn, name):
        self.ordered[turn].add(name)
        if len(self.ordered[turn]) >= max(self.ready, 1):
            self.all_ordered[turn].set()


def create_exercises(n_exercises, n_players):
    """Migrate, then create the exercises and one White account per exercise; return the rooms and seats."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from wargame.exercises import services
    from wargame.exercises.models import Team

    call_command("migrate", verbosity=0)
    password = make_password(WHITE_PASSWORD)  # hashed once: PBKDF2 is slow on purpose
    rooms = []
    for i in range(n_exercises):
        user = get_user_model().objects.create(username=f"white-{i + 1}", password=password)
        exercise = services.exercise_create(scenario_slug=SCENARIO, name=f"load {i + 1}", facilitator=user,
                                            seed=100 + i)
        rooms.append(Room(pk=exercise.pk, code=exercise.join_code, white=user.username,
                          teams=sorted(exercise.teams.values_list("code", flat=True))))
    seats = deque()
    for i in range(n_players):
        room = rooms[i % n_exercises]
        seats.append((room, room.teams[room.players % len(room.teams)], f"player {i + 1}"))
        room.players += 1
    per_team = max(-(-room.players // len(room.teams)) for room in rooms)
    Team.objects.update(max_players=max(per_team, 8))  # a benchmark may pack more players per team than a seminar
    return rooms, seats


# ---- the servers (subprocesses on a free port, DEBUG off) ----

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_servers(web_workers, celery_workers, label):
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    commands = [("web", web_command(host="127.0.0.1", port=port, workers=web_workers, bin_dir=BIN))]
    for i in range(celery_workers):
        commands.append((f"worker{i + 1}", [
            str(BIN / "celery"), "-A", "wargame", "worker", "--pool", "prefork", "--concurrency", "1",
            "--loglevel", "warning", "--without-mingle", "--without-gossip", "--queues", env["CELERY_QUEUE"],
            "--hostname", f"load{i + 1}-{os.getpid()}@%h"]))
    procs = []
    for name, argv in commands:
        with open(server_log(label, name), "w") as log:
            procs.append(subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, procs, celery_workers)
    return url, procs


def server_log(label, name):
    """One file per server and run, kept: a traceback behind an error must outlive the next run."""
    return ROOT / "var" / f"bench-load-{os.getpid()}-{label}-{name}.log"


def wait_ready(url, procs, celery_workers):
    """/healthz answers once the web server, the database and one worker are up; then wait for all workers."""
    from wargame.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            sys.exit(f"a server exited at start; see {server_log('*', '*')}")
        try:
            healthy = requests.get(f"{url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            healthy = False
        if healthy and len(app.control.ping(timeout=1.0) or []) >= celery_workers:
            return
        time.sleep(0.2)
    sys.exit(f"the servers were not ready in 60 s; see {server_log('*', '*')}")


def cpu_seconds(procs):
    """CPU time so far of each server process and its children (gunicorn's and Celery's workers), by pid."""
    import psutil

    times = {}
    for proc in procs:
        try:
            tree = psutil.Process(proc.pid)
            for p in [tree, *tree.children(recursive=True)]:
                t = p.cpu_times()
                times[p.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return times


def stop_servers(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ---- reading the pages (only the few marks the load needs) ----

ORDER_FORM = re.compile(r'action="[^"]*/orders/(\d)/"(.*?)</form>', re.S)
OPTION = re.compile(r'<option value="(\w+)" ?(selected)?>[^<]*?\((\d+) RP\)([^<]*)</option>')
TARGET = re.compile(r'<option value="(\w+)"')
RP = re.compile(r'data-testid="rp">(\d+)<')
VERSION = re.compile(r'data-version="(\d+)"')
REFRESHER_TRIGGERS = re.compile(r'data-live-refresh[^>]*hx-trigger="([^"]*)"')
SSE_CONNECT = re.compile(r'sse-connect="([^"]+)"')
PANEL_TRIGGERS = re.compile(r'<(?:section|div|nav)\b[^>]*?\bid="([\w-]+)"[^>]*?\bhx-trigger="([^"]*)"')
CONSOLE_STATUS = re.compile(r'id="console-turn"[^>]*data-status="(\w+)"')
ALERT = re.compile(r'class="alert alert-error"[^>]*>(.*?)</p>', re.S)


def sse_kinds(trigger):
    return set(re.findall(r"sse:(\w+)", trigger))


@dataclass
class Slot:
    number: int
    turn: int
    revision: int
    action: str
    options: list  # (key, cost, usable now)
    targets: list
    disabled: bool


def order_slots(html):
    """The two order forms: what each offers, what it holds, and the revision a save must start from."""
    slots = {}
    for number, form in ORDER_FORM.findall(html or ""):
        actions, _, targets = form.partition('name="target"')
        # After a conflict the form keeps the old revision; "replace" carries the one now saved.
        revision = re.search(r'name="replace" value="(\d+)"', form) or re.search(r'name="revision" value="(\d+)"', form)
        turn = re.search(r'name="turn" value="(\d+)"', form)
        options = [(key, int(cost), " — " not in rest) for key, _, cost, rest in OPTION.findall(actions)]
        selected = next((key for key, sel, *_ in OPTION.findall(actions) if sel), "")
        slots[int(number)] = Slot(int(number), int(turn.group(1)) if turn else 0,
                                  int(revision.group(1)) if revision else 0, selected, options,
                                  TARGET.findall(targets), 'name="action" disabled' in actions)
    return slots


def console_status(html):
    if 'data-testid="ended"' in (html or ""):
        return "ended"
    match = CONSOLE_STATUS.search(html or "")
    return match.group(1) if match else None


# ---- what every simulated browser shares: CSRF, request bookkeeping, the SSE stream ----

PLAN = None  # the run's rooms, seats, flags and counters; set by run_load before any user starts
SCENARIO_SPEC = None  # the scenario's rules: the targets and escalation rung of each action


@dataclass
class Plan:
    rooms: list
    seats: deque
    think: tuple
    turns: int
    turn_seconds: float
    outcomes: Counter = field(default_factory=Counter)  # (request type, "refused" | "conflict") -> count
    reasons: Counter = field(default_factory=Counter)  # (request type, the message shown) -> count
    events_received: int = 0
    panels_pushed: int = 0
    max_backlog: int = 0
    background: gevent.pool.Group = field(default_factory=gevent.pool.Group)  # killed when the run ends
    rooms_taken: int = 0  # Whites seated so far, one per room


class Browser(FastHttpUser):
    abstract = True
    network_timeout = 60.0

    def cookie(self, name):
        return next((c.value for c in self.client.cookiejar if c.name == name), "")

    def call(self, method, path, name, *, data=None, headers=None, expect=(200,)):
        """One request; anything but the expected status (a 5xx, a refused CSRF check, no answer) is an error.
        Returns the body, or None after an error."""
        headers = dict(headers or {})
        body = None
        if method == "POST":
            headers["X-CSRFToken"] = self.cookie("csrftoken")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(data or {})
        for attempt in (1, 2):
            with self.client.request(method, path, name=name, data=body, headers=headers, allow_redirects=False,
                                     catch_response=True) as r:
                if r.status_code in expect:
                    r.success()
                    return r.text or ""
                error = getattr(r, "error", None)
                if attempt == 1 and isinstance(error, CLOSED_AS_REUSED):
                    # The server closes a connection idle for 2 s (gunicorn's keepalive); one reused just as it
                    # closed carries no answer. Browsers send the request again on a new connection; so do we.
                    r.request_meta["name"] = RETRIED
                    r.success()
                    continue
                r.failure(f"HTTP {r.status_code}: {error or (r.text or '')[:120]!r}")
                return None

    def timing(self, name, seconds, exception=None):
        self.environment.events.request.fire(request_type="TIMING", name=name, response_time=seconds * 1000,
                                             response_length=0, exception=exception, context={})

    def refused(self, name, html, kind="refused"):
        PLAN.outcomes[name, kind] += 1
        if kind == "refused" and (match := ALERT.search(html)):
            text = " ".join(unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())
            PLAN.reasons[name, re.sub(r"\b\d+\b", "N", text)[:100]] += 1  # "Turn 3 has locked" and "Turn 4…" alike

    def listen(self, path, on_hello, on_event, on_panels=None):
        """Hold the page's stream in the background, reconnecting as EventSource does."""
        PLAN.background.spawn(self._stream, f"{self.host}{path}", on_hello, on_event, on_panels)

    def _stream(self, url, on_hello, on_event, on_panels):
        # requests, not the locust client: it hands over each chunk of the stream as it arrives. A new
        # connection for every stream, as EventSource opens one.
        while True:
            cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)
            started, opened = time.perf_counter(), False
            try:
                with requests.get(url, headers={"Cookie": cookies, "Accept": "text/event-stream"}, stream=True,
                                  timeout=(10, 60)) as r:
                    r.raise_for_status()
                    kind, lines = None, []
                    for line in r.iter_lines(chunk_size=None, decode_unicode=True):
                        if line.startswith("event:"):
                            kind, lines = line[6:].strip(), []
                        elif line.startswith("data:"):
                            lines.append(line[6:] if line.startswith("data: ") else line[5:])
                        elif line == "" and kind:
                            if kind == "panels":  # a team's stream pushing the panels a doorbell changed
                                PLAN.panels_pushed += 1
                                if on_panels:
                                    on_panels("\n".join(lines))
                            elif kind == "hello" and not opened:
                                opened = True
                                self.fire_connect(started, None)
                                on_hello(json.loads(lines[0]))
                            elif kind not in ("hello", "seat_lost"):
                                PLAN.events_received += 1
                                on_event(kind, json.loads(lines[0]))
                            kind, lines = None, []
            except (requests.RequestException, ValueError) as exc:
                if opened:  # a stream the server cut short is an error too: the page shows "Reconnecting"
                    self.environment.events.request.fire(request_type="GET", name="SSE dropped", context={},
                                                         response_time=0, response_length=0, exception=exc)
                else:
                    self.fire_connect(started, exc)
            gevent.sleep(2)  # the stream's "retry: 2000"

    def fire_connect(self, started, exception):
        """The stream is open when its hello arrives: that is when the page says "Live"."""
        self.environment.events.request.fire(request_type="GET", name="SSE connect", context={},
                                             response_time=(time.perf_counter() - started) * 1000,
                                             response_length=0, exception=exception)


# ---- a player ----

class Player(Browser):
    def wait_time(self):
        return random.uniform(*PLAN.think)

    def on_start(self):
        self.room, self.team, self.name = PLAN.seats.popleft()
        self.base = f"/x/{self.room.code}/t/{self.team}/"
        self.threads = ["public"] + ["-".join(sorted((self.team, other))) for other in self.room.teams
                                     if other != self.team]
        self.forms_html, self.rp, self.version = "", None, 0
        self.doorbells = gevent.queue.Queue()
        self.first_hello = True
        page = self.call("GET", self.base, "dashboard") if self.join() else None
        self.lost = page is None  # the error is counted; the task then stops this user quietly
        if self.lost:
            self.room.player_lost()
            return
        self.seen(page)
        self.version = int(VERSION.search(page).group(1))
        self.refresh_on = sse_kinds(REFRESHER_TRIGGERS.search(page).group(1))
        self.pushed = False
        PLAN.background.spawn(self.refresher)
        self.listen(unescape(SSE_CONNECT.search(page).group(1)), self.on_hello, self.on_doorbell, self.on_panels)

    def join(self):
        if self.call("GET", "/", "home page") is None:
            return False
        if self.call("POST", "/", "join: code", data={"code": self.room.code, "name": self.name},
                     expect=(302,)) is None:
            return False
        return self.call("POST", f"/x/{self.room.code}/join/", "join: team", data={"team": self.team},
                         expect=(302,)) is not None

    def seen(self, html):
        """Keep the latest order forms and resource points any answer carried."""
        if 'id="order-forms"' in html:
            self.forms_html = html
        if match := RP.search(html):
            self.rp = int(match.group(1))

    # The dashboard's refresher: one GET per doorbell, one at a time, none skipped (hx-sync "queue all").
    def on_hello(self, data):
        if self.first_hello:
            self.first_hello = False
            self.room.player_ready()
        if data["version"] > self.version:  # something rang while the stream was away
            self.doorbells.put((None, None))
        self.version = max(self.version, data["version"])

    def on_panels(self, html):
        self.seen(html)
        self.pushed = True

    def on_doorbell(self, kind, data):
        self.version = max(self.version, data.get("version", 0))
        if self.pushed and data.get("sent"):  # the stream sends a doorbell right after the panels it brought
            self.timing("push lag (doorbell → panels on the stream)", time.time() - data["sent"])
        self.pushed = False
        if kind in self.refresh_on:
            self.doorbells.put((kind, data.get("sent")))
            PLAN.max_backlog = max(PLAN.max_backlog, self.doorbells.qsize())

    def refresher(self):
        while True:
            kind, sent = self.doorbells.get()
            if kind is None:
                html = self.call("GET", f"{self.base}panels/", "panels (catch-up)", headers={"HX-Request": "true"})
            else:
                html = self.call("GET", f"{self.base}panels/?event={kind}", "panels (doorbell)",
                                 headers={"HX-Request": "true"})
            if html is not None:
                self.seen(html)
                if sent:
                    self.timing("refresh lag (doorbell → panels)", time.time() - sent)

    # What the player does between thinking, while the turn is open.
    @task
    def play(self):
        if self.lost:
            raise StopUser()
        slots = order_slots(self.forms_html)
        if not slots or any(s.disabled for s in slots.values()):
            return  # locked, resolving or in review: wait for the next turn's forms
        if random.random() < 0.5:
            self.save_order(slots)
        else:
            self.negotiate()

    def save_order(self, slots):
        slot = slots[random.choice(sorted(slots))]
        action, target = self.choose(slot, slots.get(3 - slot.number))
        html = self.call("POST", f"{self.base}orders/{slot.number}/", "save order", headers={"HX-Request": "true"},
                         data={"action": action, "target": target, "note": f"{self.name}'s plan",
                               "turn": slot.turn, "revision": slot.revision})
        if html is None:
            return
        self.seen(html)
        if "has-conflict" in html:
            self.refused("save order", html, "conflict")  # a teammate saved this slot first
        elif 'data-testid="order-error-' in html:
            self.refused("save order", html)
        else:
            self.room.order_saved(slot.turn, self.name)

    def choose(self, slot, other):
        """An action the form offers as usable now, not the other slot's, within the points left; or none.
        Mostly one that does not climb the escalation ladder: random escalation ends an exercise in armed
        conflict after three or four turns, and the load must last all its turns."""
        costs = {key: cost for key, cost, _ in slot.options}
        left = (self.rp if self.rp is not None else 99) - (costs.get(other.action, 0) if other else 0)
        taken = other.action if other else ""
        usable = []
        for key, cost, ok in slot.options:
            target = self.target_for(key, slot.targets) if ok and cost <= left and key != taken else None
            if target is not None:
                usable.append((key, target))
        calm = [(key, target) for key, target in usable if SCENARIO_SPEC.actions[key].rung <= 0]
        if calm and random.random() < 0.9:
            return random.choice(calm)
        return random.choice(usable) if usable else ("", "")

    def target_for(self, action, offered):
        """A target the action accepts among the teams the form offers; "" when it takes none or only one."""
        spec = SCENARIO_SPEC.actions[action]
        allowed = spec.allowed_targets(self.team)
        if spec.zones or len(allowed) <= 1:
            return ""  # a zone action falls back on its default zone; a single target is filled in
        choices = [code for code in offered if code in allowed]
        return random.choice(choices) if choices else None

    def negotiate(self):
        thread = random.choice(self.threads)
        if self.call("GET", f"{self.base}messages/?{urlencode({'thread': thread})}", "messages page") is None:
            return
        html = self.call("POST", f"{self.base}messages/send/", "send message", headers={"HX-Request": "true"},
                         data={"thread": thread, "body": f"{self.name}: shall we talk about the straits?"})
        if html is not None and 'data-testid="compose-sent"' not in html:
            self.refused("send message", html)


# ---- White ----

class White(Browser):
    fixed_count = 1  # set to the number of exercises by run_load

    def wait_time(self):
        return 0

    def on_start(self):
        self.room = PLAN.rooms[PLAN.rooms_taken]
        PLAN.rooms_taken += 1
        self.console_url = f"/f/{self.room.pk}/"
        self.status, self.status_seen = None, Event()
        self.doorbells = gevent.queue.Queue()
        self.lost = not self.sign_in_and_open_console()
        if self.lost:
            self.room.done.set()  # the error is counted; nothing to wait for: the run must still end

    def sign_in_and_open_console(self):
        if self.call("GET", "/facilitator/login/", "sign-in page") is None:
            return False
        if self.call("POST", "/facilitator/login/", "sign in", expect=(302,),
                     data={"username": self.room.white, "password": WHITE_PASSWORD}) is None:
            return False
        page = self.call("GET", self.console_url, "console")
        if page is None:
            return False
        self.panels = {dom_id: sse_kinds(trigger) for dom_id, trigger in PANEL_TRIGGERS.findall(page)
                       if sse_kinds(trigger)}
        self.saw_status(console_status(page))
        PLAN.background.spawn(self.refresher)
        self.listen(f"/x/{self.room.code}/events/", lambda data: None, lambda kind, data: self.doorbells.put(kind))
        return True

    def saw_status(self, status):
        if status:
            self.status = status
            self.status_seen.set()

    def refresher(self):
        """Each console panel refreshes on its own doorbells, side by side, and replaces a refresh in flight:
        take every doorbell waiting, and refresh each panel they change once."""
        while True:
            kinds = {self.doorbells.get()}
            while not self.doorbells.empty():
                kinds.add(self.doorbells.get_nowait())
            changed = sorted(d for d, listens in self.panels.items() if listens & kinds)
            gevent.joinall([PLAN.background.spawn(self.refresh_panel, dom_id, "console panel (doorbell)")
                            for dom_id in changed])

    def refresh_panel(self, dom_id, name):
        html = self.call("GET", self.console_url, name, headers={"HX-Request": "true", "HX-Target": dom_id})
        if dom_id == "console-turn":
            self.saw_status(console_status(html))

    @task
    def play(self):
        if self.lost:
            raise StopUser()
        self.room.all_ready.wait(READY_TIMEOUT)
        try:
            for number in range(1, PLAN.turns + 1):
                if not self.play_turn(number) or self.status == "ended":
                    break
        finally:
            self.room.done.set()
        raise StopUser()

    def turn_button(self, action, number):
        """White presses Lock or Publish on the console; False when the request itself failed."""
        html = self.call("POST", f"{self.console_url}{action}/", action, data={"turn": number},
                         headers={"HX-Request": "true", "HX-Target": "console-turn"})
        if html is None:
            return False
        if "alert-error" in html:
            self.refused(action, html)
        self.saw_status(console_status(html))
        return True

    def play_turn(self, number):
        self.room.all_ordered[number].wait(PLAN.turn_seconds)
        if not self.turn_button("lock", number):
            return False
        locked = time.monotonic()
        if not self.wait_resolved():
            self.timing("lock → resolved", time.monotonic() - locked, exception=TimeoutError("never resolved"))
            return False
        self.timing("lock → resolved", time.monotonic() - locked)
        if not self.turn_button("publish", number):
            return False
        self.room.published += 1
        return True

    def wait_resolved(self):
        """Until the console's turn panel says "review": refreshed by the doorbell, else polled every 5 s."""
        deadline = time.monotonic() + RESOLVE_TIMEOUT
        while time.monotonic() < deadline:
            self.status_seen.clear()
            if self.status in ("review", "ended"):
                return True
            if not self.status_seen.wait(CONSOLE_POLL_SECONDS):
                self.refresh_panel("console-turn", "console panel (poll)")
        return False


# ---- one run ----

@dataclass
class Result:
    label: str
    rows: dict  # request type -> figures
    seconds: float
    requests: int
    errors: int
    error_lines: list
    refusals: list
    turns: int
    turns_planned: int
    events: int
    max_backlog: int
    pushed: int
    cpu_load: float
    cpu_servers: float
    resolve_spans: list  # seconds, from the database
    machine: str = ""


def run_load(args, web_workers, celery_workers):
    global PLAN, SCENARIO_SPEC
    from wargame.scenarios import load_scenario

    label = f"{web_workers}+{celery_workers}"
    print(f"[{label}] preparing the database and {args.exercises} exercises…", file=sys.stderr, flush=True)
    reset_database()
    reset_redis()
    rooms, seats = create_exercises(args.exercises, args.players)
    SCENARIO_SPEC = load_scenario(SCENARIO)
    PLAN = Plan(rooms=rooms, seats=seats, think=tuple(args.think), turns=args.turns, turn_seconds=args.turn_seconds)
    url, procs = start_servers(web_workers, celery_workers, label)
    started_at, load_before = datetime.now().astimezone(), os.getloadavg()[0]
    servers_before = cpu_seconds(procs)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    White.fixed_count = args.exercises
    env = Environment(user_classes=[Player, White], host=url)
    runner = env.create_local_runner()
    print(f"[{label}] {args.players} players and {args.exercises} Whites start on {url}", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        runner.start(args.players + args.exercises, spawn_rate=SPAWN_PER_SECOND)
        finished = gevent.joinall([gevent.spawn(room.done.wait) for room in rooms], timeout=args.timeout)
        seconds = time.monotonic() - started
        if len(finished) < len(rooms):
            print(f"[{label}] timed out after {args.timeout} s", file=sys.stderr)
        servers_after = cpu_seconds(procs)
        self_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        PLAN.background.kill()
        runner.quit()
        stop_servers(procs)
    cpu_load = (self_after.ru_utime + self_after.ru_stime) - (self_before.ru_utime + self_before.ru_stime)
    cpu_servers = sum(t - servers_before.get(pid, 0) for pid, t in servers_after.items())
    result = summarise(label, env, runner, seconds, rooms, args, cpu_load, cpu_servers)
    result.machine = (f"{started_at:%Y-%m-%d %H:%M %Z}; {os.cpu_count()} CPUs; 1-minute load average "
                      f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (other work on the "
                      f"machine counts too); locust runs on the same CPUs as the servers")
    return result


def summarise(label, env, runner, seconds, rooms, args, cpu_load, cpu_servers):
    rows, requests_total, errors = {}, 0, 0
    for entry in env.stats.entries.values():
        rows[entry.name] = {
            "count": entry.num_requests, "errors": entry.num_failures,
            "refused": PLAN.outcomes[entry.name, "refused"], "conflict": PLAN.outcomes[entry.name, "conflict"],
            "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
            "max": entry.max_response_time, "rps": entry.num_requests / seconds}
        if entry.method != "TIMING":
            requests_total += entry.num_requests
            errors += entry.num_failures
    refusals = [f"{n} × {name}: {text}" for (name, text), n in PLAN.reasons.most_common(8)]
    error_lines = [f"{e.occurrences} × {e.method} {e.name}: {e.error}" for e in env.stats.errors.values()]
    error_lines += [f"{e['count']} × exception in a user: {e['msg']}" for e in runner.exceptions.values()]
    errors += sum(e["count"] for e in runner.exceptions.values())
    turns_planned = args.exercises * min(args.turns, SCENARIO_SPEC.turns)
    return Result(label, rows, seconds, requests_total, errors, error_lines, refusals,
                  sum(r.published for r in rooms), turns_planned, PLAN.events_received, PLAN.max_backlog,
                  PLAN.panels_pushed,
                  cpu_load, cpu_servers, worker_seconds())


def worker_seconds():
    """Lock → resolved as the database recorded it (turn.locked_at → turn.resolved_at): the worker's share
    of what White waited, queueing included."""
    from wargame.exercises.models import Turn

    spans = sorted((resolved - locked).total_seconds() for locked, resolved in
                   Turn.objects.filter(resolved_at__isnull=False).values_list("locked_at", "resolved_at"))
    return spans


def percentile(values, p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0.0


# ---- printing ----

def print_result(result, args):
    web, celery = result.label.split("+")
    print(f"\nLoad: {args.players} players in {args.exercises} exercises, {args.turns} turns; think "
          f"{args.think[0]:g}–{args.think[1]:g} s; turn ends when all have ordered or after {args.turn_seconds:g} s")
    print(f"Servers: {web} web process(es) (gunicorn + uvicorn), {celery} Celery worker process(es); "
          f"PostgreSQL, Redis; DEBUG off")
    print(result.machine)
    print(f"{'request type':<34}{'count':>7}{'errors':>7}{'refused':>8}{'conflict':>9}{'p50 ms':>9}"
          f"{'p95 ms':>9}{'max ms':>9}{'req/s':>8}")
    for name in REQUEST_TYPES + TIMINGS:
        r = result.rows.get(name)
        if r:
            print(f"{name:<34}{r['count']:>7}{r['errors']:>7}{r['refused']:>8}{r['conflict']:>9}{r['p50']:>9.0f}"
                  f"{r['p95']:>9.0f}{r['max']:>9.0f}{'' if name in TIMINGS else format(r['rps'], '.1f'):>8}")
    print(f"Overall: {result.requests} requests in {result.seconds:.0f} s = {result.requests / result.seconds:.1f} "
          f"req/s; HTTP errors {result.errors}")
    print(f"Turns published: {result.turns} of {result.turns_planned}; doorbell events received by players and "
          f"White: {result.events}; panel sets pushed on team streams: {result.pushed}; longest refresh queue "
          f"of one player: {result.max_backlog}")
    print(f"CPU time: load generator {result.cpu_load:.0f} s ({result.cpu_load / result.seconds:.0%} of one CPU); "
          f"web + Celery processes {result.cpu_servers:.0f} s ({result.cpu_servers / result.seconds:.0%} of one CPU, "
          f"{1000 * result.cpu_servers / max(result.requests, 1):.0f} ms a request); PostgreSQL and Redis not counted")
    spans = result.resolve_spans
    print(f"Lock → resolved in the database (locked_at → resolved_at): p50 {percentile(spans, 50):.1f} s, "
          f"p95 {percentile(spans, 95):.1f} s, max {max(spans, default=0):.1f} s over {len(spans)} turns")
    for line in result.refusals:
        print(f"  refused: {line}")
    for line in result.error_lines:
        print(f"  error: {line}")
    if result.error_lines:
        print(f"  server logs: {server_log(result.label, '*')}")


def print_comparison(small, large):
    print(f"\nServer size: {large.label} ÷ {small.label} (web processes + Celery worker processes)")
    ratio = (large.requests / large.seconds) / (small.requests / small.seconds)
    print(f"Throughput: {small.requests / small.seconds:.1f} → {large.requests / large.seconds:.1f} req/s, "
          f"ratio {ratio:.2f}")
    print(f"{'request type':<34}{'p95 ms ' + small.label:>14}{'p95 ms ' + large.label:>14}{'ratio':>8}")
    for name in [n for n in REQUEST_TYPES if n != RETRIED] + TIMINGS:
        a, b = small.rows.get(name, {}).get("p95"), large.rows.get(name, {}).get("p95")
        if a or b:
            ratio = f"{b / a:.2f}" if a and b else ""
            print(f"{name:<34}{a or 0:>14.0f}{b or 0:>14.0f}{ratio:>8}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--players", type=int, default=200, help="players in all (default 200)")
    parser.add_argument("--exercises", type=int, default=10, help="exercises played at once (default 10)")
    parser.add_argument("--turns", type=int, default=8, help="turns per exercise (default 8, the scenario's limit)")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 3.0], metavar=("MIN", "MAX"),
                        help="a player's think time between actions, seconds (default 1 3)")
    parser.add_argument("--turn-seconds", type=float, default=20, help="White locks after this long at most (20)")
    parser.add_argument("--web-workers", type=int, default=1, help="web server processes (default 1)")
    parser.add_argument("--celery-workers", type=int, default=1, help="Celery worker processes (default 1)")
    parser.add_argument("--compare", action="store_true", help="run twice, 1 + 1 then 2 + 2 processes, and compare")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after this many seconds per run")
    args = parser.parse_args()
    if args.players < args.exercises:
        parser.error("--players must be at least --exercises")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "secret_key.py")], check=True, stdout=subprocess.DEVNULL)
    import django

    django.setup()
    sizes = [(1, 1), (2, 2)] if args.compare else [(args.web_workers, args.celery_workers)]
    results = [run_load(args, web, celery) for web, celery in sizes]
    for result in results:
        print_result(result, args)
    if args.compare:
        print_comparison(*results)
    sys.exit(1 if any(r.errors for r in results) else 0)


if __name__ == "__main__":
    main()
