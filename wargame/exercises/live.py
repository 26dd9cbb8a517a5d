"""The doorbell: tiny events on a Redis channel per exercise, relayed to browsers over SSE.

No private data travels here: an event says only *what kind* of thing changed, and panels
re-fetch themselves through their normal, permission-checked views.
"""

import asyncio
import json
import time

import redis
import redis.asyncio as aioredis
from django.conf import settings
from django.db import transaction

_sync_client = None


def channel_name(exercise_id):
    return f"{settings.LIVE_CHANNEL_PREFIX}:x:{exercise_id}"


def _client():
    global _sync_client
    if _sync_client is None:
        _sync_client = redis.Redis.from_url(settings.REDIS_URL)
    return _sync_client


def publish_now(*, exercise_id, kind, version):
    payload = json.dumps({"exercise": exercise_id, "kind": kind, "version": version, "sent": time.time()})
    _client().publish(channel_name(exercise_id), payload)


def publish_on_commit(*, exercise_id, kind, version):
    transaction.on_commit(lambda: publish_now(exercise_id=exercise_id, kind=kind, version=version))


def _frame(event, data):
    return f"event: {event}\ndata: {data}\n\n"


async def event_stream(exercise_id, current_version):
    """Yield SSE frames for one exercise until the stream's capped life ends.

    The cap keeps a stream from outliving its server; EventSource reconnects by itself,
    and panels refresh on reconnect, so a missed event costs nothing.
    """
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel_name(exercise_id))
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + settings.LIVE_STREAM_SECONDS
    try:
        # Read the version only once subscribed, so a change between page render and now is never missed:
        # the page compares it with the version it was rendered at and refreshes its panels if behind.
        version = await current_version()
        yield "retry: 2000\n\n"
        yield _frame("hello", json.dumps({"exercise": exercise_id, "version": version}))
        while loop.time() < ends_at:
            timeout = min(settings.LIVE_KEEPALIVE_SECONDS, max(0.1, ends_at - loop.time()))
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=timeout)
            if message is None:
                yield ": keep-alive\n\n"
                continue
            data = message["data"].decode()
            kind = json.loads(data).get("kind", "changed")
            yield _frame(kind, data)
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
        await client.aclose()
