"""A full room of open streams never starves the database.

Every open page holds an SSE stream for minutes. If a stream kept its PostgreSQL connection,
about as many tabs as `max_connections` would make every page fail, White's lock included.
Here the web server connects as a role allowed only a few connections, and the room opens
three times that many streams.
"""

import asyncio
import concurrent.futures
import os
import subprocess
import sys

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import Turn

from ..conftest import ROOT, _free_port, _test_database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROLE = "wargame_few_connections"
ROLE_CONNECTIONS = 8
STREAMS = 3 * ROLE_CONNECTIONS


@pytest.fixture
def limited_role():
    if connection.vendor != "postgresql":
        pytest.skip("connection limits are a PostgreSQL matter; SQLite has no connections to exhaust")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'")
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {ROLE} LOGIN")
        cursor.execute(f"ALTER ROLE {ROLE} CONNECTION LIMIT {ROLE_CONNECTIONS}")
        cursor.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {ROLE}")
        cursor.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    return _test_database_url().replace("://postgres@", f"://{ROLE}@", 1)


@pytest.fixture
def limited_web(limited_role):
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=limited_role, PYTHONUNBUFFERED="1", LIVE_STREAM_SECONDS="120")
    log = open(ROOT / "var" / "test-uvicorn-limited.log", "w")
    web = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "wargame.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--timeout-graceful-shutdown", "1", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up():
        assert web.poll() is None, "uvicorn exited; see var/test-uvicorn-limited.log"
        try:
            return httpx.get(f"{url}/ping", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, timeout=30, interval=0.2, message="uvicorn on the limited role")
        yield url
    finally:
        web.terminate()
        try:
            web.wait(timeout=10)
        except subprocess.TimeoutExpired:
            web.kill()
        log.close()


def _run(scenario):
    """asyncio.run in its own thread: the browser tests leave Playwright's loop on this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


async def _open_streams(url, n):
    """Open n streams; return once each has said hello, keeping them open until the caller's block ends."""
    client = httpx.AsyncClient(timeout=httpx.Timeout(10, read=60), limits=httpx.Limits(max_connections=n + 10))
    responses, hellos = [], 0
    for _ in range(n):
        response = await client.send(client.build_request("GET", url), stream=True)
        assert response.status_code == 200, await response.aread()
        responses.append(response)

    async def hello(response):
        async for line in response.aiter_lines():
            if line.startswith("event: hello"):
                return True
        return False

    results = await asyncio.wait_for(asyncio.gather(*(hello(r) for r in responses)), 30)
    hellos = sum(results)
    return client, responses, hellos


def test_more_streams_than_connections_and_pages_and_the_lock_still_work(limited_web, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Full room",
                                        facilitator=facilitator, seed=5)
    white = Client()
    white.force_login(facilitator)
    cookies = {settings.SESSION_COOKIE_NAME: white.cookies[settings.SESSION_COOKIE_NAME].value}

    async def scenario():
        client, streams, hellos = await _open_streams(f"{limited_web}/x/{exercise.join_code}/events/", STREAMS)
        try:
            assert hellos == STREAMS
            async with httpx.AsyncClient(base_url=limited_web, cookies=cookies, timeout=10) as http:
                pages = [await http.get(f"/x/{exercise.join_code}/plenary/") for _ in range(ROLE_CONNECTIONS)]
                assert [p.status_code for p in pages] == [200] * ROLE_CONNECTIONS
                console = await http.get(f"/f/{exercise.pk}/")
                assert console.status_code == 200
                lock = await http.post(f"/f/{exercise.pk}/lock/",
                                       headers={"X-CSRFToken": http.cookies["csrftoken"],
                                                "Referer": f"{limited_web}/f/{exercise.pk}/"})
                assert lock.status_code == 302, lock.text[:300]
            # the streams are still open after all that
            assert all(not r.is_closed for r in streams)
        finally:
            for r in streams:
                await r.aclose()
            await client.aclose()

    _run(scenario)
    assert Turn.objects.get(exercise=exercise, number=1).status != Turn.Status.OPEN


def test_the_observer_stream_answers_to_the_observer_code_only(limited_web, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Observed",
                                        facilitator=facilitator, seed=5)

    async def scenario():
        client, streams, hellos = await _open_streams(f"{limited_web}/o/{exercise.observer_code}/events/", 2)
        try:
            assert hellos == 2
        finally:
            for r in streams:
                await r.aclose()
            await client.aclose()
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.get(f"{limited_web}/o/{exercise.join_code}/events/")).status_code == 404

    _run(scenario)
