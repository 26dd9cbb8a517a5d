"""White's forecast in a real browser: started in review, its progress bar filling over the doorbell as the real
worker's chunks come in, then the fan chart; a player's dashboard in another browser shows nothing of it."""

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for
from wargame.exercises import services
from wargame.exercises.models import Forecast, Turn

from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_white_forecasts_in_review_and_no_player_sees_it(new_page, facilitator, live_stack):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Kuril seminar", facilitator=facilitator,
                                        seed=9)
    player = new_page()
    join_as(player, exercise.join_code, "Aiko", "Japan")
    services.order_save(player=exercise.players.get(display_name="Aiko"), turn_number=1, slot=1, action="M2")
    services.turn_lock(exercise=exercise, by="white")
    wait_for(lambda: Turn.objects.get(exercise=exercise, number=1).status == Turn.Status.REVIEW, timeout=20,
             message="the worker to resolve turn 1")

    white = new_page()
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")
    card = white.locator("#console-forecast")
    expect(card.get_by_role("heading", name="Forecast")).to_be_visible()
    card.get_by_label("Runs").fill("8000")
    card.get_by_role("button", name="Start forecast").click()
    bar = card.locator("progress")
    expect(bar).to_be_visible()
    seen = []
    while not card.locator("svg.chart-fan").count():
        if bar.count():
            try:
                seen.append(int(bar.get_attribute("value", timeout=500) or 0))
            except Exception:  # swapped out between the two calls
                pass
        white.wait_for_timeout(50)
        assert len(seen) < 2000, "the forecast never finished"
    assert len(set(seen)) >= 2 and max(seen) > min(seen), f"the bar never moved: {sorted(set(seen))}"
    expect(card.locator("svg.chart-fan")).to_have_count(2)
    expect(card.get_by_role("img", name="Forecast of tension JPN–RUS")).to_be_visible()
    expect(card.get_by_test_id("forecast-chances")).to_be_visible()
    assert Forecast.objects.get(exercise=exercise).status == "done"

    player.reload()
    expect(player.locator("#turn-status")).to_be_visible()
    assert "forecast" not in player.content().lower()
    assert not player.locator("#console-forecast").count()
