"""Bytes on the wire under uvicorn: gzip pages, hashed static files cached for a year, a favicon,
and an event stream that is never compressed and still says hello at once."""

import re

import httpx
import pytest

from wargame.exercises import services

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

A_YEAR = 365 * 24 * 3600


def test_pages_and_static_files_travel_compressed_and_static_files_are_cached(live_stack):
    with httpx.Client(base_url=live_stack.url, headers={"accept-encoding": "gzip"}, timeout=10) as http:
        page = http.get("/")
        assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
        assert page.num_bytes_downloaded < len(page.content)
        urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        assert any("/css/app." in u for u in urls) and any("/django_htmx/htmx-2.min." in u for u in urls)
        for url in urls:
            assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", url), url
            r = http.get(url)
            assert r.status_code == 200, url
            assert int(re.search(r"max-age=(\d+)", r.headers["cache-control"]).group(1)) >= A_YEAR, url
            assert r.headers["content-encoding"] == "gzip", url
        assert http.get("/favicon.ico").status_code == 200


def test_the_event_stream_is_not_compressed_and_says_hello(live_stack, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Bytes", facilitator=facilitator,
                                        seed=5)
    url = f"{live_stack.url}/x/{exercise.join_code}/events/"
    with httpx.stream("GET", url, headers={"accept-encoding": "gzip, deflate, br"},
                      timeout=httpx.Timeout(5, read=10)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        for line in response.iter_lines():
            if line.startswith("event:"):
                assert line.split(":", 1)[1].strip() == "hello"
                break
