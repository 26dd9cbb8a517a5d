"""White adjudicates a turn in the browser while the projector's plenary view follows live."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from wargame.exercises import services

from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_override_reroll_adhoc_inject_and_publish(new_page, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Staff college, group A",
                                        facilitator=facilitator, seed=21)
    code = exercise.join_code
    white = new_page(1920, 1080)
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")

    plenary = new_page(1920, 1080)
    plenary.goto(f"/x/{code}/plenary/")
    expect(plenary.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    plenary.evaluate("window.__noReload = 'still here'")

    jpn, rus = new_page(), new_page()
    join_as(jpn, code, "Aiko", "Japan")
    join_as(rus, code, "Boris", "Russia")
    jpn.locator("#action-1").select_option("M2")
    jpn.locator("#order-forms form").first.get_by_role("button", name="Save order").click()
    expect(jpn.locator("#order-forms")).to_contain_text("Saved")

    white.get_by_test_id("lock").click()
    expect(white.get_by_test_id("publish")).to_be_visible(timeout=20000)

    # Override Japan's patrols with a reason.
    item = white.locator('[data-event="t1:order:JPN:M2"]')
    item.get_by_text("Override this result").click()
    item.get_by_label("Scale (0.5–1.5)").fill("0.5")
    # A live refresh of the review (a late doorbell) keeps the open form and what White typed.
    white.evaluate("document.getElementById('console-review').dataset.before = 'yes'")
    white.evaluate("htmx.trigger('#console-review', 'refresh')")
    expect(white.locator("#console-review[data-before]")).to_have_count(0)
    expect(item.get_by_label("Scale (0.5–1.5)")).to_have_value("0.5")
    expect(item.get_by_label("Scale (0.5–1.5)")).to_be_visible()
    item.get_by_label("Reason").select_option("Pedagogy")
    item.get_by_label("Note for the log").fill("Keep the first turn gentle")
    item.get_by_role("button", name="Apply override").click()
    expect(white.get_by_test_id("override-t1:order:JPN:M2")).to_contain_text("Pedagogy")

    # Re-roll one incident draw.
    reroll = white.locator('[data-testid^="reroll-t1:incident"]').first
    testid = reroll.get_attribute("data-testid")
    reroll.click()
    event_id = testid.removeprefix("reroll-").rsplit("-", 1)[0]
    expect(white.locator(f'[data-event="{event_id}"]')).to_contain_text("re-rolled")

    # An ad-hoc inject to Japan only.
    white.get_by_label("Title").fill("Leaked cable")
    white.get_by_label("Text the audience reads").fill("A cable on bastion patrols reaches Tokyo.")
    white.get_by_label("Only these teams:").check()
    white.locator('#console-injects input[name="teams"][value="JPN"]').check()
    white.get_by_test_id("inject-submit").click()
    expect(white.locator("#console-review")).to_contain_text("Leaked cable")
    white.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    white.screenshot(path=str(SHOTS / "console-1920x1080.png"))

    white.get_by_test_id("publish").click()
    expect(jpn.get_by_test_id("narrative")).to_contain_text("Leaked cable", timeout=10000)
    expect(rus.get_by_test_id("narrative")).to_be_visible()
    expect(rus.locator("#last-result")).not_to_contain_text("Leaked cable")

    expect(plenary.get_by_test_id("headlines")).to_be_visible(timeout=10000)
    expect(plenary.locator("#plenary-turn")).to_contain_text("2")
    assert plenary.evaluate("window.__noReload") == "still here"
    plenary.screenshot(path=str(SHOTS / "plenary-1920x1080.png"))
