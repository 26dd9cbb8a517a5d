"""Failure counters for sign-in and join codes, kept in the cache (Redis).

Best effort: with Redis unreachable the counters read as zero and count nothing, so a room
whose Redis blinked can still join and sign in; a throttle must never be the outage.
"""

import logging

import redis
from django.core.cache import cache

log = logging.getLogger(__name__)


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
