"""White's console when a turn locks by the clock and comes back for review, in a real browser.

uvicorn and a real Celery worker run the stack (tests/conftest.py: live_stack). The clock lock is
`services.deadlines_enforce`, what beat's task runs every 5 s in production; the real worker resolves.
"""

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import wait_for
from wargame.exercises import services
from wargame.exercises.models import Turn

from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _wait_in_browser(page, condition, what, timeout=10.0):
    """Wait for a condition the browser's own events make true (route handlers run only while it waits)."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        page.wait_for_timeout(50)


def _lock_by_the_clock(exercise, seconds=1.5):
    """Start a short turn clock and let the worker's deadline task lock the turn when it runs out."""
    deadline = timezone.now() + timedelta(seconds=seconds)
    Turn.objects.filter(exercise=exercise, number=1).update(deadline=deadline)
    return deadline


def test_a_refresh_asked_for_while_one_is_in_flight_still_shows_the_publish_button(new_page, facilitator, live_stack):
    """The turn panel's refresh for "locked" is still on the wire when the worker says "resolved".

    The browser is made to hold that first refresh (fetched while the turn was locked, so its answer is
    stale) until the review list has appeared, then let it through. The later refreshes, asked for while
    it was in flight, must not be lost: Publish appears at once, not at the panel's next poll (5 s).
    """
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Clock lock",
                                        facilitator=facilitator, seed=5)
    white = new_page(1366, 768)
    sign_in_white(white)
    deadline = _lock_by_the_clock(exercise)
    held, armed = [], []

    def hold_first_turn_refresh(route, request):
        if armed and not held and request.method == "GET" and request.headers.get("hx-target") == "console-turn":
            held.append((route, route.fetch()))  # answered now, while the turn is locked
            return
        route.continue_()

    white.route(f"**/f/{exercise.pk}/", hold_first_turn_refresh)
    white.goto(f"/f/{exercise.pk}/")
    expect(white.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    armed.append(True)
    wait_for(lambda: timezone.now() >= deadline, timeout=5, message="the turn clock to run out")
    worker = live_stack.processes[1]
    os.kill(worker.pid, signal.SIGSTOP)  # so the refresh for "locked" is surely answered before the result
    try:
        assert services.deadlines_enforce() == [exercise.turns.get(number=1).pk]  # beat's task, run here
        _wait_in_browser(white, lambda: held, "the turn panel's refresh after the lock")
    finally:
        os.kill(worker.pid, signal.SIGCONT)  # the real worker resolves the turn now

    expect(white.locator("#console-review .review-item").first).to_be_visible(timeout=20000)
    assert Turn.objects.get(exercise=exercise, number=1).status == Turn.Status.REVIEW
    route, stale = held[0]
    assert "resolving the turn" in stale.text(), "the held answer was not stale; the test proves nothing"
    try:
        route.fulfill(response=stale)
    except Exception:  # the browser already gave up on it (a newer refresh replaced it): that is the fix
        pass
    expect(white.get_by_test_id("publish")).to_be_visible(timeout=2500)
    expect(white.get_by_test_id("turn-status")).to_have_text("In White's review")
