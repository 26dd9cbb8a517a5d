import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from wargame.celery import app as celery_app

from .. import access, live
from ..models import Exercise


def ping(request):
    """The floor for benchmarks: a Django view that touches nothing."""
    return HttpResponse("ok", content_type="text/plain")


def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # a health check reports every failure instead of raising
        checks["database"] = f"down: {exc.__class__.__name__}"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"down: {exc.__class__.__name__}"
    if checks["redis"] == "ok":
        try:
            replies = celery_app.control.ping(timeout=1.0, limit=1)  # return at the first answer
            checks["worker"] = "ok" if replies else "down: no worker answered a ping"
        except Exception as exc:
            checks["worker"] = f"down: {exc.__class__.__name__}"
    else:
        checks["worker"] = "down: needs redis"
    down = sorted(k for k, v in checks.items() if v != "ok")
    return JsonResponse({"status": "ok" if not down else "down", "down": down, "checks": checks},
                        status=200 if not down else 503)


async def exercise_events(request, code):
    exercise = await sync_to_async(gate_then_release)(access.access_exercise_by_code, code)
    return stream_response(exercise)


async def observer_events(request, code):
    """The observer's doorbell, keyed by the observer code so the page never carries the join code."""
    exercise = await sync_to_async(gate_then_release)(access.access_exercise_as_observer, code)
    return stream_response(exercise)


def gate_then_release(gate, *args):
    """Run the access check, then hand the thread's database connection back at once.

    A stream lives for minutes; holding a connection that long lets ~100 open tabs exhaust
    PostgreSQL's max_connections and take every page (and White's lock) down with them.
    """
    try:
        return gate(*args)
    finally:
        if not connection.in_atomic_block:  # inside a transaction (a test's) closing would end it
            connection.close()


def _current_version(exercise_id):
    try:
        return Exercise.objects.filter(pk=exercise_id).values_list("version", flat=True).get()
    finally:
        connection.close()


def stream_response(exercise, handle=live.relay):
    async def current_version():
        return await sync_to_async(_current_version)(exercise.pk)

    response = StreamingHttpResponse(live.event_stream(exercise.pk, current_version, handle),
                                     content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
