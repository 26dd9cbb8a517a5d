"""People in the room, in real browsers: a player who chose the wrong team asks to switch and White
approves from the console's teams panel; White renames and removes a player, who is told so; White
ends and archives the exercise from the console."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from wargame.exercises import services
from wargame.exercises.models import Player

from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screens"  # looked at by hand; not committed


def test_switch_request_rename_remove_end_and_archive(new_page, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="People seminar",
                                        facilitator=facilitator, seed=3)
    code = exercise.join_code
    white = new_page(1366, 768)
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")
    teams = white.locator("#console-teams")

    aiko, ken = new_page(), new_page()
    join_as(aiko, code, "Aiko", "Japan")
    join_as(ken, code, "Ken", "Japan")
    expect(teams).to_contain_text("Ken")

    # Aiko meant Russia: from her seat page she asks White to move her.
    aiko.goto(f"/x/{code}/seat/")
    aiko.get_by_label("Move me to").select_option("RUS")
    aiko.get_by_role("button", name="Ask White to move me").click()
    expect(aiko.get_by_test_id("switch-pending")).to_contain_text("Russia")
    expect(aiko.locator("#live-pill")).to_have_attribute("data-live-state", "live")

    # White's teams panel shows the request live (roster_changed), and White approves it.
    aiko_id = Player.objects.get(display_name="Aiko").pk
    request_row = white.get_by_test_id(f"switch-request-{aiko_id}")
    expect(request_row).to_contain_text("asks to move to Russia")
    SHOTS.mkdir(parents=True, exist_ok=True)
    teams.screenshot(path=str(SHOTS / "console-teams-1366x768.png"))
    request_row.get_by_role("button", name="Approve").click()
    expect(white.get_by_test_id("console-message")).to_have_text("Aiko moved to Russia.")
    # Aiko's seat page hears it without a reload and takes her to Russia.
    expect(aiko.get_by_test_id("switch-outcome")).to_contain_text("you now play Russia")
    aiko.get_by_role("link", name="Open Russia's dashboard").click()
    expect(aiko.locator("#turn-status")).to_be_visible()

    # White renames Ken, then removes him: his dashboard says so.
    ken_id = Player.objects.get(display_name="Ken").pk
    person = white.get_by_test_id(f"person-{ken_id}")
    person.locator("summary").click()
    person.get_by_label("Name").fill("Ken Watanabe")
    person.get_by_role("button", name="Rename").click()
    expect(white.get_by_test_id("console-message")).to_have_text("Ken is now Ken Watanabe.")
    person = white.get_by_test_id(f"person-{ken_id}")
    person.locator("summary").click()
    white.screenshot(path=str(SHOTS / "console-1366x768.png"))
    person.get_by_role("button", name="Remove Ken Watanabe").click()
    expect(white.get_by_test_id(f"person-{ken_id}")).to_have_text("Ken Watanabe (removed)")
    ken.reload()
    expect(ken.get_by_test_id("removed")).to_contain_text("removed “Ken Watanabe”")

    # White ends the exercise with a reason, then archives it: it leaves the list, under Archived.
    white.get_by_text("Exercise: end, archive, delete").click()
    white.get_by_label("Reason").fill("Out of time")
    white.get_by_role("button", name="End the exercise").click()
    expect(white.get_by_test_id("ended")).to_contain_text("Out of time")
    white.get_by_text("Exercise: end, archive, delete").click()
    white.get_by_role("button", name="Archive").click()
    expect(white.get_by_role("heading", name="Your exercises")).to_be_visible()
    archived = white.get_by_test_id("archived")
    expect(archived).to_contain_text("1")
    archived.locator("summary").click()
    expect(archived).to_contain_text("People seminar")
    white.screenshot(path=str(SHOTS / "facilitator-home-1366x768.png"))
