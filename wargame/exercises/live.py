"""The doorbell: tiny events on a Redis channel per exercise, relayed to browsers over SSE.

No private data travels on the channel: an event says only *what kind* of thing changed. A public
stream relays it as it is, and pages re-fetch their panels through permission-checked views; a team's
stream (views/team_stream.py) turns it into that team's changed panels, behind the same gate.
"""

import asyncio
import json
import logging
import time

import redis
import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.retry import Retry
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

_sync_client = None


def channel_name(exercise_id):
    return f"{settings.LIVE_CHANNEL_PREFIX}:x:{exercise_id}"


def _client():
    global _sync_client
    if _sync_client is None:
        # Short timeouts and one retry (for a pooled connection that a Redis restart closed): a write waits
        # on its doorbell at most about two seconds when Redis hangs.
        _sync_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1,
                                            retry=Retry(NoBackoff(), 1))
    return _sync_client


def publish_now(*, exercise_id, kind, version, audience=None):
    """Ring the doorbell. Best effort: it runs after the write committed, so a Redis failure is logged, never
    raised. Pages miss nothing: on reconnect a stream's hello carries the version, and behind pages refresh.
    ``audience`` (team codes) stays on the server: team streams read it, and no stream sends it on."""
    event = {"exercise": exercise_id, "kind": kind, "version": version, "sent": time.time()}
    if audience is not None:
        event["audience"] = list(audience)
    payload = json.dumps(event)
    try:
        _client().publish(channel_name(exercise_id), payload)
    except (redis.RedisError, OSError) as exc:
        log.warning("doorbell %s for exercise %s not rung: %s", kind, exercise_id, exc)
        return False
    return True


def publish_on_commit(*, exercise_id, kind, version, audience=None):
    transaction.on_commit(lambda: publish_now(exercise_id=exercise_id, kind=kind, version=version, audience=audience),
                          robust=True)


def frame(event, data):
    """One SSE message. Each line of the data gets its own ``data:`` field (the browser joins them again)."""
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n"


def public(event):
    """A doorbell as a browser may see it: who a message was for is no one else's business."""
    return {key: value for key, value in event.items() if key != "audience"}


async def relay(events):
    """A public stream's handler: each doorbell as it rang."""
    return [frame(event.get("kind", "changed"), json.dumps(public(event))) for event in events], True


class _Hub:
    """One Redis subscription per server process, fanned out to every open stream in it.

    Hundreds of players then cost one Redis connection per process, not one each. If Redis drops
    the subscription, every stream is ended; browsers reconnect and refresh their panels.
    """

    def __init__(self):
        self.streams = {}  # exercise id -> set of asyncio.Queue
        self.latest = {}  # exercise id -> the highest version rung here
        self.ready = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._run())

    def open(self, exercise_id):
        queue = asyncio.Queue()
        self.streams.setdefault(exercise_id, set()).add(queue)
        return queue

    def close(self, exercise_id, queue):
        self.streams.get(exercise_id, set()).discard(queue)

    async def _run(self):
        prefix = f"{settings.LIVE_CHANNEL_PREFIX}:x:"
        while True:
            # No silent reconnects: a lost subscription must end the streams, so each browser reconnects and
            # its hello's version repairs whatever rang while Redis was away.
            client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2,
                                             retry=aioredis.retry.Retry(NoBackoff(), 0))
            pubsub = client.pubsub()
            try:
                await pubsub.psubscribe(prefix + "*")
                self.ready.set()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
                    if message is None:
                        continue
                    exercise_id = int(message["channel"].decode().removeprefix(prefix))
                    version = json.loads(message["data"]).get("version", 0)
                    self.latest[exercise_id] = max(self.latest.get(exercise_id, 0), version)
                    for queue in list(self.streams.get(exercise_id, ())):
                        queue.put_nowait(message["data"].decode())
            except (redis.RedisError, OSError):
                if self.ready.is_set():  # only the first failure ends the streams; retries while down don't
                    self.ready.clear()
                    for queues in self.streams.values():
                        for queue in queues:
                            queue.put_nowait(None)  # end the stream; the browser reconnects
                await asyncio.sleep(1)
            finally:
                await client.aclose()


_hubs = {}


def latest_version(exercise_id):
    """The highest version of this exercise rung in this process so far (0 before any)."""
    hub = _hubs.get(asyncio.get_running_loop())
    return hub.latest.get(exercise_id, 0) if hub else 0


def _hub():
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.task.done():
        hub = _hubs[loop] = _Hub()
    return hub


async def event_stream(exercise_id, current_version, handle=relay):
    """Yield SSE frames for one exercise until the stream's capped life ends.

    ``handle(events)`` turns the doorbells waiting for this stream (in order, several when they rang
    faster than the stream sent) into (frames, keep_open). Taking them together lets a team's stream
    render its panels once for a burst instead of once per doorbell.

    The cap keeps a stream from outliving its server; EventSource reconnects by itself,
    and panels refresh on reconnect, so a missed event costs nothing.
    """
    hub = _hub()
    queue = hub.open(exercise_id)
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + settings.LIVE_STREAM_SECONDS
    try:
        yield "retry: 2000\n\n"
        try:
            await asyncio.wait_for(hub.ready.wait(), 10)
        except TimeoutError:
            return  # Redis is away: end the stream cleanly, and the browser tries again in two seconds
        # Read the version only once subscribed, so a change between page render and now is never missed:
        # the page compares it with the version it was rendered at and refreshes its panels if behind.
        version = await current_version()
        yield frame("hello", json.dumps({"exercise": exercise_id, "version": version}))
        while loop.time() < ends_at:
            timeout = min(settings.LIVE_KEEPALIVE_SECONDS, max(0.1, ends_at - loop.time()))
            try:
                data = await asyncio.wait_for(queue.get(), timeout)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            waiting = [data]
            while not queue.empty():
                waiting.append(queue.get_nowait())
            if None in waiting:
                return
            frames, keep_open = await handle([json.loads(d) for d in waiting])
            for text in frames:
                yield text
            if not keep_open:
                return
    finally:
        hub.close(exercise_id, queue)
