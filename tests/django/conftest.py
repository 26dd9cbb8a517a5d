"""Django tests' fixtures for faults: Redis (doorbell, cache and broker) on a dead port."""

import pytest

from wargame.celery import app as celery_app
from wargame.exercises import live

from ..conftest import _free_port


def _reset_celery_connections():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    """Doorbell, cache and broker all on a dead port for the duration of the test."""
    dead = f"redis://127.0.0.1:{_free_port()}/0"
    settings.REDIS_URL = dead
    settings.CACHES = {alias: {**config, "LOCATION": dead} for alias, config in settings.CACHES.items()}
    live._sync_client = None
    broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = dead
    _reset_celery_connections()
    yield dead
    celery_app.conf.broker_url = broker
    _reset_celery_connections()
    live._sync_client = None
