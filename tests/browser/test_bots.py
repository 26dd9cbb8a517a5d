"""China run by a bot through two turns: each opens with a China–Japan crisis; Japan's player chooses in the
browser, the bot answers (a mirror copies Japan), the worker settles it, White locks, the worker resolves,
White publishes. China's orders on the console say "ordered by the bot"."""

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from wargame.exercises import services
from wargame.exercises.doorbells import Doorbell
from wargame.exercises.models import Turn
from wargame.exercises.services.common import bump

from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _crisis(exercise, number):
    """The turn opens as a turn ending with China–Japan at rung 4 leaves the next one."""
    turn = exercise.turns.get(number=number)
    state = dict(turn.state_before)
    state["crisis"] = ["CHN-JPN"]
    state["dyads"] = {**state["dyads"], "CHN-JPN": {**state["dyads"]["CHN-JPN"], "rung": 4, "T": 70.0}}
    Turn.objects.filter(pk=turn.pk).update(state_before=state,
                                           crisis_deadline=timezone.now() + timezone.timedelta(minutes=3))
    with transaction.atomic():  # a new version, so no page shows a panel drawn before the crisis
        bump(exercise.pk, Doorbell.CRISIS_CHANGED)


def test_china_run_by_a_bot_through_two_turns_with_crisis_choices(new_page, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Bot seminar",
                                        facilitator=facilitator, seed=8)
    white = new_page(1920, 1080)
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")
    control = white.get_by_test_id("bot-control-CHN")
    control.locator("select[name=policy]").select_option("mirror")
    white.get_by_test_id("bot-assign-CHN").click()
    expect(white.get_by_test_id("bot-running-CHN")).to_contain_text("run by the bot (mirror)")
    jpn = new_page()
    for number, choice, label in ((1, "deescalate", "De-escalate"), (2, "hold", "Hold")):
        _crisis(exercise, number)
        if number == 1:
            join_as(jpn, exercise.join_code, "Aiko", "Japan")
        else:
            jpn.goto(jpn.url)
        expect(jpn.get_by_test_id("crisis-panel")).to_contain_text("48 hours to decide")
        white.goto(f"/f/{exercise.pk}/")
        expect(white.get_by_test_id("console-crisis-waiting-CHN")).to_be_visible()
        jpn.get_by_test_id(f"crisis-{choice}").click()
        # The bot answers at once (a mirror copies Japan); the worker settles the crisis.
        expect(white.get_by_test_id("console-crisis-choice-CHN")).to_have_text(label, timeout=15000)
        expect(white.get_by_test_id("console-crisis-outcome")).to_be_visible(timeout=15000)
        expect(jpn.get_by_test_id("crisis-outcome")).to_be_visible(timeout=15000)
        white.get_by_test_id("lock").click()
        expect(white.get_by_test_id("publish")).to_be_visible(timeout=20000)
        expect(white.get_by_test_id("by-bot-CHN").first).to_have_text("ordered by the bot (mirror)")
        white.get_by_test_id("publish").click()
        expect(white.get_by_test_id("publish")).to_have_count(0, timeout=15000)
    assert exercise.turns.filter(number=3).exists()
