"""Bad input gets a clear message and never a 500: every POST, fed garbage, as White and as a player."""

import pytest

from wargame.exercises import services

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
