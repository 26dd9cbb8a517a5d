"""One doorbell, one request: the dashboard's refresher gets every panel the event changed, out of band."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wargame.exercises import services
from wargame.exercises.views.player import PANEL_EVENTS, VIEWER_DOORBELLS

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
    ("turn_locked", ["turn-status", "orders-summary", "order-forms", "argued-panel", "crisis-panel"]),
    ("crisis_changed", ["crisis-panel"]),
    ("clock_changed", ["turn-status"]),
    ("injects_changed", ["turn-injects"]),
])
def test_an_event_brings_only_the_panels_it_changes(jpn_client, exercise, event, expected):
    assert panels_in(get_panels(jpn_client, exercise, event=event).content.decode()) == expected


def test_an_unknown_event_is_treated_as_a_full_refresh_not_an_error(jpn_client, exercise):
    r = get_panels(jpn_client, exercise, event="no_such_event\u202e")
    assert r.status_code == 200 and panels_in(r.content.decode()) == ALL_PANELS


def test_the_dashboard_listens_on_its_teams_stream_and_asks_only_for_what_is_its_own(jpn_client, exercise):
    html = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    assert f'sse-connect="/x/{exercise.join_code}/t/JPN/events/"' in html
    pushed = re.search(r"<div hidden sse-swap=\"panels\"[^>]*>", html).group(0)
    assert 'hx-swap="none"' in pushed  # the pushed panels go in out of band, by their ids
    refresher = re.search(r"<div hidden data-live-refresh[^>]*>", html, re.S).group(0)
    assert f'hx-get="/x/{exercise.join_code}/t/JPN/panels/"' in refresher
    assert 'hx-swap="none"' in refresher
    assert VIEWER_DOORBELLS == ["message_sent"]  # the unread count is the one panel that differs per person
    for kind in VIEWER_DOORBELLS:
        assert f"sse:{kind}" in refresher
    assert html.count("sse:") == len(VIEWER_DOORBELLS), "a panel still fetches itself on a doorbell"
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


def test_the_page_is_built_from_the_same_team_panels_as_a_refresh(jpn_client, rus_client, exercise):
    page = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    refresh = get_panels(jpn_client, exercise).content.decode()
    for panel in ("team-state", "team-map", "orders-summary"):
        in_page = re.search(rf'<section id="{panel}".*?</section>', page, re.S).group(0)
        assert in_page.replace("<section ", '<section hx-swap-oob="true" ', 1) in refresh, panel
    # The forms carry this browser's own CSRF token, never a placeholder or a teammate's.
    assert "__csrf_token_for_this_browser__" not in page + refresh
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert tokens and all(t for t in tokens)
    with CaptureQueriesContext(connection) as warm:
        jpn_client.get(f"/x/{exercise.join_code}/t/JPN/")
    assert len(warm.captured_queries) <= 12, [q["sql"][:100] for q in warm.captured_queries]


def test_a_form_rendered_from_the_team_cache_posts_with_the_viewers_own_token(exercise):
    """Two teammates get the order forms from one cached rendering; each one's save passes Django's CSRF check."""
    from django.core.cache import cache
    from django.test import Client

    from ..conftest import join

    teammates = []
    for name in ("Aiko", "Ken"):
        plain, strict = Client(), Client(enforce_csrf_checks=True)
        join(plain, exercise, name, "JPN")  # joining through the views; the strict client then shares its session
        strict.cookies = plain.cookies
        teammates.append(strict)
    cache.clear()
    forms = []
    for strict in teammates:  # the first renders and caches the forms, the second is served the cached copy
        html = get_panels(strict, exercise, event="turn_published").content.decode()
        forms.append(re.search(r'<section hx-swap-oob="true" id="order-forms".*?</section>', html, re.S).group(0))
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.sub("", forms[0]) == token.sub("", forms[1])  # the same rendering…
    assert token.findall(forms[0]) != token.findall(forms[1])  # …with each browser's own token
    for slot, (strict, form) in enumerate(zip(teammates, forms), start=1):
        r = strict.post(f"/x/{exercise.join_code}/t/JPN/orders/{slot}/",
                        {"csrfmiddlewaretoken": token.search(form).group(1), "action": "M2" if slot == 1 else "",
                         "target": "", "note": f"slot {slot}", "turn": 1, "revision": 0})
        assert r.status_code == 200, r.content[:300]  # a CSRF failure would be a 403
    assert exercise.turns.get(number=1).orders.count() == 2


def test_a_single_panel_and_a_refresh_share_one_rendering(jpn_client, exercise):
    """The cached single panel and the one-request refresh keep a panel under one key, as text."""
    single = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/", headers={"HX-Request": "true",
                                                                        "HX-Target": "team-state"}).content.decode()
    refresh = get_panels(jpn_client, exercise, event="turn_published").content.decode()
    assert single.replace("<section ", '<section hx-swap-oob="true" ', 1) in refresh
