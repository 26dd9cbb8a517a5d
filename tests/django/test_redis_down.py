"""Redis down: a committed write is answered as committed, never as an error a retry would duplicate.

The doorbell, the cache and the Celery broker all point at a port where nothing listens, so every
Redis call meets a real connection refusal. The writes run in real transactions
(`transaction=True`), so the on-commit doorbell and enqueue really run after the commit.
"""

import pytest

from wargame.exercises import live, tasks
from wargame.exercises.models import Event, Message, Order, Turn

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dead_port_really_refuses(redis_down):
    assert live.publish_now(exercise_id=1, kind="probe", version=1) is False
    assert tasks.resolve_turn.send_best_effort(0) is None


def test_an_order_saved_while_redis_is_down_is_answered_as_saved(jpn_client, exercise, redis_down):
    r = jpn_client.post(f"/x/{exercise.join_code}/t/JPN/orders/1/",
                        {"action": "M2", "target": "", "note": "", "turn": 1, "revision": 0},
                        headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'data-testid="order-error-1"' not in r.content.decode()
    order = Order.objects.get(turn__exercise=exercise, team__code="JPN", slot=1)
    assert (order.action, order.revision) == ("M2", 1)
    assert Event.objects.filter(exercise=exercise, kind="order_saved").count() == 1
    # A plain form post too: the page answers 200, not 500, and the second slot (a note only) is saved once.
    r = jpn_client.post(f"/x/{exercise.join_code}/t/JPN/orders/2/",
                        {"action": "", "target": "", "note": "still thinking", "turn": 1, "revision": 0})
    assert r.status_code == 200
    assert Order.objects.filter(turn__exercise=exercise, team__code="JPN").count() == 2


def test_a_message_sent_while_redis_is_down_is_answered_as_sent(jpn_client, exercise, redis_down):
    r = jpn_client.post(f"/x/{exercise.join_code}/t/JPN/messages/send/",
                        {"thread": "JPN-RUS", "body": "Can we talk about fisheries?"})
    assert r.status_code == 302
    r = jpn_client.post(f"/x/{exercise.join_code}/t/JPN/messages/send/",
                        {"thread": "JPN-RUS", "body": "And about the patrols?"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'data-testid="compose-sent"' in r.content.decode()
    assert list(Message.objects.filter(exercise=exercise).order_by("pk").values_list("body", flat=True)) == [
        "Can we talk about fisheries?", "And about the patrols?"]


def test_white_locks_while_redis_is_down_and_the_lock_stands(white_client, exercise, redis_down):
    r = white_client.post(f"/f/{exercise.pk}/lock/", {"turn": 1})
    assert r.status_code == 302
    turn = Turn.objects.get(exercise=exercise, number=1)
    assert turn.status == Turn.Status.LOCKED and turn.resolve_queued_at is not None
    assert Event.objects.filter(exercise=exercise, kind="turn_locked").count() == 1
    # Locking again is refused cleanly (the turn is already locked), not repeated and not a 500.
    r = white_client.post(f"/f/{exercise.pk}/lock/", {"turn": 1}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "already locked" in r.content.decode()
    assert Event.objects.filter(exercise=exercise, kind="turn_locked").count() == 1


@pytest.mark.django_db  # a read: no commit to wait for
def test_a_team_panel_is_rendered_when_the_cache_is_unreachable(jpn_client, exercise, redis_down):
    r = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/", headers={"HX-Request": "true", "HX-Target": "team-state"})
    assert r.status_code == 200
    assert 'id="team-state"' in r.content.decode()


def test_joining_and_signing_in_work_while_redis_is_down(client, exercise, facilitator, redis_down):
    """The join-code and sign-in throttles count in Redis; with Redis gone they step aside, never a 500."""
    from django.test import Client

    r = client.post("/", {"code": exercise.join_code, "name": "Aiko"})
    assert r.status_code == 302
    assert client.post("/", {"code": "NOPE99", "name": "Aiko"}).status_code == 400  # a wrong code is still told
    white = Client()
    assert white.post("/facilitator/login/", {"username": "white", "password": "wrong"}).status_code == 200
    assert white.post("/facilitator/login/", {"username": "white", "password": "white-cell-pass"}).status_code == 302


@pytest.mark.django_db
def test_the_whole_dashboard_and_its_refresh_render_when_the_cache_is_unreachable(jpn_client, exercise, redis_down):
    page = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/")
    assert page.status_code == 200 and 'id="order-forms"' in page.content.decode()
    panels = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/panels/", {"event": "turn_published"})
    assert panels.status_code == 200
    assert 'hx-swap-oob="true"' in panels.content.decode() and 'class="catalogue"' in panels.content.decode()
