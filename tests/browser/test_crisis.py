"""A crisis sub-turn played in browsers: Japan and Russia at rung 4; Japan de-escalates, Russia holds;
White sees both choices as they are made; the worker settles it and every page shows the outcome live."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from wargame.exercises import services
from wargame.exercises.models import Turn

from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _open_with_a_crisis(facilitator):
    """Turn 1 opens as a turn ending with Japan–Russia at rung 4 leaves the next one."""
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Crisis seminar",
                                        facilitator=facilitator, seed=8)
    turn = exercise.turns.get(number=1)
    state = dict(turn.state_before)
    state["crisis"] = ["JPN-RUS"]
    state["dyads"] = {**state["dyads"], "JPN-RUS": {**state["dyads"]["JPN-RUS"], "rung": 4, "T": 68.0}}
    Turn.objects.filter(pk=turn.pk).update(state_before=state,
                                           crisis_deadline=timezone.now() + timezone.timedelta(minutes=3))
    return exercise


def test_two_teams_at_rung_4_decide_and_every_page_updates_without_a_reload(new_page, facilitator):
    exercise = _open_with_a_crisis(facilitator)
    code = exercise.join_code
    white = new_page(1920, 1080)
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")
    expect(white.get_by_test_id("console-crisis")).to_contain_text("Crisis sub-turn")
    plenary = new_page(1920, 1080)
    plenary.goto(f"/x/{code}/plenary/")
    expect(plenary.get_by_test_id("plenary-crisis")).to_be_visible()
    expect(plenary.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    jpn, rus = new_page(), new_page()
    join_as(jpn, code, "Aiko", "Japan")
    join_as(rus, code, "Boris", "Russia")
    for page in (jpn, rus, white, plenary):
        page.evaluate("window.__noReload = 'still here'")

    expect(jpn.get_by_test_id("crisis-panel")).to_contain_text("48 hours to decide")
    jpn.get_by_test_id("crisis-deescalate").click()
    expect(jpn.get_by_test_id("crisis-choice-JPN")).to_have_text("De-escalate")
    # White sees Japan's choice at once; Russia sees only that Japan has chosen.
    expect(white.get_by_test_id("console-crisis-choice-JPN")).to_have_text("De-escalate", timeout=10000)
    expect(white.get_by_test_id("console-crisis-waiting-RUS")).to_be_visible()
    expect(rus.get_by_test_id("crisis-panel")).to_contain_text("has chosen", timeout=10000)
    expect(rus.get_by_test_id("crisis-choice-JPN")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    rus.screenshot(path=str(SHOTS / "crisis-1366x768.png"))

    rus.get_by_test_id("crisis-hold").click()
    # Both have chosen: the worker settles the crisis, and every page shows the outcome by itself.
    for page in (jpn, rus):
        expect(page.get_by_test_id("crisis-outcome")).to_contain_text("Japan de-escalates; Russia holds", timeout=15000)
        expect(page.get_by_test_id("crisis-choice-JPN")).to_have_text("De-escalate")
        expect(page.get_by_test_id("crisis-choice-RUS")).to_have_text("Hold")
    expect(white.get_by_test_id("console-crisis-outcome")).to_be_visible(timeout=10000)
    expect(white.get_by_test_id("console-crisis-choice-RUS")).to_have_text("Hold")
    expect(plenary.get_by_test_id("plenary-crisis")).to_contain_text("settled", timeout=10000)
    white.screenshot(path=str(SHOTS / "console-crisis-1920x1080.png"))
    for page in (jpn, rus, white, plenary):
        assert page.evaluate("window.__noReload") == "still here"
