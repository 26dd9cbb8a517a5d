"""A facilitator and two players, each in their own browser, play one full turn."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from wargame.exercises import services

from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_one_full_turn_reaches_every_player_without_a_reload(new_page, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Browser seminar",
                                        facilitator=facilitator, seed=11)
    code = exercise.join_code

    white = new_page(1440, 900)
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")
    expect(white.get_by_test_id("join-code")).to_have_text(code)

    jpn, rus = new_page(), new_page()
    join_as(jpn, code, "Aiko", "Japan")
    join_as(rus, code, "Boris", "Russia")

    # White's team list updates live as the players join and order.
    expect(white.locator("#console-teams")).to_contain_text("Aiko")
    expect(white.locator("#console-teams")).to_contain_text("Boris")

    jpn.locator("#action-1").select_option("M2")
    jpn.locator("#order-forms form").first.get_by_role("button", name="Save order").click()
    expect(jpn.locator("#order-forms")).to_contain_text("Saved")
    expect(white.locator("#console-orders")).to_contain_text("M2")

    for page in (jpn, rus):  # a marker that a reload would wipe
        page.evaluate("window.__noReload = 'still here'")

    white.get_by_test_id("lock").click()
    expect(white.get_by_test_id("publish")).to_be_visible(timeout=20000)
    expect(white.locator("#console-review")).to_contain_text("JPN-RUS")
    SHOTS.mkdir(parents=True, exist_ok=True)
    white.screenshot(path=str(SHOTS / "console-review.png"), full_page=True)
    white.get_by_test_id("publish").click()

    for page in (jpn, rus):
        expect(page.get_by_test_id("narrative")).to_be_visible(timeout=10000)
        expect(page.get_by_test_id("turn-status")).to_have_text("Open for orders")
        assert page.evaluate("window.__noReload") == "still here"
    expect(jpn.locator("#turn-status")).to_contain_text("Turn 2")
    jpn.evaluate("window.scrollTo(0, 0)")
    jpn.screenshot(path=str(SHOTS / "dashboard-1366x768.png"))
