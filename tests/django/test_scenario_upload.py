"""Scenarios a facilitator brings (issue 16): upload checked as scenario_check checks files, every problem shown
with its file, path and problem and nothing saved; a valid one is playable and calibrated; downloads; the schema."""

import json
import os

import jsonschema
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wargame.engine.effects import OPS
from wargame.engine.spec import ACTION_KEYS, CATEGORIES, OPTIONAL_ACTION_KEYS, TEAM_CODES
from wargame.exercises import services
from wargame.exercises.models import Exercise, Turn, UploadedScenario
from wargame.scenarios import load_scenario, loader, scenario_slugs

pytestmark = pytest.mark.django_db

HERE = loader.HERE
SLUG = "kuril-variant"


def _shipped(slug, ext):
    with open(os.path.join(HERE, f"{slug}{ext}"), "rb") as f:
        return f.read()


NT_RULES = _shipped("northern-territories", ".yaml")
NT_TEXT = _shipped("northern-territories", ".text.yaml")
# A shipped scenario under a new slug: a valid upload.
RULES = NT_RULES.replace(b"slug: northern-territories\n", f"slug: {SLUG}\n".encode())
TEXT = NT_TEXT.replace(b'title: "Northern Territories', b'title: "Kuril variant of Northern Territories', 1)
assert RULES != NT_RULES


def _edit(data, old, new, count=1):
    assert data.count(old) >= 1, old
    return data.replace(old, new, count)


@pytest.fixture
def white(facilitator):
    c = Client()
    c.force_login(facilitator)
    return c


def _post(client, rules=RULES, text=TEXT, rules_name=f"{SLUG}.yaml", text_name=f"{SLUG}.text.yaml"):
    files = {}
    if rules is not None:
        files["rules_file"] = SimpleUploadedFile(rules_name, rules, content_type="application/yaml")
    if text is not None:
        files["text_file"] = SimpleUploadedFile(text_name, text, content_type="application/yaml")
    return client.post("/facilitator/scenarios/upload/", files)


# (case, rules bytes, text bytes, [(file, path, words of the problem), ...]): each kind of error.
BROKEN = [
    ("bad-utf8", _edit(RULES, b"name: Northern Territories", b"name: Northern \xff Territories"), TEXT,
     [(f"{SLUG}.yaml", "line 4, column 16", "not UTF-8")]),
    ("yaml-syntax", _edit(RULES, b"core: [JPN, RUS, CHN]", b"core: [JPN, RUS, CHN"), TEXT,
     [(f"{SLUG}.yaml", "line ", "not valid YAML")]),
    ("missing-key", _edit(RULES, b"name: Northern Territories\n", b""), TEXT,
     [(f"{SLUG}.yaml", "name", "missing")]),
    ("wrong-type", _edit(RULES, b"turns: 8\n", b"turns: eight\n"), TEXT,
     [(f"{SLUG}.yaml", "turns", "expected an integer 1-40")]),
    ("unknown-action", _edit(RULES, b"{op: unlock, actions: [M3]}", b"{op: unlock, actions: [M99]}"), TEXT,
     [(f"{SLUG}.yaml", ".actions", "expected a list of this scenario's action keys")]),
    ("cross-reference", _edit(RULES, b"inject: NT10", b"inject: NT99"), TEXT,
     [(f"{SLUG}.yaml", "end.treaty.inject", "unknown inject 'NT99'")]),
    ("text-unknown-team", RULES, _edit(TEXT, b"\nteams:\n", b"\nteams:\n  XYZ: {name: Atlantis}\n"),
     [(f"{SLUG}.text.yaml", "teams.XYZ", "unknown id")]),
    ("text-unknown-action", RULES, _edit(TEXT, b"\nactions:\n", b"\nactions:\n  Z9: {help: Nothing.}\n"),
     [(f"{SLUG}.text.yaml", "actions.Z9", "unknown id")]),
    ("shipped-slug", NT_RULES, TEXT,
     [(f"{SLUG}.yaml", "slug", "shipped with the game")]),
    ("missing-file", RULES, None,
     [(f"{SLUG}.text.yaml", "", "missing")]),
    ("both-files-wrong", _edit(RULES, b"turns: 8\n", b"turns: 99\n"), _edit(TEXT, b"\nteams:\n", b"\nteams:\n  XYZ: {name: A}\n"),
     [(f"{SLUG}.yaml", "turns", "expected an integer 1-40"), (f"{SLUG}.text.yaml", "teams.XYZ", "unknown id")]),
]


@pytest.mark.parametrize("case,rules,text,expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_scenario_shows_every_problem_with_its_file_and_path_and_saves_nothing(
        white, case, rules, text, expected):
    response = _post(white, rules, text, text_name=f"{SLUG}.text.yaml" if text is not None else "unused")
    html = response.content.decode()
    assert response.status_code == 400, case
    assert UploadedScenario.objects.count() == 0
    assert SLUG not in scenario_slugs()
    with pytest.raises(services.ScenarioRefused) as refused:
        services.scenario_check(rules_file=SimpleUploadedFile(f"{SLUG}.yaml", rules) if rules is not None else None,
                                text_file=SimpleUploadedFile(f"{SLUG}.text.yaml", text) if text is not None else None)
    problems = refused.value.problems
    for file, path, words in expected:
        assert any(p.file == file and path in p.path and words in p.problem for p in problems), (case, problems)
        shown = [p for p in problems if p.file == file and path in p.path and words in p.problem][0]
        assert f'data-file="{file}"' in html  # grouped by file
        assert shown.problem.replace("'", "&#x27;") in html and (not shown.path or shown.path in html), case
    assert 'data-testid="scenario-problem"' in html


def test_every_problem_is_reported_not_only_the_first(white):
    rules = _edit(_edit(RULES, b"turns: 8\n", b"turns: eight\n"), b"inject: NT10", b"inject: NT99")
    with pytest.raises(services.ScenarioRefused) as refused:
        services.scenario_check(rules_file=SimpleUploadedFile("r.yaml", rules),
                                text_file=SimpleUploadedFile("r.text.yaml", TEXT))
    paths = {p.path for p in refused.value.problems}
    assert {"turns", "end.treaty.inject"} <= paths


def test_prose_that_cannot_be_checked_against_broken_rules_says_so_and_never_crashes(white):
    rules = _edit(RULES, b"turns: 8\n", b"turns: x\n")  # the prose's checks read the turns
    response = _post(white, rules, _edit(TEXT, b"\nteams:\n", b"\nteams:\n  XYZ: {name: A}\n"))
    html = response.content.decode()
    assert response.status_code == 400 and "checked against the rules once the rules file passes" in html
    assert UploadedScenario.objects.count() == 0
    for junk in (b"- a list\n", b"actors: [JPN]\nactions: 3\ndynamics: [1]\n", b"\x00", b"   \n"):
        response = _post(white, junk, TEXT)
        assert response.status_code == 400 and 'data-testid="scenario-problem"' in response.content.decode(), junk
    assert UploadedScenario.objects.count() == 0


def test_a_valid_scenario_is_saved_playable_and_calibrated(white, facilitator):
    response = _post(white)
    assert response.status_code == 302 and response["Location"] == f"/facilitator/scenarios/{SLUG}/"
    row = UploadedScenario.objects.get(slug=SLUG)
    assert row.uploaded_by == facilitator and row.calibration_status == "queued"
    assert row.title.startswith("Kuril variant")

    # The loader finds it (the engine through the app's source), and the new-exercise form offers it.
    assert SLUG in scenario_slugs() and load_scenario(SLUG).slug == SLUG
    home = white.get("/facilitator/").content.decode()
    assert f'name="scenario" value="{SLUG}"' in home and "Kuril variant" in home
    assert 'href="/facilitator/scenarios/"' in home
    assert white.get(f"/facilitator/pack/{SLUG}/").status_code == 200  # its facilitator's pack, as a shipped one's

    # Its page says the report is queued and polls for it; the worker's job makes it; the page shows it.
    page = white.get(f"/facilitator/scenarios/{SLUG}/").content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page
    assert services.scenario_calibrate(scenario_id=row.pk) is True
    assert services.scenario_calibrate(scenario_id=row.pk) is False  # a second delivery does nothing
    row.refresh_from_db()
    report = row.calibration_report
    assert row.calibration_status == "done" and report["total"] > 0 and report["scenario"] == SLUG
    assert report["seeds"] == f"1-{services.scenarios.CALIBRATION_SEEDS}"
    page = white.get(f"/facilitator/scenarios/{SLUG}/").content.decode()
    assert 'data-status="done"' in page and "hx-trigger" not in page
    assert f"{report['passed']} of {report['total']} targets pass" in page
    assert page.count("<tr data-passed=") == report["total"]
    assert report["targets"][0]["target"].replace("'", "&#x27;") in page
    partial = white.get(f"/facilitator/scenarios/{SLUG}/", headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="calibration"')

    # Create an exercise on it through the form, and play one turn: locked, then resolved by the engine.
    response = white.post("/facilitator/new/", {"scenario": SLUG, "name": "Uploaded game", "team_JPN": "1",
                                                "team_RUS": "1", "team_CHN": "1"})
    exercise = Exercise.objects.get(name="Uploaded game")
    assert response.status_code == 302 and exercise.scenario.slug == SLUG
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=1)
    assert turn.status == Turn.Status.LOCKED
    assert services.turn_resolve(turn_id=turn.pk) is True
    turn.refresh_from_db()
    assert turn.status == Turn.Status.REVIEW and turn.result["state"]
    services.turn_publish(exercise=exercise, by="white")
    assert exercise.turns.get(number=1).status == Turn.Status.PUBLISHED and exercise.turns.filter(number=2).exists()

    # Its archive carries the uploaded files (there are none on disk to read).
    from wargame.exercises.archive import build_archive
    archived = build_archive(exercise)["scenario"]
    assert archived["slug"] == SLUG and archived["rules_yaml"] == RULES.decode() and archived["text_yaml"] == TEXT.decode()


def test_the_same_slug_twice_is_refused_and_the_first_stays(white):
    assert _post(white).status_code == 302
    response = _post(white, text=_edit(TEXT, b"Kuril variant", b"Another"))
    assert response.status_code == 400 and "was uploaded already" in response.content.decode()
    assert UploadedScenario.objects.get(slug=SLUG).title.startswith("Kuril variant")


def test_a_scenario_the_policies_cannot_play_says_it_has_no_targets(white):
    rules = _shipped("practice", ".yaml").replace(b"slug: practice\n", b"slug: my-practice\n")
    response = _post(white, rules, _shipped("practice", ".text.yaml"), "my-practice.yaml", "my-practice.text.yaml")
    assert response.status_code == 302
    row = UploadedScenario.objects.get(slug="my-practice")
    services.scenario_calibrate(scenario_id=row.pk)
    row.refresh_from_db()
    assert row.calibration_status == "no_targets" and "no calibration targets" in row.calibration_error
    assert 'data-status="no_targets"' in white.get("/facilitator/scenarios/my-practice/").content.decode()


def test_downloads_return_the_exact_bytes(white):
    assert _post(white).status_code == 302
    for slug, part, want in [(SLUG, "rules", RULES), (SLUG, "text", TEXT),
                             ("northern-territories", "rules", NT_RULES), ("northern-territories", "text", NT_TEXT)]:
        r = white.get(f"/facilitator/scenarios/{slug}/files/{part}/")
        assert r.status_code == 200 and r.content == want, (slug, part)
        ext = ".yaml" if part == "rules" else ".text.yaml"
        assert r["Content-Disposition"] == f'attachment; filename="{slug}{ext}"'
    listing = white.get("/facilitator/scenarios/").content.decode()
    for slug in ("northern-territories", "sea-of-okhotsk", SLUG):
        assert f"/facilitator/scenarios/{slug}/files/rules/" in listing
        assert f"/facilitator/scenarios/{slug}/files/text/" in listing


def test_an_uploaded_scenario_is_every_facilitators_and_no_players(white, other_facilitator, exercise):
    assert _post(white).status_code == 302
    grey, stranger = Client(), Client()
    grey.force_login(other_facilitator)
    for url in (f"/facilitator/scenarios/{SLUG}/", f"/facilitator/scenarios/{SLUG}/files/rules/"):
        assert white.get(url).status_code == 200
        assert grey.get(url).status_code == 200  # the installation's scenarios, as the shipped ones are
        r = stranger.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/facilitator/login/")
    r = stranger.post(f"/facilitator/scenarios/{SLUG}/calibrate/")
    assert r.status_code == 302 and r["Location"].startswith("/facilitator/login/")
    # Re-queueing: refused while the report is queued (it says so), allowed after a failure.
    white.post(f"/facilitator/scenarios/{SLUG}/calibrate/")
    UploadedScenario.objects.filter(slug=SLUG).update(calibration_status="failed", calibration_error="boom")
    assert 'data-status="failed"' in grey.get(f"/facilitator/scenarios/{SLUG}/").content.decode()
    assert grey.post(f"/facilitator/scenarios/{SLUG}/calibrate/").status_code == 302
    assert UploadedScenario.objects.get(slug=SLUG).calibration_status == "queued"


def test_the_rules_schema_is_published_and_the_shipped_rules_files_pass_it(client):
    r = client.get("/scenarios/schema.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/schema+json"
    schema = json.loads(b"".join(r.streaming_content))
    with open(os.path.join(HERE, "rules.schema.json"), encoding="utf-8") as f:
        assert schema == json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for slug in loader.shipped_slugs():
        rules = yaml.safe_load(_shipped(slug, ".yaml"))
        assert list(validator.iter_errors(rules)) == [], slug
    # It refuses what the validator refuses, where a schema can say so.
    for broken in (_edit(RULES, b"turns: 8\n", b"turns: eight\n"), _edit(RULES, b"name: Northern Territories\n", b"")):
        assert list(validator.iter_errors(yaml.safe_load(broken)))
    # And it names what the engine knows, so it cannot drift from it.
    assert schema["$defs"]["actionKey"]["enum"] == list(ACTION_KEYS) + list(OPTIONAL_ACTION_KEYS)
    assert schema["$defs"]["action"]["properties"]["category"]["enum"] == list(CATEGORIES)
    assert schema["properties"]["actors"]["required"] == list(TEAM_CODES)
    assert schema["$defs"]["effect"]["properties"]["op"]["enum"] == list(OPS)


def test_the_admin_upload_form_uses_the_same_checks(admin_client):
    url = "/admin/exercises/uploadedscenario/add/"
    assert admin_client.get(url).status_code == 200
    bad = admin_client.post(url, {"rules_file": SimpleUploadedFile(f"{SLUG}.yaml", _edit(RULES, b"turns: 8\n", b"turns: x\n")),
                                  "text_file": SimpleUploadedFile(f"{SLUG}.text.yaml", TEXT)})
    assert bad.status_code == 200 and "expected an integer 1-40" in bad.content.decode()
    assert UploadedScenario.objects.count() == 0
    good = admin_client.post(url, {"rules_file": SimpleUploadedFile(f"{SLUG}.yaml", RULES),
                                   "text_file": SimpleUploadedFile(f"{SLUG}.text.yaml", TEXT)})
    assert good.status_code == 302
    row = UploadedScenario.objects.get(slug=SLUG)
    assert row.rules_yaml.encode() == RULES and row.calibration_status == "queued"
