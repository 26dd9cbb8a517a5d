"""The console's and the plenary's live panels: a refresh asked for mid-flight is never lost."""

import re

import pytest

pytestmark = pytest.mark.django_db

# htmx queues a second refresh on the element whose request is in flight, then drops it when that
# request's answer replaces the element (hx-swap="outerHTML"): the answer, read before the event, is
# stale, and the panel waits for its next poll. "this:replace" aborts the stale request and sends the
# new one instead. (Measured: "this:queue last" still loses it; tests/browser/test_console_review.py.)
SYNC = 'hx-sync="this:replace"'
# htmx wires a swapped-in element's triggers (its sse: listeners too) only when it settles, 20 ms after the
# swap by default: a doorbell in that window was lost. settle:0ms wires them in the swap itself.
SWAP = 'hx-swap="outerHTML settle:0ms"'


def _panels(html):
    return {m.group(1): m.group(0) for m in re.finditer(r'<section id="([\w-]+)"[^>]*data-panel[^>]*>', html)}


def test_every_live_console_panel_replaces_a_stale_refresh(white_client, exercise):
    html = white_client.get(f"/f/{exercise.pk}/").content.decode()
    panels = _panels(html)
    for panel in ("console-turn", "console-orders", "console-review", "console-injects", "console-state"):
        assert SYNC in panels[panel] and SWAP in panels[panel], panel


def test_the_plenary_refreshes_with_one_request_per_doorbell_and_polls_replace_stale_answers(client, exercise):
    html = client.get(f"/x/{exercise.join_code}/plenary/").content.decode()
    panels = _panels(html)
    assert set(panels) == {"plenary-map", "plenary-turn", "plenary-crisis", "plenary-ladder", "plenary-headlines"}
    assert "sse:" not in "".join(panels.values())  # no panel fetches itself on a doorbell
    refresher = re.search(r"<div hidden data-live-refresh[^>]*>", html, re.S).group(0)
    # The refresher is never replaced by its own answer (hx-swap="none"), so queued requests all run.
    assert 'hx-sync="this:queue all"' in refresher and 'hx-swap="none"' in refresher
    for kind in ("turn_published", "turn_locked", "clock_changed"):
        assert f"sse:{kind}" in refresher
    for name in ("plenary-map", "plenary-turn"):  # still polled: a stale poll is replaced, not queued
        assert SYNC in panels[name] and SWAP in panels[name] and "every" in panels[name], name
    for name in ("plenary-crisis", "plenary-ladder", "plenary-headlines"):
        assert "hx-get" not in panels[name] and "hx-trigger" not in panels[name], name


@pytest.mark.parametrize("event, expected", [
    ("turn_published", ["plenary-map", "plenary-turn", "plenary-ladder", "plenary-headlines", "plenary-crisis"]),
    ("clock_changed", ["plenary-turn"]),
    ("crisis_changed", ["plenary-crisis"]),
    ("", ["plenary-map", "plenary-turn", "plenary-ladder", "plenary-headlines", "plenary-crisis"]),
])
def test_the_plenary_refresh_answers_with_the_changed_panels_out_of_band(client, exercise, event, expected):
    for url in (f"/x/{exercise.join_code}/plenary/", f"/o/{exercise.observer_code}/"):
        r = client.get(url, {"refresh": "1", "event": event})
        assert r.status_code == 200
        assert re.findall(r'<section hx-swap-oob="true" id="([\w-]+)"', r.content.decode()) == expected
