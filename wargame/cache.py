"""Django's Redis cache with one client (and so one connection pool) per process.

Django keeps cache objects per context, and the WSGI bridge runs every request in a fresh context,
so each request built a new client, a new connection pool and a new Redis connection: measured here as
over half of a cached panel's time. Django also builds a redis.Redis per call, whose constructor fills a
table of ~340 response callbacks. Both are thread-safe to share: each command borrows a pooled connection.
"""

import threading

from django.core.cache.backends import redis as django_redis
from django.utils.functional import cached_property

_clients = {}
_clients_lock = threading.Lock()


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._redis = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._redis.get(index)
        if client is None:
            client = self._redis[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
        return client


class ForgivingRedisCache(RedisCache):
    """For caches of derived HTML (template fragments): Redis away is a miss, never an error page."""

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except Exception:
            return default

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except Exception:
            pass
