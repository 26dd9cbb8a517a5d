"""Team secrecy and White's truth: seats, session keys, observers and the public picture."""

import re

import pytest
from django.conf import settings
from django.test import Client

from wargame import engine
from wargame.exercises import services
from wargame.exercises.models import Exercise, Player
from wargame.scenarios import load_scenario

from ..conftest import join

pytestmark = pytest.mark.django_db


def _publish_turn(exercise, *, orders=()):
    for player, slot, action, target in orders:
        services.order_save(player=player, turn_number=1, slot=slot, action=action, target=target)
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    services.turn_publish(exercise=exercise, by="white")
    exercise.refresh_from_db()
    return exercise


# ---- a seat is for the whole game ----

def test_a_seated_player_cannot_switch_team_and_back(jpn_client, exercise):
    """Aiko sits with Japan, then posts the join form for Russia: refused, and Russia's pages stay shut."""
    response = jpn_client.post(f"/x/{exercise.join_code}/join/", {"team": "RUS"})
    assert response.status_code == 403
    assert "Only White can move you" in response.content.decode()
    assert Player.objects.get(display_name="Aiko").team.code == "JPN"
    assert jpn_client.get(f"/x/{exercise.join_code}/t/RUS/").status_code == 404
    assert jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").status_code == 200


def test_choosing_ones_own_team_again_is_harmless(jpn_client, exercise):
    response = jpn_client.post(f"/x/{exercise.join_code}/join/", {"team": "JPN"})
    assert response.status_code == 302 and response["Location"].endswith("/t/JPN/")


def test_white_can_still_move_a_seated_player(jpn_client, white_client, exercise):
    aiko = Player.objects.get(display_name="Aiko")
    response = white_client.post(f"/f/{exercise.pk}/assign/", {"player": aiko.pk, "team": "RUS"})
    assert response.status_code == 302
    assert Player.objects.get(pk=aiko.pk).team.code == "RUS"
    assert jpn_client.get(f"/x/{exercise.join_code}/t/RUS/").status_code == 200
    assert jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").status_code == 404


# ---- session keys rotate ----

def _session_cookie(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_joining_rotates_the_session_key(exercise, facilitator):
    """A key known before the join (fixation, a shared laptop) opens nothing after it."""
    victim = Client()
    victim.post("/", {"code": exercise.join_code, "name": "Warm-up"})  # the victim already has a session
    planted = _session_cookie(victim)
    other = services.exercise_create(scenario_slug="northern-territories", name="Seminar B",
                                     facilitator=facilitator, seed=3)
    join(victim, other, "Aiko", "JPN")
    assert _session_cookie(victim) != planted
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get(f"/x/{other.join_code}/t/JPN/").status_code == 404
    assert attacker.get(f"/x/{exercise.join_code}/join/").status_code == 404
    # the victim keeps both seats
    assert victim.get(f"/x/{other.join_code}/t/JPN/").status_code == 200
    assert victim.get(f"/x/{exercise.join_code}/join/").status_code == 200


def test_signing_in_rotates_the_session_key_and_keeps_the_seat(jpn_client, exercise, other_facilitator):
    """Grey (White of another exercise, so no read-only view of this one) signs in on a laptop seated with Japan."""
    before = _session_cookie(jpn_client)
    response = jpn_client.post("/facilitator/login/", {"username": "grey", "password": "grey-cell-pass"})
    assert response.status_code == 302
    assert _session_cookie(jpn_client) != before
    assert jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").status_code == 200
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get(f"/x/{exercise.join_code}/t/JPN/").status_code == 404


# ---- observers ----

OBSERVER_PAGES = ["/o/{obs}/", "/o/{obs}/?view=console"]


@pytest.mark.parametrize("template", OBSERVER_PAGES)
@pytest.mark.parametrize("panel", [None, "plenary-map", "plenary-turn", "console-turn", "console-teams"])
def test_observers_never_see_the_join_code(exercise, template, panel):
    Exercise.objects.filter(pk=exercise.pk).update(observers_see_console=True)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": panel} if panel else {}
    response = Client().get(template.format(obs=exercise.observer_code), **headers)
    assert response.status_code == 200
    assert exercise.join_code not in response.content.decode()


def test_the_observer_page_rings_the_observer_doorbell(exercise):
    html = Client().get(f"/o/{exercise.observer_code}/").content.decode()
    assert f'sse-connect="/o/{exercise.observer_code}/events/"' in html


def test_the_observer_code_cannot_join_a_team(exercise):
    response = Client().post("/", {"code": exercise.observer_code, "name": "Mallory"})
    assert response.status_code == 400
    assert not Player.objects.filter(display_name="Mallory").exists()


# ---- the public picture is built from public information ----

def _drawn_presence(html, dom_id):
    """{zone: {team: count}} as drawn in one map of a page."""
    svg = html[html.index(f'id="{dom_id}"'):]
    svg = svg[:svg.index("</svg>")]
    drawn = {}
    for chunk in svg.split('<g class="presence" data-zone="')[1:]:
        zone = chunk[:chunk.index('"')]
        for team, count in re.findall(r'data-team="([A-Z]+)"[^>]*data-count="(\d+)"', chunk):
            drawn.setdefault(zone, {})[team] = int(count)
    return drawn


def test_the_plenary_map_shows_the_public_picture_not_whites_truth(exercise, jpn_client, rus_client):
    """Russia moves a secret task group into Okhotsk (White's truth only); Japan's ASW patrol is public.

    The projector and the observer show the declared deployment plus the public move, never the secret one.
    """
    spec = load_scenario("northern-territories")
    aiko = Player.objects.get(display_name="Aiko")
    exercise = _publish_turn(exercise, orders=[(aiko, 1, "M2", "")])
    truth = engine.GameState.from_dict(exercise.state)
    truth.presence.setdefault("kurils_north", {})["CHN"] = 3  # a secret deployment nobody announced
    Exercise.objects.filter(pk=exercise.pk).update(state=truth.to_dict())

    last = exercise.turns.get(number=1).result
    public = engine.public_presence(spec, [e for e in last["events"] if e["audience"] == "all"])
    assert public != truth.presence
    assert public["okhotsk"].get("JPN") == 1  # the announced patrol
    for url in (f"/x/{exercise.join_code}/plenary/", f"/o/{exercise.observer_code}/"):
        drawn = _drawn_presence(Client().get(url).content.decode(), "plenary-theatre")
        assert drawn.get("kurils_north", {}).get("CHN") is None, url
        assert drawn == {z: f for z, f in public.items() if f}, url


def test_a_white_only_event_moves_nothing_on_the_public_map():
    spec = load_scenario("northern-territories")
    secret = {"audience": "white", "changes": [["okhotsk", "RUS", 4, "presence"]]}
    private = {"audience": ["RUS"], "changes": [["okhotsk", "RUS", 2, "presence"]]}
    public = {"audience": "all", "changes": [["soya", "JPN", 1, "presence"], ["JPN-RUS", "T", 5.0, "direct"]]}
    picture = engine.public_presence(spec, [secret, private, public])
    baseline = spec.initial_state().presence
    assert picture["okhotsk"] == baseline["okhotsk"]
    assert picture["soya"]["JPN"] == baseline["soya"].get("JPN", 0) + 1
