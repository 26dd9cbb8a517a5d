"""Refuse control characters at the door.

A NUL byte in a path segment, a query string or a form field would otherwise travel to
PostgreSQL, which rejects it with a server error. Tab, newline and carriage return are text.
"""

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.decorators import sync_and_async_middleware
from django.utils.translation import gettext as _

from .services import CONTROL_CHARACTERS



def _has_control(request):
    if CONTROL_CHARACTERS.search(request.path):
        return True
    for query in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for key, values in query.lists():
            if CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values):
                return True
    return False


def _refusal(request):
    message = _("The request holds a control character (such as a NUL byte) that no text here may "
                "contain. Remove it and try again; what you typed is kept in this browser.")
    if request.headers.get("HX-Request"):
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(render_to_string("400.html", {"message": message}, request=request), status=400)


@sync_and_async_middleware
def refuse_control_characters(get_response):
    # Both flavours, so the async views (the dashboard, the doorbell) keep running without a thread hop.
    if iscoroutinefunction(get_response):
        async def middleware(request):
            if _has_control(request):
                return await sync_to_async(_refusal)(request)
            return await get_response(request)
    else:
        def middleware(request):
            if _has_control(request):
                return _refusal(request)
            return get_response(request)
    return middleware
