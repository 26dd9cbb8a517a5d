"""handler500: the error page in the person's language, with the language selector."""
import logging

from django.http import HttpResponseServerError
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

PLAIN = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Server error</title></head>"
         "<body><h1>Something went wrong on our side</h1><p><a href=\"/\">Back to the start</a></p></body></html>")


def server_error(request, template_name="500.html"):
    """Django's own handler renders 500.html without the request, so the page could hold no form (the language
    selector posts with a CSRF token). Rendered with the request here; if that fails too, without it, and
    if even that fails, a fixed page: an error page must not raise."""
    for kwargs in ({"request": request}, {}):
        try:
            return HttpResponseServerError(render_to_string(template_name, {}, **kwargs))
        except Exception:  # noqa: BLE001 — whatever broke the request may break this render too
            log.exception("500.html could not be rendered%s", " with the request" if kwargs else "")
    return HttpResponseServerError(PLAIN)
