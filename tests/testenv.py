"""Loaded with `-p tests.testenv` before pytest-django reads the settings.

Tests use their own Redis database, pub/sub prefix and Celery queue, so a `make run`
on the same machine never takes the tests' tasks or hears their doorbells.
"""

import os

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("LIVE_CHANNEL_PREFIX", f"wargame-test-{os.getpid()}")
os.environ.setdefault("CELERY_QUEUE", f"wargame-test-{os.getpid()}")
os.environ.setdefault("LIVE_KEEPALIVE_SECONDS", "2")
os.environ.setdefault("FAST_PASSWORD_HASHING", "1")
# Playwright's sync API runs an event loop in the test thread; Django's ORM must be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
