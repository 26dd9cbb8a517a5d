"""Three players in two teams: they negotiate, agree a 2+2, argue and counter, collide on an
order, and each team reads only its own results."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from wargame.exercises import services
from wargame.scenarios import load_scenario

from .people import join_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_order(page, slot, action, target=None, note=None):
    form = page.locator("#order-forms form").nth(slot - 1)
    form.locator(f"#action-{slot}").select_option(action)
    if target:
        form.locator(f"#target-{slot}").select_option(target)
    if note:
        form.locator(f"#note-{slot}").fill(note)
    form.get_by_role("button", name="Save order").click()


def test_negotiate_agree_argue_conflict_and_publish(new_page, facilitator):
    # Sea of Okhotsk: no action waits for an inject, so the 2+2 can be agreed in turn 1.
    exercise = services.exercise_create(scenario_slug="sea-of-okhotsk", name="Okhotsk seminar",
                                        facilitator=facilitator, seed=5)
    code = exercise.join_code
    spec = load_scenario("sea-of-okhotsk")
    rus_private = next(t for t in spec.teams if t.code == "RUS").private_briefing.split("\n")[0][:50]

    aiko, ken, boris = new_page(), new_page(), new_page()
    join_as(aiko, code, "Aiko", "Japan")
    join_as(ken, code, "Ken", "Japan")
    join_as(boris, code, "Boris", "Russia")

    # 1. They negotiate: Aiko writes to Russia; Boris sees the unread badge and the message, live.
    aiko.goto(f"/x/{code}/t/JPN/messages/?thread=JPN-RUS")
    aiko.locator("#compose-body").fill("Shall we revive the 2+2 this quarter? <b>not bold</b>")
    aiko.get_by_role("button", name="Send", exact=True).click()
    expect(aiko.get_by_test_id("compose-sent")).to_be_visible()
    expect(boris.get_by_test_id("unread-total")).to_contain_text("1 unread")
    boris.goto(f"/x/{code}/t/RUS/messages/?thread=JPN-RUS")
    expect(boris.get_by_test_id("messages")).to_contain_text("<b>not bold</b>")
    boris.locator("#compose-body").fill("Agreed. Tokyo, then.")
    boris.get_by_role("button", name="Send", exact=True).click()
    expect(aiko.get_by_test_id("messages")).to_contain_text("Agreed. Tokyo, then.")

    # 2. Japan proposes D1; Russia sees the proposal and accepts by ordering it too.
    aiko.goto(f"/x/{code}/t/JPN/")
    boris.goto(f"/x/{code}/t/RUS/")
    ken.reload()
    save_order(aiko, 1, "D1", "RUS", note="SECRET-JPN-NOTE")
    expect(aiko.locator("#order-forms")).to_contain_text("Saved")
    expect(boris.locator("#proposals")).to_contain_text("proposes D1")
    save_order(boris, 1, "D1", "JPN")
    expect(boris.get_by_test_id("proposal-agreed")).to_be_visible()
    expect(aiko.get_by_test_id("proposal-agreed")).to_be_visible()

    # 3. Russia argues an action; Japan counters it and picks an estimative card.
    boris.get_by_label("What your team does").fill("Offer a joint search-and-rescue drill off Soya")
    boris.get_by_label("The result you want").fill("Japan–Russia communication deepens")
    boris.get_by_label("Reason 1").fill("Both navies lose sailors to the same weather")
    boris.get_by_role("button", name="Save argued action").click()
    expect(boris.locator("#argued-panel")).to_contain_text("Saved")
    # Japan's argued panel learns of it live (the orders_changed doorbell), with no reload or nudge.
    expect(aiko.locator('[data-argued="RUS"]')).to_contain_text("search-and-rescue")
    aiko.get_by_label("Your counter-argument").fill("A drill near Soya also maps our ASW barrier")
    aiko.get_by_role("button", name="Post counter-argument").click()
    expect(aiko.locator('[data-argued="RUS"]')).to_contain_text("maps our ASW barrier")
    aiko.locator('[data-argued="RUS"] input[name="probability"][value="30"]').check()
    aiko.get_by_test_id("card-submit-RUS").click()
    expect(aiko.get_by_test_id("my-card-RUS")).to_contain_text("30%")

    # 4. Aiko saves Japan's second order while Ken is typing his: Ken is told live, and keeps his text.
    ken_form = ken.locator("#order-forms form").nth(1)
    ken_form.locator("#action-2").select_option("M1")
    ken_form.locator("#target-2").select_option("CHN")
    ken_form.locator("#note-2").fill("Ken's own plan")
    save_order(aiko, 2, "M2")
    expect(aiko.locator("#order-forms")).to_contain_text("Saved")
    expect(ken.get_by_test_id("order-changed-2")).to_be_visible(timeout=10000)
    expect(ken.get_by_test_id("order-changed-2")).to_contain_text("Aiko changed this order")
    expect(ken.locator("#note-2")).to_have_value("Ken's own plan")
    aiko.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    aiko.screenshot(path=str(SHOTS / "dashboard-orders-1366x768.png"))

    # 5. White locks and publishes.
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=1)
    from ..conftest import wait_for

    wait_for(lambda: type(turn).objects.get(pk=turn.pk).status == "review", timeout=20,
             message="the worker to resolve the turn")
    services.turn_publish(exercise=exercise, by="white")

    # 6. Each team reads its own narrative, with the 2+2, and nothing private of the other.
    for page in (aiko, boris):
        expect(page.get_by_test_id("narrative")).to_contain_text("D1", timeout=10000)
    aiko_html, boris_html = aiko.content(), boris.content()
    assert rus_private not in aiko_html
    assert "SECRET-JPN-NOTE" not in boris_html
    jpn_rus = aiko.get_by_test_id("tension-JPN-RUS")
    expect(jpn_rus).to_be_visible()
    aiko.evaluate("window.scrollTo(0, 0)")
    aiko.screenshot(path=str(SHOTS / "dashboard-1366x768.png"))
    boris.goto(f"/x/{code}/t/RUS/messages/?thread=JPN-RUS")
    boris.screenshot(path=str(SHOTS / "messages-1366x768.png"))
