"""The analysts' tables, the export job's life on the worker (called here directly) and White's exports panel."""

import csv
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wargame import engine
from wargame.engine.effects import ATTR_NAMES
from wargame.exercises import archive, exports_csv, services
from wargame.exercises.models import ExportJob

from ..conftest import join
from .test_archive import play

pytestmark = pytest.mark.django_db


def _tables(content):
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {name: list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8-sig")))) for name in z.namelist()}


@pytest.fixture
def played(exercise):
    return play(exercise)


def test_the_tables_hold_one_row_per_turn_and_dyad_actor_order_message_and_event(played):
    tables = _tables(exports_csv.build_csv_zip(played))
    assert set(tables) == {"dyads.csv", "actors.csv", "orders.csv", "messages.csv", "events.csv"}
    state = played.state
    dyads, actors = tables["dyads.csv"], tables["actors.csv"]
    assert len(dyads) == 3 * len(state["dyads"])  # the baseline and two published turns
    assert len(actors) == 3 * len(state["actors"])
    assert list(dyads[0]) == ["turn", "dyad", "IL", "T", "C", "E", "rung", "band", *ATTR_NAMES]
    assert {r["turn"] for r in dyads} == {"0", "1", "2"}
    t2 = {r["dyad"]: r for r in dyads if r["turn"] == "2"}
    assert float(t2["JPN-RUS"]["T"]) == state["dyads"]["JPN-RUS"]["T"]
    assert t2["JPN-RUS"]["band"] == engine.band_name(state["dyads"]["JPN-RUS"]["IL"])
    jpn = next(r for r in actors if r["turn"] == "2" and r["actor"] == "JPN")
    assert float(jpn["D"]) == state["actors"]["JPN"]["D"] and int(jpn["RP"]) == state["rp"]["JPN"]
    assert jpn["BS"] == ""  # Japan has no bastion
    assert [(r["turn"], r["team"], r["action"]) for r in tables["orders.csv"]] == [
        ("1", "JPN", "M2"), ("1", "RUS", "D1"), ("1", "CHN", "M1"), ("2", "JPN", "M1"), ("3", "CHN", "M1")]
    assert tables["orders.csv"][0]["action_name"] and tables["orders.csv"][0]["category"] == "military"
    results = [t.result for t in played.turns.filter(status="published")]
    events = tables["events.csv"]
    assert len(events) == sum(len(r["events"]) for r in results)
    override = next(r for r in events if r["kind"] == "override")
    assert override["turn"] == "1" and override["audience"] == "white"
    changed = next(r for r in events if json.loads(r["changes"]))
    assert all(len(c) == 4 for c in json.loads(changed["changes"]))


def test_the_attribution_parts_add_up_to_each_turns_change_in_tension(played):
    rows = _tables(exports_csv.build_csv_zip(played))["dyads.csv"]
    by = {(int(r["turn"]), r["dyad"]): r for r in rows}
    checked = 0
    for (turn, dyad), r in by.items():
        if turn == 0:
            assert all(r[name] == "" for name in ATTR_NAMES)
            continue
        change = float(r["T"]) - float(by[(turn - 1, dyad)]["T"])
        assert sum(float(r[name]) for name in ATTR_NAMES) == pytest.approx(change, abs=1e-9), (turn, dyad)
        checked += 1
    assert checked == 2 * len(played.state["dyads"])
    assert any(float(r["T"]) != float(by[(int(r["turn"]) - 1, r["dyad"])]["T"]) for r in rows if r["turn"] != "0")


def test_message_text_only_when_white_asks(played):
    plain = _tables(exports_csv.build_csv_zip(played))["messages.csv"]
    assert len(plain) == 6 and "text" not in plain[0]
    assert "Talk about fish?" not in json.dumps(plain)
    first = plain[0]
    assert (first["kind"], first["sender_team"], first["recipients"], first["thread"], first["characters"]) == (
        "bilateral", "JPN", "RUS", "JPN-RUS", str(len("Talk about fish?")))
    broadcast = next(r for r in plain if r["kind"] == "broadcast")
    assert broadcast["sender_team"] == "" and broadcast["recipients"] == "JPN"
    full = _tables(exports_csv.build_csv_zip(played, message_text=True))["messages.csv"]
    assert [r["text"] for r in full][:2] == ["Talk about fish?", "Yes — 漁業."]


# ---- the job ----

def test_a_requested_archive_is_made_once_with_progress_and_stored(played, facilitator):
    job = services.export_request(exercise=played, by="white", kind="archive")
    assert (job.status, job.progress, job.created_by) == ("queued", 0, "white")
    assert services.export_request(exercise=played, by="white", kind="archive").pk == job.pk  # still being made
    with CaptureQueriesContext(connection) as queries:
        assert services.export_run(job_id=job.pk) is True
    progress = [q["sql"] for q in queries.captured_queries
                if q["sql"].startswith("UPDATE") and "exercises_exportjob" in q["sql"] and '"progress"' in q["sql"]]
    assert len(progress) >= 5  # claim, several steps, done: each its own UPDATE
    job.refresh_from_db()
    assert (job.status, job.progress, job.content_type, job.error) == ("done", 100, "application/json", "")
    assert job.filename.startswith(f"exercise-{played.pk}-seminar-a-") and job.filename.endswith(".json")
    data = archive.load_archive(bytes(job.content))
    assert data["format"] == 1 and len(data["turns"]) == 3 and job.finished is not None
    assert services.export_run(job_id=job.pk) is False  # a second delivery finds it taken
    job.refresh_from_db()
    assert job.status == "done" and played.events.filter(kind="export_done").count() == 1


def test_a_csv_job_keeps_its_message_text_option(played):
    job = services.export_request(exercise=played, by="white", kind="csv", options={"message_text": True})
    other = services.export_request(exercise=played, by="white", kind="csv", options={})
    assert other.pk != job.pk and other.options == {"message_text": False}
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.content_type == "application/zip" and job.filename.endswith(".csv.zip")
    assert _tables(bytes(job.content))["messages.csv"][0]["text"] == "Talk about fish?"


def test_a_lost_job_does_not_block_asking_again(played):
    from datetime import timedelta

    from django.utils import timezone
    lost = services.export_request(exercise=played, by="white", kind="archive")
    ExportJob.objects.filter(pk=lost.pk).update(status="running", created=timezone.now() - timedelta(minutes=6))
    assert services.export_request(exercise=played, by="white", kind="archive").pk != lost.pk


def test_an_unknown_kind_is_refused():
    with pytest.raises(services.ServiceError, match="archive or the tables"):
        services.export_request(exercise=None, by="white", kind="pdf")


def test_a_failed_export_says_why_and_the_error_reaches_the_worker(played, monkeypatch):
    job = services.export_request(exercise=played, by="white", kind="archive")

    def broken(*args, **kwargs):
        raise ValueError("the disk is full")
    monkeypatch.setattr(archive, "build_archive", broken)
    with pytest.raises(ValueError, match="disk is full"):
        services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.content) == ("failed", "the disk is full", None)


# ---- the panel and the download ----

def _white(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_panel_polls_while_a_job_runs_and_offers_the_file_when_done(played, facilitator):
    white = _white(facilitator)
    r = white.get(f"/f/{played.pk}/exports/", HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and html.lstrip().startswith('<section id="exports-panel"')
    assert "Exercise archive (JSON)" in html and "Tables for analysts (CSV)" in html and "message_text" in html
    assert "every 1s" not in html  # nothing is being made: no polling

    r = white.post(f"/f/{played.pk}/exports/new/", {"kind": "csv", "message_text": "on"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    job = ExportJob.objects.get(exercise=played)
    assert r.status_code == 200 and job.options == {"message_text": True}
    assert 'hx-trigger="every 1s"' in html and '<progress max="100" value="0"' in html

    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    html = white.get(f"/f/{played.pk}/exports/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in html and f"/f/{played.pk}/exports/{job.pk}/download/" in html

    r = white.get(f"/f/{played.pk}/exports/{job.pk}/download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert r["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert "messages.csv" in _tables(r.content)


def test_the_panel_is_a_page_without_javascript(played, facilitator):
    white = _white(facilitator)
    r = white.post(f"/f/{played.pk}/exports/new/", {"kind": "archive"})
    assert r.status_code == 302 and r["Location"] == f"/f/{played.pk}/exports/"
    page = white.get(r["Location"]).content.decode()
    assert "<!doctype html>" in page and 'id="exports-panel"' in page and "<progress" in page
    r = white.post(f"/f/{played.pk}/exports/new/", {"kind": "pdf"})
    assert r.status_code == 400 and "archive or the tables" in r.content.decode()
    r = white.post(f"/f/{played.pk}/exports/new/", {"kind": "pdf"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "archive or the tables" in r.content.decode()


def test_only_this_exercises_white_gets_the_panel_and_the_file(played, facilitator, other_facilitator):
    job = services.export_request(exercise=played, by="white", kind="archive")
    url = f"/f/{played.pk}/exports/{job.pk}/download/"
    assert _white(facilitator).get(url).status_code == 404  # not made yet
    services.export_run(job_id=job.pk)
    assert _white(facilitator).get(url).status_code == 200
    grey = _white(other_facilitator)
    assert grey.get(url).status_code == 404
    assert grey.get(f"/f/{played.pk}/exports/").status_code == 404
    assert grey.post(f"/f/{played.pk}/exports/new/", {"kind": "archive"}).status_code == 404
    player = Client()
    join(player, played, "Eve", "JPN")
    for r in (player.get(url), player.get(f"/f/{played.pk}/exports/"), Client().get(url)):
        assert r.status_code == 302 and r["Location"].startswith("/facilitator/login/")
    # Grey's own exercise cannot reach White's file through its own id.
    mine = services.exercise_create(scenario_slug="northern-territories", name="Grey's", facilitator=other_facilitator)
    assert grey.get(f"/f/{mine.pk}/exports/{job.pk}/download/").status_code == 404
    assert ExportJob.objects.filter(exercise=mine).count() == 0
