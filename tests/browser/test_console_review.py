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

from .people import sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"  # not committed; look at them after a run


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

    asked = []
    white.on("request", lambda r: r.headers.get("hx-target") == "console-turn" and asked.append(
        (time.monotonic(), r.headers.get("hx-trigger-name") or r.headers.get("triggering-event") or "")))
    white.on("requestfailed", lambda r: r.headers.get("hx-target") == "console-turn" and asked.append(
        (time.monotonic(), f"failed: {r.failure}")))
    white.on("requestfinished", lambda r: r.headers.get("hx-target") == "console-turn" and asked.append(
        (time.monotonic(), "answered")))
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
    released = time.monotonic()
    try:  # the stale answer starts the panel's 5 s poll: the refresh asked for must come well before it
        expect(white.get_by_test_id("publish")).to_be_visible(timeout=3500)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nturn panel requests (s after release, negative before): "
                             f"{[(round(t - released, 2), what) for t, what in asked]}") from None
    expect(white.get_by_test_id("turn-status")).to_have_text("In White's review")


def _order(exercise, name, team, action, target=""):
    player = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{name}")
    player = services.player_choose_team(player=player, team_code=team)
    services.order_save(player=player, turn_number=1, slot=1, action=action, target=target, base_revision=0)


def test_the_review_comes_first_and_an_override_changes_its_row_without_moving_the_page(new_page, facilitator):
    """At 1366×768 the clock locks the turn; when the worker's result arrives the review is on screen without
    a reload or a scroll. Scaling one result answers in that row: the page does not move and the row says so."""
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Laptop review",
                                        facilitator=facilitator, seed=21)
    _order(exercise, "Aiko", "JPN", "M2")
    white = new_page(1366, 768)
    sign_in_white(white)
    deadline = None
    white.goto(f"/f/{exercise.pk}/")
    expect(white.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    white.evaluate("window.__noReload = 'still here'")

    deadline = _lock_by_the_clock(exercise)
    wait_for(lambda: timezone.now() >= deadline, timeout=5, message="the turn clock to run out")
    assert services.deadlines_enforce()  # beat's task; the real worker resolves, the page follows live
    expect(white.get_by_test_id("publish")).to_be_visible(timeout=20000)
    review = white.locator("#console-review")
    expect(review.locator(".review-item").first).to_be_visible()
    assert white.evaluate("window.scrollY") == 0
    top = review.bounding_box()["y"]
    assert top < 768 / 2, f"the review starts {top:.0f} px down, below the fold's first half"
    assert white.evaluate("window.__noReload") == "still here"
    SHOTS.mkdir(parents=True, exist_ok=True)
    white.screenshot(path=str(SHOTS / "console-review-1366x768.png"))

    row = white.locator("#review-row-t1-order-JPN-M2")
    expect(row.locator(".review-title")).to_have_text("Japan: ASW patrols at Soya/Okhotsk")
    row.get_by_text("Override this result").click()
    row.get_by_label("Scale (0.5–1.5)").fill("0.5")
    row.get_by_label("Reason").select_option("Pedagogy")
    row.get_by_label("Note for the log").scroll_into_view_if_needed()
    before = white.evaluate("window.scrollY")
    assert before > 0  # the row sits below the fold: a reload to the top would show
    # Count the review's own refreshes from before the click: the doorbell's may land before the answer's.
    white.evaluate("""window.__reviewRefreshes = 0; document.body.addEventListener('htmx:afterSwap', function (e) {
        if (e.detail.requestConfig && e.detail.requestConfig.elt && e.detail.requestConfig.elt.id === 'console-review')
            window.__reviewRefreshes++; })""")
    row.get_by_role("button", name="Apply override").click()

    saved = white.get_by_test_id("saved-t1-order-JPN-M2")
    expect(saved).to_have_text("Scaled ×0.5 — saved")
    expect(white.get_by_test_id("override-t1:order:JPN:M2")).to_contain_text("Scaled ×0.5")
    # The override rings the doorbell, and the whole review refreshes itself: the note stays, nothing moves.
    _wait_in_browser(white, lambda: white.evaluate("window.__reviewRefreshes") >= 1,
                     "the review to refresh itself after the doorbell")
    expect(saved).to_have_text("Scaled ×0.5 — saved")
    assert white.evaluate("window.scrollY") == before
    assert white.evaluate("window.__noReload") == "still here"

    for width, height in ((1366, 768), (1920, 1080)):
        white.set_viewport_size({"width": width, "height": height})
        white.evaluate("window.scrollTo(0, 0)")
        white.screenshot(path=str(SHOTS / f"console-review-{width}x{height}.png"))
    white.screenshot(path=str(SHOTS / "console-review-full-page.png"), full_page=True)
