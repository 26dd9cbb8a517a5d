"""Bad input gets a clear message and never a 500: every POST, fed garbage, as White and as a player."""

import pytest

from wargame.exercises import services
from wargame.exercises.models import ArguedAction, Exercise, Order

from .test_access import MATRIX

pytestmark = pytest.mark.django_db

GARBAGE = [
    {},
    {"turn": "x", "revision": "NaN", "slot": "-1", "minutes": "1e9", "value": "abc", "draw": "z",
     "kind": "explode", "reason": "Because", "event": "t99:nothing", "team": "ZZZ", "inject": "NT99",
     "probability": "150", "white_card": "42", "reasons": ["x", "9"], "counters": ["y"], "player": "nope",
     "action": "<script>", "target": "???", "text": "x" * 20000, "body": "", "audience": "teams",
     "effect_0_var": "T", "effect_0_subject": "JPN-RUS", "effect_0_delta": "nan", "username": "nobody"},
    {"turn": "1", "kind": "manual_dice", "value": "0 0 0", "event": "t1:incident:JPN-RUS", "reason": "Error",
     "effect_0_var": "Q", "effect_0_subject": "JPN", "effect_0_delta": "5", "audience": "all", "title": "t",
     "text": "t", "minutes": "-5", "probability": "-1", "white_card": "100"},
]
POSTS = sorted({t for m, t, _ in MATRIX if m == "post"})


@pytest.mark.parametrize("template", POSTS)
@pytest.mark.parametrize("who", ["white", "jpn"])
def test_garbage_never_raises_a_server_error(exercise, white_client, jpn_client, template, who):
    client = white_client if who == "white" else jpn_client
    url = template.format(code=exercise.join_code, id=exercise.pk, obs=exercise.observer_code)
    for data in GARBAGE:
        assert client.post(url, data).status_code < 500, (url, data)
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code < 500, (url, data)


def test_garbage_in_review_never_raises_a_server_error(exercise, white_client):
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    for template in [t for t in POSTS if t.startswith("/f/")]:
        url = template.format(code=exercise.join_code, id=exercise.pk, obs=exercise.observer_code)
        for data in GARBAGE:
            assert white_client.post(url, data).status_code < 500, (url, data)


# ---- control characters anywhere: path segments, query strings, form fields ----

NUL_GARBAGE = {k: (v if isinstance(v, list) else f"{v}\x00") for k, v in GARBAGE[1].items()}
NUL_GARBAGE.update({"name": "Ai\x00ko", "body": "hi\x00", "note": "n\x00", "title": "t\x00", "username": "wh\x00ite"})
GETS = sorted({t for m, t, _ in MATRIX if m == "get"})


def _poisoned_paths(template):
    """Each {placeholder} and each literal segment of a URL template replaced by a NUL-bearing one."""
    yield template.replace("{code}", "AB%00CD").replace("{obs}", "%00").replace("{id}", "{id}")
    segments = template.split("/")
    for i, seg in enumerate(segments):
        if seg and not seg.startswith("{") and not seg.startswith("?"):
            yield "/".join(segments[:i] + [seg[:1] + "%00" + seg[1:]] + segments[i + 1:])
    base, _, query = template.partition("?")
    yield base + "?" + "&".join(filter(None, [query, "thread=%00", "team=J%00N", "view=%00", "code=%00%01"]))


@pytest.mark.parametrize("template", GETS + POSTS)
@pytest.mark.parametrize("who", ["white", "jpn", "stranger"])
def test_nul_in_any_path_segment_or_query_is_refused_not_a_server_error(exercise, white_client, jpn_client, client,
                                                                         template, who):
    c = {"white": white_client, "jpn": jpn_client, "stranger": client}[who]
    for path in _poisoned_paths(template):
        url = path.format(code=exercise.join_code, id=exercise.pk, obs=exercise.observer_code)
        for method in ("get", "post"):
            response = getattr(c, method)(url)
            assert response.status_code < 500, (method, url, response.status_code)


@pytest.mark.parametrize("template", POSTS + ["/", "/facilitator/new/", "/x/{code}/join/"])
@pytest.mark.parametrize("who", ["white", "jpn"])
def test_nul_in_any_form_field_is_refused_with_a_message(exercise, white_client, jpn_client, template, who):
    client = white_client if who == "white" else jpn_client
    url = template.format(code=exercise.join_code, id=exercise.pk, obs=exercise.observer_code)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(url, NUL_GARBAGE, **headers)
        assert response.status_code == 400, (url, response.status_code)
        assert "control character" in response.content.decode()


def test_a_nul_display_name_is_refused_and_nothing_is_saved(client, exercise):
    response = client.post("/", {"code": exercise.join_code, "name": "Ai\x00ko"})
    assert response.status_code == 400
    assert not exercise.players.exists()


# ---- lengths and numbers: refused with the reason, nothing half-saved ----

def test_a_two_million_character_order_note_is_refused_and_the_order_unchanged(jpn_client, exercise):
    url = f"/x/{exercise.join_code}/t/JPN/orders/1/"
    assert jpn_client.post(url, {"action": "M2", "note": "ok", "turn": 1, "revision": 0}).status_code == 200
    response = jpn_client.post(url, {"action": "M2", "note": "x" * 2_000_000, "turn": 1, "revision": 1})
    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    assert Order.objects.get(team__code="JPN", slot=1).note == "ok"


def test_argued_aims_of_a_million_characters_are_refused(jpn_client, exercise):
    response = jpn_client.post(f"/x/{exercise.join_code}/t/JPN/argued/", {
        "action": "Invite Russia to talks", "intended": "Talks", "reason": ["History"], "aims": "a" * 1_000_000,
        "turn": 1, "revision": 0})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()
    assert not ArguedAction.objects.exists()


def test_an_exercise_name_of_201_characters_is_refused_with_a_message(white_client, exercise):
    response = white_client.post("/facilitator/new/", {"scenario": "northern-territories", "name": "n" * 201},
                                 follow=True)
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert Exercise.objects.count() == 1


def test_an_order_with_a_target_but_no_action_is_refused(jpn_client, exercise):
    response = jpn_client.post(f"/x/{exercise.join_code}/t/JPN/orders/1/",
                               {"action": "", "target": "RUSSIA", "turn": 1, "revision": 0})
    assert response.status_code == 400
    assert "Choose an action" in response.content.decode()
    assert not Order.objects.exists()


@pytest.mark.parametrize("delta", ["nan", "NaN", "inf", "-inf", "1e400"])
def test_a_non_finite_inject_delta_is_refused(white_client, exercise, delta):
    response = white_client.post(f"/f/{exercise.pk}/inject/new/", {
        "turn": 1, "title": "Storm", "text": "A storm.", "audience": "all",
        "effect_0_var": "T", "effect_0_subject": "JPN-RUS", "effect_0_delta": delta}, follow=True)
    assert response.status_code == 200
    assert "Enter a number" in response.content.decode()
    assert not exercise.turns.get(number=1).inputs


def test_the_engine_refuses_a_nan_effect_whatever_the_caller():
    from wargame.engine.effects import validate_effect

    problems = validate_effect({"var": "T", "dyad": ["JPN", "RUS"], "delta": float("nan")}, "inject",
                               ("JPN", "RUS"), cap=10)
    assert problems and "not a finite number" in problems[0]


def test_a_nan_override_scale_is_refused_and_the_proposal_stays_finite(white_client, exercise):
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    turn = exercise.turns.get(number=1)
    event = next(e["id"] for e in turn.result["events"] if e.get("changes"))
    response = white_client.post(f"/f/{exercise.pk}/override/", {
        "turn": 1, "event": event, "kind": "scale", "value": "nan", "reason": "Error"}, follow=True)
    assert response.status_code == 200
    turn.refresh_from_db()
    assert not (turn.inputs or {}).get("overrides")
    assert "nan" not in str(turn.result["state"]).lower()


def test_narratives_and_inject_texts_over_their_limits_are_refused_not_truncated(exercise):
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    with pytest.raises(services.ServiceError, match="at most 8000"):
        services.narrative_edit(exercise=exercise, by="white", turn_number=1, team_code="JPN", text="x" * 8001)
    with pytest.raises(services.ServiceError, match="at most 4000"):
        services.inject_adhoc(exercise=exercise, by="white", turn_number=1, title="t", text="x" * 4001,
                              audience="all", effects=[])
    assert not exercise.turns.get(number=1).inputs
