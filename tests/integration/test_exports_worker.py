"""Exports on real parts: White asks for a file over HTTP (uvicorn), a real Celery worker makes it, the panel
shows it ready and the download serves it."""

import io
import re
import uuid
import zipfile
from io import StringIO

import httpx
import pytest
from django.core.management import call_command
from django.test import Client

from wargame.exercises import archive, services
from wargame.exercises.models import ExportJob, Turn

from ..conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seminar(live_stack, facilitator):
    """A published turn (resolved by the worker) and some negotiation."""
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Exports", facilitator=facilitator,
                                        seed=5)
    players = {}
    for name, code, action in (("Aiko", "JPN", "M2"), ("Boris", "RUS", "M4")):
        player = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{name}-{uuid.uuid4()}")
        players[code] = services.player_choose_team(player=player, team_code=code)
        services.order_save(player=players[code], turn_number=1, slot=1, action=action)
    for n in range(30):
        services.message_post(player=players["JPN" if n % 2 else "RUS"], kind="bilateral",
                              recipient_codes=["RUS" if n % 2 else "JPN"], body=f"Message {n}")
    services.turn_lock(exercise=exercise, by="white")
    wait_for(lambda: Turn.objects.get(exercise=exercise, number=1).status == Turn.Status.REVIEW, timeout=20,
             message="the worker to resolve turn 1")
    services.turn_publish(exercise=exercise, by="white")
    exercise.refresh_from_db()
    return exercise


def white_browser(live_stack, facilitator):
    c = Client()
    c.force_login(facilitator)
    token = uuid.uuid4().hex
    return httpx.Client(base_url=live_stack.url, timeout=30, headers={"X-CSRFToken": token},
                        cookies={"sessionid": c.cookies["sessionid"].value, "csrftoken": token})


def test_a_requested_archive_is_made_by_the_worker_and_downloaded(live_stack, seminar, facilitator, other_facilitator):
    with white_browser(live_stack, facilitator) as white:
        r = white.post(f"/f/{seminar.pk}/exports/new/", data={"kind": "archive"}, headers={"HX-Request": "true"})
        assert r.status_code == 200 and 'id="exports-panel"' in r.text
        job = ExportJob.objects.get(exercise=seminar)

        def ready():
            html = white.get(f"/f/{seminar.pk}/exports/", headers={"HX-Request": "true"}).text
            return re.search(rf'href="(/f/{seminar.pk}/exports/{job.pk}/download/)"', html)
        link = wait_for(ready, timeout=20, interval=0.2, message="the panel to offer the finished archive").group(1)
        job.refresh_from_db()
        assert (job.status, job.progress) == ("done", 100)

        r = white.get(link)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.headers["content-disposition"] == f'attachment; filename="{job.filename}"'
    data = archive.load_archive(r.content)
    assert data["format"] == archive.ARCHIVE_FORMAT and len(data["messages"]) == 30
    assert data["exercise"]["state"] == seminar.state

    copy = archive.import_archive(data, facilitator=other_facilitator)
    out = StringIO()
    call_command("replay_check", copy.pk, stdout=out)
    assert "OK: 1 published turns replay to the identical state" in out.getvalue()


def test_the_worker_makes_the_analysts_tables_with_message_text(live_stack, seminar, facilitator):
    job = services.export_request(exercise=seminar, by="white", kind="csv", options={"message_text": True})
    wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).exists(), timeout=20,
             message="the worker to finish the CSV export")
    with white_browser(live_stack, facilitator) as white:
        r = white.get(f"/f/{seminar.pk}/exports/{job.pk}/download/")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        messages = z.read("messages.csv").decode("utf-8-sig")
    assert "Message 29" in messages and messages.count("\r\n") == 31
