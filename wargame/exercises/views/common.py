import re

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string


def render_panel(request, template, context, panels):
    """One URL serves the page and its fragments: htmx asks for a panel by its DOM id."""
    target = request.htmx.target if request.htmx else None
    if target in panels:
        return render(request, f"{template}#{target}", context)
    return render(request, template, context)


def panels_for_events(request, panel_events):
    """The panels the doorbells named in ``?event=…`` change; every panel when none (or none known) is named."""
    known = set().union(*panel_events.values())
    events = set(request.GET.getlist("event")) & known
    return [name for name, kinds in panel_events.items() if not events or kinds & events]


_FIRST_TAG = re.compile(r"^(\s*<[a-zA-Z][a-zA-Z0-9]*)")


def out_of_band(html):
    """A panel's HTML marked for htmx to swap in by its id, wherever it is on the page."""
    return _FIRST_TAG.sub(r'\1 hx-swap-oob="true"', html, count=1)


def render_refresh(request, template, context, panel_events):
    """One doorbell, one request: every panel the event changed, swapped in out of band."""
    html = "".join(out_of_band(render_to_string(f"{template}#{name}", context, request=request))
                   for name in panels_for_events(request, panel_events))
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response
