"""A locked turn always finishes: beat re-queues a turn whose resolve task went missing, and White's
console says when it waits for a worker, with a "Retry now".

The broker is on a dead port (tests/django/conftest.py `redis_down`), so no task leaves this process:
these tests check the claim and its throttle, not the worker (tests/integration/test_faults.py does).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from wargame.exercises import services
from wargame.exercises.models import Event, Turn

pytestmark = pytest.mark.django_db(transaction=True)


# ---- beat re-queues a turn whose resolve task went missing ----

def _lock(exercise):
    services.turn_lock(exercise=exercise, by="white")
    return Turn.objects.get(exercise=exercise, number=1)


def test_beat_requeues_a_locked_turn_after_the_grace_and_throttles(exercise, redis_down, settings):
    settings.RESOLVE_GRACE_SECONDS = 10
    turn = _lock(exercise)
    t0 = turn.locked_at
    assert services.turns_requeue(now=t0 + timedelta(seconds=9)) == []
    assert services.turns_requeue(now=t0 + timedelta(seconds=10)) == [turn.pk]
    assert Turn.objects.get(pk=turn.pk).resolve_queued_at == t0 + timedelta(seconds=10)
    # Claimed: the same tick (or a second beat) does not queue it again.
    assert services.turns_requeue(now=t0 + timedelta(seconds=10)) == []
    # Then each re-queue waits as long as the turn had waited before the last one, at most 20 s.
    assert services.turns_requeue(now=t0 + timedelta(seconds=19)) == []
    assert services.turns_requeue(now=t0 + timedelta(seconds=20)) == [turn.pk]
    assert services.turns_requeue(now=t0 + timedelta(seconds=39)) == []
    assert services.turns_requeue(now=t0 + timedelta(seconds=40)) == [turn.pk]
    sent, now = 3, t0 + timedelta(seconds=40)
    while now < t0 + timedelta(hours=1):
        now += timedelta(seconds=5)  # beat's tick
        sent += len(services.turns_requeue(now=now))
    assert sent <= 185, f"{sent} re-queues in an hour"  # a tick every 5 s would be 720


def test_beat_requeues_a_turn_left_resolving_and_leaves_finished_ones(exercise, redis_down, settings):
    settings.RESOLVE_GRACE_SECONDS = 10
    turn = _lock(exercise)
    Turn.objects.filter(pk=turn.pk).update(status=Turn.Status.RESOLVING)  # a worker died mid-resolution
    later = turn.locked_at + timedelta(seconds=11)
    assert services.turns_requeue(now=later) == [turn.pk]
    # Resolution claims under select_for_update and is exactly-once: the re-queued task finishes it once.
    assert services.turn_resolve(turn_id=turn.pk) is True
    assert services.turn_resolve(turn_id=turn.pk) is False
    assert Turn.objects.get(pk=turn.pk).status == Turn.Status.REVIEW
    assert services.turns_requeue(now=later + timedelta(minutes=5)) == []
    assert Event.objects.filter(exercise=exercise, kind="turn_resolved").count() == 1


def test_the_deadline_tick_also_requeues(exercise, redis_down, settings):
    settings.RESOLVE_GRACE_SECONDS = 10
    turn = _lock(exercise)
    services.deadlines_enforce(now=turn.locked_at + timedelta(seconds=30))
    assert Turn.objects.get(pk=turn.pk).resolve_queued_at == turn.locked_at + timedelta(seconds=30)


# ---- White's console: "waiting for a worker" and "Retry now" ----

def test_the_console_says_it_waits_for_a_worker_and_offers_a_retry(white_client, exercise, redis_down, settings):
    settings.RESOLVE_GRACE_SECONDS = 10
    turn = _lock(exercise)
    html = white_client.get(f"/f/{exercise.pk}/").content.decode()
    assert "The engine is resolving the turn" in html and 'data-testid="waiting-for-worker"' not in html
    Turn.objects.filter(pk=turn.pk).update(locked_at=timezone.now() - timedelta(seconds=11))
    html = white_client.get(f"/f/{exercise.pk}/", headers={"HX-Request": "true", "HX-Target": "console-turn"}
                            ).content.decode()
    assert "Waiting for a worker — the turn will resolve as soon as one is back." in html
    assert f'action="/f/{exercise.pk}/resolve/retry/"' in html and 'data-testid="retry-resolve"' in html
    assert "every 5s" in html  # the panel looks again soon, not in 30 s
    before = Turn.objects.get(pk=turn.pk).resolve_queued_at
    r = white_client.post(f"/f/{exercise.pk}/resolve/retry/", {"turn": 1}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "Sent to the worker again." in r.content.decode()
    assert Turn.objects.get(pk=turn.pk).resolve_queued_at > before
    assert Event.objects.filter(exercise=exercise, kind="resolve_retried", actor="white").count() == 1


def test_retry_is_refused_unless_the_turn_waits_for_its_result(white_client, exercise):
    r = white_client.post(f"/f/{exercise.pk}/resolve/retry/", {"turn": 1}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "only a turn waiting for its result can be retried" in r.content.decode()
    turn = Turn.objects.get(exercise=exercise, number=1)
    assert turn.status == Turn.Status.OPEN and turn.resolve_queued_at is None
    assert not Event.objects.filter(kind="resolve_retried").exists()


def test_retry_needs_csrf(exercise, facilitator):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(facilitator)
    assert c.post(f"/f/{exercise.pk}/resolve/retry/", {"turn": 1}).status_code == 403
