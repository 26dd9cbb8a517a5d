"""The loop on real parts: uvicorn serving SSE, a real Celery worker, real Redis."""

import json
import threading

import httpx
import pytest
from django.utils import timezone

from wargame.exercises import services, tasks
from wargame.exercises.models import Event, Turn

from ..conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class SSEListener:
    """Reads an SSE stream in a thread and keeps the events it saw."""

    def __init__(self, url):
        self.events = []
        self.opened = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self._thread.start()
        assert self.opened.wait(10), "the SSE stream did not open"

    def _run(self, url):
        with httpx.stream("GET", url, timeout=httpx.Timeout(5, read=30)) as response:
            self.headers = response.headers
            name = None
            for line in response.iter_lines():
                if self._stop:
                    return
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and name:
                    self.events.append((name, json.loads(line.split(":", 1)[1])))
                    if name == "hello":
                        self.opened.set()
                    name = None

    def kinds(self):
        return [k for k, _ in self.events]

    def close(self):
        self._stop = True


@pytest.fixture
def nt_exercise(live_stack, facilitator):
    return services.exercise_create(scenario_slug="northern-territories", name="Live", facilitator=facilitator, seed=3)


def test_healthz_reports_database_redis_and_worker(live_stack):
    r = httpx.get(f"{live_stack.url}/healthz")
    assert r.status_code == 200
    assert r.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


def test_lock_resolves_on_the_worker_and_the_doorbell_rings(live_stack, nt_exercise):
    listener = SSEListener(f"{live_stack.url}/x/{nt_exercise.join_code}/events/")
    try:
        assert listener.headers["content-type"].startswith("text/event-stream")
        assert listener.headers["x-accel-buffering"] == "no"
        services.turn_lock(exercise=nt_exercise, by="white")
        wait_for(lambda: "turn_resolved" in listener.kinds(), timeout=15, message="turn_resolved on the stream")
        turn = Turn.objects.get(exercise=nt_exercise, number=1)
        assert turn.status == Turn.Status.REVIEW and turn.result["state"]["turn"] == 1
        kinds = listener.kinds()
        assert kinds.index("turn_locked") < kinds.index("turn_resolved")
        # Nothing private travels on the stream: only exercise id, kind, version and a timestamp.
        for _, payload in listener.events[1:]:
            assert set(payload) == {"exercise", "kind", "version", "sent"}
        services.turn_publish(exercise=nt_exercise, by="white")
        wait_for(lambda: "turn_published" in listener.kinds(), timeout=5, message="turn_published")
    finally:
        listener.close()


def test_duplicate_task_delivery_resolves_once(live_stack, nt_exercise):
    # Locked as the clock locks it but with no task sent; then the same task is delivered twice on purpose.
    turn = Turn.objects.get(exercise=nt_exercise, number=1)
    Turn.objects.filter(pk=turn.pk).update(status=Turn.Status.LOCKED, locked_at=timezone.now())
    first, second = tasks.resolve_turn.delay(turn.pk), tasks.resolve_turn.delay(turn.pk)
    outcomes = sorted([first.get(timeout=20), second.get(timeout=20)])
    assert outcomes == [False, True]
    assert Event.objects.filter(exercise=nt_exercise, kind="turn_resolved").count() == 1


def test_beat_style_deadline_enforcement_hands_the_turn_to_the_worker(live_stack, nt_exercise):
    Turn.objects.filter(exercise=nt_exercise, number=1).update(deadline=timezone.now())
    tasks.enforce_deadlines.delay()  # as beat sends it: no result is stored
    wait_for(lambda: Turn.objects.get(exercise=nt_exercise, number=1).status == Turn.Status.REVIEW,
             timeout=15, message="the deadline-locked turn to be resolved")
