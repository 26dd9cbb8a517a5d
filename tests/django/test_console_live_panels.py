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


def test_every_live_plenary_panel_replaces_a_stale_refresh(client, exercise):
    html = client.get(f"/x/{exercise.join_code}/plenary/").content.decode()
    panels = _panels(html)
    assert set(panels) == {"plenary-map", "plenary-turn", "plenary-ladder", "plenary-headlines"}
    for name, tag in panels.items():
        assert SYNC in tag and SWAP in tag, name
