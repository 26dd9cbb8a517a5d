"""The player's side of the room: conflicting saves, the messages page's version, turn history."""

import re

import pytest
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import ArguedAction, Order, Player

from ..conftest import join

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "order-forms"}


@pytest.fixture
def aiko_ken(exercise):
    aiko, ken = Client(), Client()
    join(aiko, exercise, "Aiko", "JPN")
    join(ken, exercise, "Cdr Sato", "JPN")
    return aiko, ken


def _hidden_revision(html, slot):
    form = html[html.index(f"/orders/{slot}/"):].split("</form>")[0]
    return int(re.search(r'name="revision" value="(\d+)"', form).group(1))


def test_a_conflict_shows_both_versions_and_a_second_plain_save_stays_refused(exercise, aiko_ken):
    """Cdr Sato saves order 2 first; Aiko's save of the same slot is refused. She sees his action,
    target and note beside her own text, and saving plainly again still does not overwrite him."""
    aiko, sato = aiko_ken
    url = f"/x/{exercise.join_code}/t/JPN/orders/2/"
    assert sato.post(url, {"action": "M2", "note": "Sato: hold the strait", "turn": 1, "revision": 0}).status_code == 200
    r = aiko.post(url, {"action": "M1", "target": "RUS", "note": "Aiko: talk first", "turn": 1, "revision": 0}, **HX)
    html = r.content.decode()
    assert "Cdr Sato changed this order while you were editing" in html
    compare = html.split('data-testid="order-compare-2"')[1].split("</table>")[0]
    assert "M2 ·" in compare and "Sato: hold the strait" in compare and "Cdr Sato" in compare  # theirs
    assert "M1 ·" in compare and "Russia" in compare and "Aiko: talk first" in compare  # yours
    assert "Replace theirs with mine" in html
    assert _hidden_revision(html, 2) == 0  # the form keeps the revision Aiko started from

    # Saving again as a plain save (the stale revision) is still refused: Sato's order stands.
    r = aiko.post(url, {"action": "M1", "target": "RUS", "note": "Aiko: talk first", "turn": 1, "revision": 0}, **HX)
    assert "changed this order" in r.content.decode()
    order = Order.objects.get(slot=2)
    assert (order.action, order.note, order.updated_by.display_name) == ("M2", "Sato: hold the strait", "Cdr Sato")

    # The explicit "Replace theirs with mine" posts the revision she has now seen.
    r = aiko.post(url, {"action": "M1", "target": "RUS", "note": "Aiko: talk first", "turn": 1, "revision": 0,
                        "replace": order.revision}, **HX)
    assert "Saved." in r.content.decode()
    order.refresh_from_db()
    assert (order.action, order.target, order.updated_by.display_name, order.revision) == ("M1", "RUS", "Aiko", 2)


def test_replace_is_refused_when_the_order_changed_yet_again(exercise, aiko_ken):
    aiko, sato = aiko_ken
    url = f"/x/{exercise.join_code}/t/JPN/orders/1/"
    sato.post(url, {"action": "M2", "turn": 1, "revision": 0})
    assert sato.post(url, {"action": "D6", "target": "RUS", "turn": 1, "revision": 1}).status_code == 200
    r = aiko.post(url, {"action": "D1", "turn": 1, "revision": 0, "replace": 1}, **HX)
    assert "changed this order" in r.content.decode()
    assert Order.objects.get(slot=1).action == "D6"


def test_keep_theirs_drops_the_draft_and_writes_nothing(exercise, aiko_ken):
    aiko, sato = aiko_ken
    url = f"/x/{exercise.join_code}/t/JPN/orders/1/"
    sato.post(url, {"action": "M2", "turn": 1, "revision": 0})
    r = aiko.post(url, {"action": "D1", "turn": 1, "revision": 0, "keep": "1"}, **HX)
    html = r.content.decode()
    assert "Kept Cdr Sato’s version" in html
    form = html[html.index("/orders/1/"):].split("</form>")[0]
    assert "data-draft-saved" in form  # app.js then forgets the local draft
    order = Order.objects.get(slot=1)
    assert (order.action, order.revision) == ("M2", 1)


def test_a_teammates_order_carries_a_hidden_live_notice_with_their_version(exercise, aiko_ken):
    """The order-forms panel comes back on the orders_changed doorbell; each saved slot carries who changed
    it and their version, which app.js reveals when the player's draft started from an older revision."""
    aiko, sato = aiko_ken
    sato.post(f"/x/{exercise.join_code}/t/JPN/orders/1/", {"action": "M2", "note": "hold", "turn": 1, "revision": 0})
    html = aiko.get(f"/x/{exercise.join_code}/t/JPN/panels/", {"event": "orders_changed"}).content.decode()
    assert 'id="order-forms"' in html
    notice = html.split('data-testid="order-changed-1"')[1].split("</div>\n    </div>")[0]
    assert "Cdr Sato changed this order" in notice and "M2 ·" in notice and "hold" in notice
    assert 'name="replace" value="1"' in notice
    assert "data-draft-base" in html


def test_argued_conflict_keeps_the_base_revision_and_offers_replace(exercise, aiko_ken):
    aiko, sato = aiko_ken
    url = f"/x/{exercise.join_code}/t/JPN/argued/"
    body = {"intended": "calm", "reason": ["because"], "turn": 1, "revision": 0}
    assert sato.post(url, {**body, "action": "Sato's move"}).status_code == 200
    r = aiko.post(url, {**body, "action": "Aiko's move"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="argued-panel")
    html = r.content.decode()
    assert "Cdr Sato changed the argued action" in html and "Sato&#x27;s move" in html and "Aiko&#x27;s move" in html
    assert re.search(r'name="revision" value="0"', html)
    r = aiko.post(url, {**body, "action": "Aiko's move"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="argued-panel")
    assert ArguedAction.objects.get().action == "Sato's move"
    aiko.post(url, {**body, "action": "Aiko's move", "replace": 1}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="argued-panel")
    assert ArguedAction.objects.get().action == "Aiko's move"


def test_argued_panel_refreshes_on_the_doorbell_that_argued_saves_and_counters_ring(jpn_client, exercise):
    html = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/panels/", {"event": "orders_changed"}).content.decode()
    assert 'id="argued-panel"' in html and 'id="team-map"' not in html


def test_messages_page_says_which_version_it_shows(jpn_client, exercise):
    """Without the version, app.js's hello handler re-fetched every panel right after load."""
    html = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/messages/").content.decode()
    exercise.refresh_from_db()
    root = re.search(r"<div[^>]*data-live-root[^>]*>", html).group(0)
    assert f'data-version="{exercise.version}"' in root
    for panel in ("thread-list", "thread-view"):
        tag = html.split(f'id="{panel}"')[1].split(">")[0]
        assert 'hx-sync="this:replace"' in tag


def test_dashboard_refreshes_queue_instead_of_dropping_one(jpn_client, exercise):
    """Two doorbells in quick succession ask for different panels: the second waits, it is not dropped."""
    html = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    refresher = re.search(r"<div hidden data-live-refresh[^>]*>", html, re.S).group(0)
    assert 'hx-sync="this:queue all"' in refresher and "sse:message_sent" in refresher


def _publish(exercise, orders=()):
    for player, slot, action in orders:
        services.order_save(player=player, turn_number=1, slot=slot, action=action)
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    for code in ("JPN", "RUS"):
        services.narrative_edit(exercise=exercise, by="white", turn_number=1, team_code=code,
                                text=f"Only {code} reads this line.")
    services.turn_publish(exercise=exercise, by="white")


def test_turn_history_shows_each_team_only_its_own_view(jpn_client, rus_client, white_client, exercise):
    aiko = Player.objects.get(display_name="Aiko")
    _publish(exercise, [(aiko, 1, "M2")])
    turn = exercise.turns.get(number=1)
    jpn_story, rus_story = turn.result["narratives"]["JPN"], turn.result["narratives"]["RUS"]
    assert (jpn_story, rus_story) == ("Only JPN reads this line.", "Only RUS reads this line.")
    jpn = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/turns/1/").content.decode()
    rus = rus_client.get(f"/x/{exercise.join_code}/t/RUS/turns/1/").content.decode()
    first_line = lambda story: story.split("\n")[0][:50]  # noqa: E731
    from django.utils.html import escape

    assert escape(first_line(jpn_story)) in jpn and escape(first_line(rus_story)) not in jpn
    assert escape(first_line(rus_story)) in rus and escape(first_line(jpn_story)) not in rus
    assert "M2" in jpn and "M2" not in rus.split('id="turn-orders"')[1].split("</section>")[0]
    white = white_client.get(f"/x/{exercise.join_code}/t/JPN/turns/1/").content.decode()
    assert "read-only" in white and escape(first_line(jpn_story)) in white
    # The dashboard links to it.
    dash = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    assert f'href="/x/{exercise.join_code}/t/JPN/turns/1/"' in dash
    assert 'data-testid="results-banner"' in dash
