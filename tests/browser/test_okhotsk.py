"""Two turns of the Sea of Okhotsk in browsers: Russia hides its SSBN in the northern Kurils; Japan hunts in
the wrong zone, then the right one; the contact shows on Japan's map and Russia's dashboard says its boat was
found; China's pages never hold the boat's zone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from wargame.exercises import services
from wargame.exercises.models import Turn

from ..conftest import wait_for
from .people import join_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ZONE = "kurils_north"
SECRETS = ('data-own-sub-zone', "SSBN bastion patrol", f"({ZONE}, secret)")


def _order(page, action, zone):
    page.locator("#action-1").select_option(action)
    page.locator("#target-1").select_option(zone)
    page.locator("#order-forms form").first.get_by_role("button", name="Save order").click()
    expect(page.locator("#order-forms")).to_contain_text("Saved")


def _resolve(exercise, number):
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=number)
    wait_for(lambda: Turn.objects.get(pk=turn.pk).status == Turn.Status.REVIEW, timeout=20,
             message="the worker to resolve the turn")
    return Turn.objects.get(pk=turn.pk)


def test_russia_hides_its_ssbn_and_japan_finds_it_on_the_second_hunt(new_page, facilitator):
    exercise = services.exercise_create(scenario_slug="sea-of-okhotsk", name="Bastion seminar",
                                        facilitator=facilitator, seed=3, team_codes=["JPN", "RUS", "CHN"])
    jpn, rus, chn = new_page(), new_page(), new_page()
    join_as(jpn, exercise.join_code, "Aiko", "Japan")
    join_as(rus, exercise.join_code, "Boris", "Russia")
    join_as(chn, exercise.join_code, "Chen", "China")
    china_saw = []

    _order(rus, "S1", ZONE)
    _order(jpn, "H1", "okhotsk")  # the wrong zone
    _resolve(exercise, 1)
    services.turn_publish(exercise=exercise, by="white")
    expect(rus.locator(f'#team-map [data-own-sub-zone="{ZONE}"]')).to_be_attached(timeout=10000)
    expect(jpn.get_by_test_id("narrative")).to_contain_text("no submarine contact in okhotsk", timeout=10000)
    expect(jpn.locator("[data-contact-zone]")).to_have_count(0)
    expect(chn.locator("#turn-status")).to_contain_text("Turn 2", timeout=10000)
    china_saw.append(chn.content())

    _order(jpn, "H1", ZONE)  # the right one
    turn = _resolve(exercise, 2)
    draw = next(d for d in turn.result["draws"] if d["event"] == "t2:detection:JPN:RUS")
    services.turn_override(exercise=exercise, by="white", turn_number=2, event_id=draw["event"],
                           kind="manual_dice", value=[1], reason="Pedagogy", draw=draw["k"])  # White's dice
    services.turn_publish(exercise=exercise, by="white")
    contact = jpn.locator(f'#team-map [data-contact-zone="{ZONE}"]')
    expect(contact).to_be_attached(timeout=10000)
    expect(contact).to_have_attribute("data-turn", "2")
    expect(rus.get_by_test_id("narrative")).to_contain_text(f"your submarine in {ZONE} has been detected",
                                                              timeout=10000)
    expect(chn.locator("#turn-status")).to_contain_text("Turn 3", timeout=10000)
    china_saw.append(chn.content())
    chn.reload()
    china_saw.append(chn.content())
    for html in china_saw:
        assert not [s for s in SECRETS if s in html] and "data-contact-zone" not in html
    SHOTS.mkdir(parents=True, exist_ok=True)
    jpn.get_by_test_id("results-banner").get_by_role("button", name="Later").click()
    jpn.locator("#team-map").scroll_into_view_if_needed()
    jpn.locator("#team-map").screenshot(path=str(SHOTS / "okhotsk-contact-japan-map.png"))
