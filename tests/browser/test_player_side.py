"""The player's side of the room, in real browsers against uvicorn, a Celery worker and Redis:
results that arrive in view, a teammate's change to the order being edited, the deadline, and
the messages page's first seconds."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from wargame.exercises import services
from wargame.exercises.models import Order, Player, Turn

from ..conftest import wait_for
from .people import join_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _exercise(facilitator, name):
    return services.exercise_create(scenario_slug="northern-territories", name=name, facilitator=facilitator, seed=5)


def _in_viewport(page, locator):
    box = locator.bounding_box()
    view = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= view["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= view["width"]


def _resolve_and_publish(exercise):
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=1)
    wait_for(lambda: Turn.objects.get(pk=turn.pk).status == Turn.Status.REVIEW, timeout=20,
             message="the worker to resolve the turn")
    services.turn_publish(exercise=exercise, by="white")


def test_results_banner_is_in_view_for_every_player_when_white_publishes(new_page, facilitator):
    """A 1366×768 laptop: Japan and Russia are down at their order forms when White publishes turn 1.
    Each sees "Turn 1 results are in" without scrolling or reloading, and its button brings the results up."""
    exercise = _exercise(facilitator, "Banner seminar")
    jpn, rus = new_page(1366, 768), new_page(1366, 768)
    join_as(jpn, exercise.join_code, "Aiko", "Japan")
    join_as(rus, exercise.join_code, "Boris", "Russia")
    for page in (jpn, rus):
        page.evaluate("window.__noReload = 'still here'")
        page.locator("#order-forms").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert page.evaluate("window.scrollY") > 500
        expect(page.get_by_test_id("results-banner")).to_be_hidden()

    _resolve_and_publish(exercise)

    for page in (jpn, rus):
        banner = page.get_by_test_id("results-banner")
        expect(banner).to_be_visible(timeout=10000)
        expect(banner).to_contain_text("Turn 1 results are in")
        wait_for(lambda: _in_viewport(page, banner), message="the results banner to be in the viewport")
        # The status never lags behind the results: both came with the same doorbell.
        expect(page.get_by_test_id("turn-status")).to_have_text("Open for orders")
        expect(page.locator("#turn-status")).to_contain_text("Turn 2")
        expect(page.get_by_test_id("narrative")).to_be_visible()
        assert page.evaluate("window.__noReload") == "still here"
    SHOTS.mkdir(parents=True, exist_ok=True)
    jpn.screenshot(path=str(SHOTS / "results-banner-1366x768.png"))

    jpn.get_by_role("link", name="Read them").click()
    expect(jpn.get_by_test_id("results-banner")).to_be_hidden()
    wait_for(lambda: _in_viewport(jpn, jpn.locator("#last-result h2")), message="the results to scroll into view")
    jpn.reload()  # seen once is seen: the banner stays away
    expect(jpn.locator("#turn-status")).to_contain_text("Turn 2")
    expect(jpn.get_by_test_id("results-banner")).to_be_hidden()

    # The turn list opens turn 1 again, as Japan saw it.
    jpn.get_by_test_id("turn-list").get_by_role("link", name="Turn 1").click()
    expect(jpn.get_by_role("heading", name="Turn 1 results")).to_be_visible()
    expect(jpn.get_by_test_id("history-narrative")).not_to_be_empty()
    jpn.screenshot(path=str(SHOTS / "turn-history-1366x768.png"), full_page=True)


def test_a_teammates_save_reaches_the_player_editing_the_same_order(new_page, facilitator):
    """Aiko is typing order 2 when Cdr Sato saves it. Her panel says so, with his version, and keeps
    her text; a plain save does not overwrite him; "Replace theirs with mine" does, and his form follows."""
    exercise = _exercise(facilitator, "Conflict seminar")
    aiko, sato = new_page(), new_page()
    join_as(aiko, exercise.join_code, "Aiko", "Japan")
    join_as(sato, exercise.join_code, "Cdr Sato", "Japan")

    aiko.locator("#action-2").select_option("M1")
    aiko.locator("#target-2").select_option("CHN")  # procurement names the rival it answers
    aiko.locator("#note-2").fill("Aiko: buy frigates first")

    sato.locator("#action-2").select_option("M2")
    sato.locator("#note-2").fill("Sato: patrol Soya")
    sato.locator("#order-forms form").nth(1).get_by_role("button", name="Save order").click()
    expect(sato.locator("#order-forms")).to_contain_text("Saved")

    notice = aiko.get_by_test_id("order-changed-2")
    expect(notice).to_be_visible(timeout=10000)
    expect(notice).to_contain_text("Cdr Sato changed this order")
    expect(notice).to_contain_text("Sato: patrol Soya")
    expect(aiko.locator("#note-2")).to_have_value("Aiko: buy frigates first")
    expect(aiko.locator("#action-2")).to_have_value("M1")
    aiko.locator("#order-forms").screenshot(path=str(SHOTS / "order-changed-live.png"))

    # Replace theirs with mine: an explicit choice, posted with the revision she has now seen.
    notice.get_by_role("button", name="Replace theirs with mine").click()
    expect(aiko.locator("#order-forms")).to_contain_text("Saved")
    order = wait_for(lambda: Order.objects.filter(slot=2, note="Aiko: buy frigates first").first(),
                     message="Aiko's version to be saved")
    assert order.action == "M1" and order.updated_by.display_name == "Aiko"
    expect(sato.locator("#note-2")).to_have_value("Aiko: buy frigates first", timeout=10000)


def test_a_plain_save_after_a_conflict_shows_both_versions(new_page, facilitator):
    exercise = _exercise(facilitator, "Side by side seminar")
    aiko, sato = new_page(), new_page()
    join_as(aiko, exercise.join_code, "Aiko", "Japan")
    join_as(sato, exercise.join_code, "Cdr Sato", "Japan")
    aiko.locator("#note-1").fill("Aiko's plan")
    sato_player = Player.objects.get(display_name="Cdr Sato")
    services.order_save(player=sato_player, turn_number=1, slot=1, action="M2", note="Sato's plan")
    expect(aiko.get_by_test_id("order-changed-1")).to_be_visible(timeout=10000)
    # The plain "Save order" gives way to Replace/Keep; a plain submit (Enter) is still refused.
    expect(aiko.locator("#order-forms form").first.get_by_role("button", name="Save order")).to_be_hidden()
    aiko.locator("#order-forms form").first.evaluate("f => f.requestSubmit()")
    compare = aiko.get_by_test_id("order-compare-1")
    expect(compare).to_be_visible()
    expect(compare).to_contain_text("Sato's plan")
    expect(compare).to_contain_text("Aiko's plan")
    assert Order.objects.get(slot=1).note == "Sato's plan"
    aiko.locator("#order-forms").screenshot(path=str(SHOTS / "order-conflict-side-by-side.png"))


def test_the_deadline_warns_and_the_lock_keeps_unsent_text_visible(new_page, facilitator):
    exercise = _exercise(facilitator, "Deadline seminar")
    aiko = new_page()
    join_as(aiko, exercise.join_code, "Aiko", "Japan")
    warning = aiko.get_by_test_id("deadline-warning")
    expect(warning).to_be_hidden()

    services.turn_set_deadline(turn=exercise.turns.get(number=1), minutes=1, by="white")
    expect(warning).to_be_visible(timeout=10000)
    expect(warning).to_contain_text("Under a minute left")

    aiko.locator("#action-1").select_option("M2")
    aiko.locator("#note-1").fill("Half-typed: patrol, then talk")
    services.turn_lock(exercise=exercise, by="white")

    unsent = aiko.get_by_test_id("unsent-1")
    expect(unsent).to_be_visible(timeout=10000)
    expect(unsent).to_contain_text("Not submitted — the turn locked before this was saved")
    expect(unsent).to_contain_text("Half-typed: patrol, then talk")
    expect(unsent).to_contain_text("M2")
    expect(aiko.locator("#note-1")).to_be_disabled()
    expect(aiko.locator("#order-forms form").first).not_to_have_class("order-form has-draft")
    aiko.locator("#order-forms").screenshot(path=str(SHOTS / "order-unsent-at-lock.png"))


def test_messages_page_does_not_refetch_its_panels_after_loading(new_page, facilitator):
    exercise = _exercise(facilitator, "Messages seminar")
    aiko = new_page()
    join_as(aiko, exercise.join_code, "Aiko", "Japan")
    refreshes = []
    aiko.on("request", lambda r: refreshes.append(r.url) if r.headers.get("hx-request") and "/messages/" in r.url
            and "unread" not in r.url else None)
    aiko.goto(f"/x/{exercise.join_code}/t/JPN/messages/")
    expect(aiko.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    # A doorbell after the hello: exactly one refresh per listening panel, none left over from the load.
    boris_team = exercise.teams.get(code="RUS")
    services.message_send(exercise=exercise, sender_team=boris_team, sender_name="Boris", kind="bilateral",
                          recipient_codes=["JPN"], body="Hello from Russia", turn_number=1)
    expect(aiko.locator("#thread-list")).to_contain_text("Hello from Russia", timeout=10000)
    wait_for(lambda: len(refreshes) >= 2, message="the two panels' refreshes")
    assert len(refreshes) == 2, refreshes  # thread-list and thread-view, once each

    aiko.locator('[data-thread="JPN-RUS"]').click()
    expect(aiko.get_by_test_id("messages")).to_contain_text("Hello from Russia")


def _two_japanese_players(new_page, facilitator, name):
    """Aiko and Ken on Japan's dashboard, each on a 1366×768 laptop."""
    exercise = _exercise(facilitator, name)
    aiko, ken = new_page(1366, 768), new_page(1366, 768)
    join_as(aiko, exercise.join_code, "Aiko", "Japan")
    join_as(ken, exercise.join_code, "Ken", "Japan")
    return exercise, aiko, ken


def test_a_pushed_publish_keeps_each_readers_own_unread_count(new_page, facilitator):
    """The turn status arrives pushed to the whole team, without anyone's unread count: each page keeps its own."""
    exercise, jpn, ken = _two_japanese_players(new_page, facilitator, "Badge seminar")
    services.message_send(exercise=exercise, sender_team=exercise.teams.get(code="RUS"), sender_name="Boris",
                          kind="bilateral", recipient_codes=["JPN"], body="A word before the vote?", turn_number=1)
    for page in (jpn, ken):
        expect(page.get_by_test_id("unread-total")).to_contain_text("1")
    dashboard = ken.url
    ken.goto(f"{dashboard}messages/?thread=JPN-RUS")  # Ken reads it; Aiko does not
    expect(ken.get_by_test_id("messages").get_by_text("A word before the vote?")).to_be_visible()
    ken.goto(dashboard)
    expect(ken.get_by_test_id("unread-total")).to_have_count(0)
    expect(ken.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    _resolve_and_publish(exercise)
    for page in (jpn, ken):
        expect(page.locator("#turn-status")).to_contain_text("Turn 2", timeout=10000)
    expect(jpn.get_by_test_id("unread-total")).to_contain_text("1")
    expect(ken.get_by_test_id("unread-total")).to_have_count(0)


def test_a_player_white_moves_is_taken_from_the_old_teams_dashboard_at_once(new_page, facilitator):
    exercise = _exercise(facilitator, "Moved seminar")
    page = new_page(1366, 768)
    join_as(page, exercise.join_code, "Aiko", "Japan")
    expect(page.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    player = Player.objects.get(exercise=exercise, display_name="Aiko")
    services.player_choose_team(player=player, team_code="RUS", by_facilitator="white")
    page.wait_for_url(f"**/x/{exercise.join_code}/seat/", timeout=10000)
    expect(page.locator("#seat-status")).to_contain_text("Russia")


def test_saved_by_you_shows_only_to_the_player_who_saved(new_page, facilitator):
    exercise, aiko, ken = _two_japanese_players(new_page, facilitator, "Saver seminar")
    expect(ken.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    aiko.locator("#action-1").select_option("M2")
    aiko.locator("#order-forms form").first.get_by_role("button", name="Save order").click()
    expect(aiko.locator("#order-forms")).to_contain_text("Saved")  # the answer, or its own doorbell's push
    # The teammate's page gets the same forms pushed, the note on them but not shown to Ken.
    expect(ken.locator("#order-forms [data-saved-by]").first).to_be_attached(timeout=10000)
    expect(ken.locator("#order-forms [data-saved-by]").first).to_be_hidden()
    aiko.reload()  # on a fresh page the note is Aiko's own, and shown
    expect(aiko.locator("#order-forms [data-saved-by]").first).to_be_visible()
    expect(aiko.locator("#order-forms")).to_contain_text("Saved by you at")


def test_a_pushed_panel_keeps_the_section_a_player_opened(new_page, facilitator):
    """Ken reads the action catalogue while Aiko saves an order: the pushed order forms leave it open."""
    exercise, aiko, ken = _two_japanese_players(new_page, facilitator, "Catalogue seminar")
    expect(ken.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    ken.locator("#catalogue summary").click()
    expect(ken.locator("#catalogue")).to_have_attribute("open", "")
    ken.evaluate("document.getElementById('order-forms').dataset.before = 'yes'")
    aiko.locator("#action-1").select_option("M2")
    aiko.locator("#order-forms form").first.get_by_role("button", name="Save order").click()
    # The swap happened (the marker is gone with the old element) and the catalogue is still open.
    expect(ken.locator("#order-forms[data-before]")).to_have_count(0, timeout=10000)
    expect(ken.locator("#order-forms [data-saved-by]").first).to_be_attached()
    expect(ken.locator("#catalogue")).to_have_attribute("open", "")
