"""The practice game from White's home page to its end: one click starts it with bots in every seat; one player
joins Japan, reads the hints, hides them (they stay hidden after a reload), orders; White locks and publishes
turn 1; turn 2 opens with the Japan–Russia crisis, the player chooses and Russia's bot (a mirror) answers; White
locks and publishes turn 2, and the player's page shows the game has ended."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from wargame.exercises.models import Exercise

from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _lock_and_publish(white, exercise_id):
    white.goto(f"/f/{exercise_id}/")
    white.get_by_test_id("lock").click()
    expect(white.get_by_test_id("publish")).to_be_visible(timeout=20000)
    white.get_by_test_id("publish").click()
    expect(white.get_by_test_id("publish")).to_have_count(0, timeout=15000)


def test_practice_game_from_the_home_page_to_its_end_with_one_player_and_two_bots(new_page, facilitator):
    white = new_page(1920, 1080)
    sign_in_white(white)
    white.get_by_test_id("practice-start").click()
    expect(white.get_by_test_id("join-code")).to_be_visible()
    exercise = Exercise.objects.get(scenario__slug="practice")
    assert white.url.endswith(f"/f/{exercise.pk}/")
    code = white.get_by_test_id("join-code").inner_text().strip()
    assert code == exercise.join_code

    jpn = new_page(1366, 768)
    join_as(jpn, code, "Aiko", "Japan")
    expect(jpn.get_by_test_id("hints-bar")).to_be_visible()
    for which in ("orders", "argued", "map", "briefing"):
        expect(jpn.get_by_test_id(f"hint-{which}")).to_be_visible()
    expect(jpn.get_by_test_id("hint-crisis")).to_be_hidden()  # no crisis yet
    SHOTS.mkdir(parents=True, exist_ok=True)
    jpn.screenshot(path=str(SHOTS / "practice-dashboard.png"))

    jpn.get_by_test_id("hints-hide").click()
    expect(jpn.get_by_test_id("hints-show")).to_be_visible()
    expect(jpn.get_by_test_id("hint-orders")).to_have_count(0)
    jpn.reload()
    expect(jpn.get_by_test_id("hints-show")).to_be_visible()
    expect(jpn.get_by_test_id("hints-bar")).to_have_count(0)
    expect(jpn.get_by_test_id("hint-orders")).to_have_count(0)

    # Turn 1: Japan notifies Russia of its exercises; the bots order at lock.
    jpn.locator("#action-1").select_option("D7")
    jpn.locator("#target-1").select_option("RUS")
    jpn.locator("#order-forms form").first.get_by_role("button", name="Save order").click()
    expect(jpn.locator("#order-forms")).to_contain_text("Saved")
    _lock_and_publish(white, exercise.pk)

    # Turn 2 opens with the crisis the air incident made: Japan chooses, Russia's mirror copies it.
    expect(jpn.get_by_test_id("crisis-panel")).to_contain_text("48 hours to decide", timeout=15000)
    jpn.get_by_test_id("crisis-deescalate").click()
    expect(jpn.get_by_test_id("crisis-outcome")).to_be_visible(timeout=20000)
    expect(jpn.get_by_test_id("crisis-choice-RUS")).to_have_text("De-escalate")
    expect(jpn.locator("#turn-status")).to_contain_text("Turn 2")
    _lock_and_publish(white, exercise.pk)

    # Two turns: the game is over, and the player's page says so without a reload.
    expect(jpn.get_by_test_id("game-ended")).to_contain_text("The exercise has ended.", timeout=15000)
    expect(jpn.get_by_test_id("narrative")).to_be_visible()
    exercise.refresh_from_db()
    assert exercise.status == Exercise.Status.ENDED
    assert dict(exercise.teams.values_list("code", "bot_policy")) == {"JPN": "", "RUS": "mirror", "CHN": "status_quo"}
