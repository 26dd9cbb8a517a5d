"""Failure counters for sign-in and join codes, kept in the cache (Redis).

Best effort: with Redis unreachable the counters read as zero and count nothing, so a room
whose Redis blinked can still join and sign in; a throttle must never be the outage.
"""

import logging

import redis
from django.core.cache import cache

log = logging.getLogger(__name__)


def client_address(request):
    """The address a throttle counts: behind a proxy, the server sets it from X-Forwarded-For."""
    return request.META.get("REMOTE_ADDR", "unknown")


def failures(keys):
    """{key: failures counted in its window}; empty when the cache cannot be reached."""
    try:
        return cache.get_many(list(keys))
    except (redis.RedisError, OSError) as exc:
        log.warning("throttle counters unreadable (%s); not throttling", exc)
        return {}


def failure_count(*, keys, window_seconds):
    """Count one failure on each key; its window starts at its first failure."""
    try:
        for key in keys:
            cache.add(key, 0, window_seconds)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window_seconds)
    except (redis.RedisError, OSError) as exc:
        log.warning("throttle counters unwritable (%s)", exc)


def failures_forget(*, key):
    try:
        cache.delete(key)
    except (redis.RedisError, OSError) as exc:
        log.warning("throttle counter not reset (%s)", exc)


# Wrong join codes are counted per browser session, so one careless laptop behind the room's NAT never
# locks the whole room out; this per-address ceiling is only the backstop against guessing codes.
JOIN_FAILURES_PER_IP = 100  # in JOIN_WINDOW_SECONDS (five minutes)


def join_failure_keys(*, session_key, ip):
    return {"session": f"join-fail:session:{session_key}", "ip": f"join-fail:ip:{ip}"}


def join_blocked(*, keys, per_session):
    """True when this browser session, or (far more) this address, has tried too many wrong codes."""
    counts = failures(keys.values())
    return (counts.get(keys["session"], 0) >= per_session
            or counts.get(keys["ip"], 0) >= JOIN_FAILURES_PER_IP)
