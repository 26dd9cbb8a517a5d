import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from wargame.server import web_command

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition, *, timeout=10.0, interval=0.05, message="condition"):
    """Poll until condition() is truthy; return its value or fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # tests run on their own Redis database (tests/testenv.py)
    yield


@pytest.fixture
def facilitator(db):
    return get_user_model().objects.create_user("white", password="white-cell-pass")


@pytest.fixture
def other_facilitator(db):
    return get_user_model().objects.create_user("grey", password="grey-cell-pass")


@pytest.fixture
def exercise(facilitator):
    from wargame.exercises import services

    return services.exercise_create(scenario_slug="northern-territories", name="Seminar A",
                                    facilitator=facilitator, seed=7)


def join(client, exercise, name, team_code):
    """Join through the real views, as a browser would."""
    response = client.post("/", {"code": exercise.join_code, "name": name})
    assert response.status_code == 302, response.content[:500]
    response = client.post(f"/x/{exercise.join_code}/join/", {"team": team_code})
    assert response.status_code == 302, response.content[:500]
    return response


@pytest.fixture
def jpn_client(client, exercise):
    join(client, exercise, "Aiko", "JPN")
    return client


@pytest.fixture
def rus_client(exercise):
    from django.test import Client

    c = Client()
    join(c, exercise, "Boris", "RUS")
    return c


@pytest.fixture
def white_client(exercise, facilitator):
    from django.test import Client

    c = Client()
    c.force_login(facilitator)
    return c


# ---- real services: uvicorn + Celery worker subprocesses on the test database ----

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url():
    from django.db import connection

    d = connection.settings_dict
    if d["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{d['NAME']}"
    user = d.get("USER") or "postgres"
    password = f":{d['PASSWORD']}" if d.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{d.get('HOST') or '127.0.0.1'}:{d.get('PORT') or 5432}/{d['NAME']}"


@dataclass
class Stack:
    url: str
    env: dict
    processes: list


@pytest.fixture(scope="session")
def live_stack(django_db_setup, django_db_blocker):
    """uvicorn (ASGI, for SSE) and a real Celery worker, both on the test database and test Redis."""
    env = dict(os.environ, DATABASE_URL=_test_database_url(), PYTHONUNBUFFERED="1")
    port = _free_port()
    logs = ROOT / "var"
    logs.mkdir(exist_ok=True)
    web_log = open(logs / "test-uvicorn.log", "w")
    worker_log = open(logs / "test-worker.log", "w")
    web = subprocess.Popen(
        web_command(host="127.0.0.1", port=port, workers=2),  # as `make run` serves it, two processes
        cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "wargame", "worker", "--pool", "solo", "--loglevel", "info",
         "--without-mingle", "--without-gossip", "--queues", env["CELERY_QUEUE"],
         "--hostname", f"test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def healthy():
        for p in (web, worker):
            if p.poll() is not None:
                raise AssertionError(f"a test subprocess exited early; see {logs}/test-*.log")
        try:
            return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, timeout=30, interval=0.2, message="uvicorn and the Celery worker to report healthy")
        yield Stack(url=url, env=env, processes=[web, worker])
    finally:
        for p in (web, worker):
            p.terminate()
        for p in (web, worker):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        web_log.close()
        worker_log.close()
