"""One doorbell, one request: the dashboard's refresher gets every panel the event changed, out of band."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wargame.exercises import services
from wargame.exercises.views.player import PANEL_DOORBELLS, PANEL_EVENTS

pytestmark = pytest.mark.django_db

ALL_PANELS = list(PANEL_EVENTS)


def panels_in(html):
    """The ids of the top-level elements swapped in out of band, in order."""
    tags = re.findall(r'<(?:section|p) hx-swap-oob="true" [^>]*>', html)
    return [re.search(r'id="([a-z-]+)"', tag).group(1) for tag in tags]


def get_panels(client, exercise, team="JPN", **params):
    return client.get(f"/x/{exercise.join_code}/t/{team}/panels/", params)


def test_without_an_event_every_panel_comes_back_out_of_band(jpn_client, exercise):
    r = get_panels(jpn_client, exercise)
    assert r.status_code == 200
    assert panels_in(r.content.decode()) == ALL_PANELS
    assert r["Cache-Control"] == "no-store"


@pytest.mark.parametrize("event, expected", [
    ("turn_published", ALL_PANELS[:1] + ALL_PANELS[2:]),  # everything but the unread badge
    ("message_sent", ["unread-badge"]),
    ("orders_changed", ["orders-summary", "proposals", "order-forms", "argued-panel"]),
    ("turn_locked", ["turn-status", "orders-summary", "order-forms", "argued-panel"]),
    ("clock_changed", ["turn-status"]),
    ("injects_changed", ["turn-injects"]),
])
def test_an_event_brings_only_the_panels_it_changes(jpn_client, exercise, event, expected):
    assert panels_in(get_panels(jpn_client, exercise, event=event).content.decode()) == expected


def test_an_unknown_event_is_treated_as_a_full_refresh_not_an_error(jpn_client, exercise):
    r = get_panels(jpn_client, exercise, event="no_such_event\u202e")
    assert r.status_code == 200 and panels_in(r.content.decode()) == ALL_PANELS


def test_the_dashboard_has_one_refresher_listening_to_every_doorbell_and_no_panel_listens_itself(
        jpn_client, exercise):
    html = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    refresher = re.search(r"<div hidden data-live-refresh[^>]*>", html, re.S).group(0)
    assert f'hx-get="/x/{exercise.join_code}/t/JPN/panels/"' in refresher
    assert 'hx-swap="none"' in refresher
    for kind in PANEL_DOORBELLS:
        assert f"sse:{kind}" in refresher
    assert html.count("sse:") == len(PANEL_DOORBELLS), "a panel still fetches itself on a doorbell"
    # Panels without a poll carry no hx-get at all (a bare hx-get would fire on click).
    for panel in ("team-objectives", "last-result", "order-forms", "proposals"):
        tag = re.search(rf'<section id="{panel}"[^>]*>', html).group(0)
        assert "hx-get" not in tag and "hx-trigger" not in tag


def test_team_wide_panels_come_from_the_cache_on_the_second_ask(jpn_client, exercise):
    get_panels(jpn_client, exercise, event="turn_published")  # a teammate asked first
    with CaptureQueriesContext(connection) as cold:
        get_panels(jpn_client, exercise, event="turn_published")
    services.order_save(player=exercise.players.get(display_name="Aiko"), turn_number=1, slot=1,
                        action="M2", target="", note="", base_revision=0)
    with CaptureQueriesContext(connection) as after_change:
        r = get_panels(jpn_client, exercise, event="orders_changed")
    assert 'data-testid="order-error-1"' not in r.content.decode()
    # The cached team panels cost no query; only the player's own panels are rendered.
    assert len(cold.captured_queries) <= 30, [q["sql"][:120] for q in cold.captured_queries]
    assert len(after_change.captured_queries) <= 30, [q["sql"][:120] for q in after_change.captured_queries]


def test_a_new_version_is_rendered_afresh_not_served_stale(jpn_client, exercise):
    before = get_panels(jpn_client, exercise, event="orders_changed").content.decode()
    summary_before = re.search(r'<section [^>]*id="orders-summary".*?</section>', before, re.S).group(0)
    assert "M2" not in summary_before
    services.order_save(player=exercise.players.get(display_name="Aiko"), turn_number=1, slot=1,
                        action="M2", target="", note="", base_revision=0)
    after = get_panels(jpn_client, exercise, event="orders_changed").content.decode()
    summary = re.search(r'<section [^>]*id="orders-summary".*?</section>', after, re.S).group(0)
    assert summary != summary_before and "M2" in summary, summary[:600]


def test_white_gets_the_panels_read_only_with_the_team_unread_badge(white_client, exercise):
    r = get_panels(white_client, exercise, event="message_sent")
    assert r.status_code == 200 and panels_in(r.content.decode()) == ["unread-badge"]
    assert 'hx-trigger="load"' not in r.content.decode()  # the count is in the answer, no second request
