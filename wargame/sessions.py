"""Sessions read from the cache (one Redis GET) and kept in the database, working on when Redis is away.

Django's cached_db backend already tolerates a failing read, but not a failing write after it falls back
to the database, so a page would fail while Redis restarts. Here every cache call that fails is treated
as a miss; the database row stays the source of truth.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class _CacheOrMiss:
    def __init__(self, cache):
        self._cache = cache

    def get(self, key, default=None):
        try:
            return self._cache.get(key, default)
        except Exception:
            return default

    def set(self, *args, **kwargs):
        try:
            self._cache.set(*args, **kwargs)
        except Exception:
            logger.warning("session cache unreachable; the session is kept in the database only")

    def delete(self, key):
        try:
            self._cache.delete(key)
        except Exception:
            logger.warning("session cache unreachable; a stale cached session expires on its own")

    def __contains__(self, key):
        try:
            return key in self._cache
        except Exception:
            return False


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CacheOrMiss(self._cache)
