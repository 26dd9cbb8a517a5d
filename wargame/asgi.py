"""The one application the web server runs: pages through Django's WSGI handler, streams through ASGI.

Django runs a synchronous view under ASGI by hopping threads about seventeen times per request
(each old-style middleware, the view, signals, the connection close). Measured here that made a
trivial view cost 4 ms of CPU, a sixth of what gunicorn's sync workers reach. So every request but
the SSE streams goes to the WSGI handler on a thread pool (one hop in, one out), while the
streams, which wait for minutes on Redis, stay async on the same event loop, port and origin.
"""

import os
import re

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wargame.settings")

streams = get_asgi_application()
# One page thread per process by default: measured here, 2 or 4 threads per process lost a third to half of
# the throughput of CPU-bound pages to GIL contention with the event loop. The processes (one per core)
# give the parallelism; the SSE streams stay on the event loop, so a busy page never holds up a doorbell.
pages = WSGIMiddleware(get_wsgi_application(), workers=int(os.environ.get("WEB_THREADS", "1")))
STREAM_PATH = re.compile(r"^/[xo]/[^/]+/(t/[^/]+/)?events/$")


async def application(scope, receive, send):
    if scope["type"] == "http":
        app = streams if STREAM_PATH.match(scope["path"]) else pages
        await app(scope, receive, send)
    elif scope["type"] == "lifespan":  # Django has no lifespan hooks; say so politely instead of raising
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
    else:
        await streams(scope, receive, send)
