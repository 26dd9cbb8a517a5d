"""A live panel's attributes, said once. Load with ``{% load panels %}``.

``<section id="console-teams" class="card panel" {% panel "sse:roster_changed, refresh" every="20s" %}>``

Every panel carries ``data-panel`` (app.js refreshes the marked panels after a reconnect, and keeps what
the person is doing through a swap). A panel that fetches itself also gets ``hx-get`` (the page's
``panel_url`` unless ``url`` is given: htmx asks for the panel by its DOM id, ``render_panel`` answers
with that panel alone), ``hx-target="this"``, ``hx-swap="outerHTML"`` (``settle`` adds ``settle:0ms``:
the swapped-in panel wires its sse: listeners in the swap itself, so a doorbell in the settle window is
not lost), ``hx-sync="this:replace"`` unless ``sync=False`` (a stale refresh in flight is replaced, not
queued and then dropped) and ``hx-trigger``: the trigger given, then ``every …`` when ``every`` is given.
A panel with no trigger and no ``every`` is swapped in from elsewhere (a page's one refresher, or the team's
stream) and carries no hx-get at all: a bare hx-get would fire on a click.
When the context says ``oob`` (a panel sent beside another answer) the panel swaps in by its id.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..doorbells import NAMES as DOORBELLS

register = template.Library()


def _check_doorbells(trigger):
    """A panel listening for a doorbell nobody rings would never refresh: refuse the misspelt name at once."""
    for part in trigger.split(","):
        name = part.strip()
        if name.startswith("sse:") and name[4:] not in DOORBELLS:
            raise template.TemplateSyntaxError(f"{{% panel %}} listens for {name!r}, which is not a doorbell "
                                               f"(doorbells.Doorbell: {', '.join(sorted(DOORBELLS))})")


@register.simple_tag(takes_context=True)
def panel(context, trigger="", *, every="", url=None, settle=False, sync=True):
    _check_doorbells(trigger)
    attrs = mark_safe("data-panel")
    triggers = ", ".join(t for t in (trigger, f"every {every}" if every else "") if t)
    if triggers:
        attrs = format_html('{} hx-get="{}" hx-target="this" hx-swap="outerHTML{}"{} hx-trigger="{}"', attrs,
                            context.get("panel_url", "") if url is None else url, " settle:0ms" if settle else "",
                            mark_safe(' hx-sync="this:replace"') if sync else "", triggers)
    if context.get("oob"):
        attrs = format_html('{} hx-swap-oob="true"', attrs)
    return attrs
