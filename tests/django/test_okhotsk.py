"""The Sea of Okhotsk's hidden submarines through the app: Russia's SSBN is on Russia's map and White's console,
and in no other team's or observer's response (page, panel, stream fragment, history, debrief) before it is
found; Japan's hunt in the right zone puts a contact on Japan's map and tells Russia it was found."""

import pytest
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import Player, Turn
from wargame.exercises.selectors.debrief import PARTS

from ..conftest import join
from .test_access import MATRIX, PUBLISHED_MATRIX, RELEASED_MATRIX

pytestmark = pytest.mark.django_db
ZONE = "kurils_north"
# What only Russia (and White) may ever see before a detection: its map's own-sub marker, its order, its event.
SECRETS = ('data-own-sub-zone', "SSBN bastion patrol", f"({ZONE}, secret)", "sub_placed")


@pytest.fixture
def sea(facilitator):
    exercise = services.exercise_create(scenario_slug="sea-of-okhotsk", name="Bastion seminar",
                                        facilitator=facilitator, seed=3, team_codes=["JPN", "RUS", "CHN"])
    people = {}
    for code, name in (("JPN", "Aiko"), ("RUS", "Boris"), ("CHN", "Chen")):
        people[code] = Client()
        join(people[code], exercise, name, code)
    people["white"] = Client()
    people["white"].force_login(facilitator)
    return exercise, people


def _player(exercise, code):
    return Player.objects.get(exercise=exercise, team__code=code)


def _play(exercise, orders):
    number = exercise.turns.order_by("-number").first().number
    for code, (action, target) in orders.items():
        services.order_save(player=_player(exercise, code), turn_number=number, slot=1, action=action, target=target)
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=number)
    services.turn_resolve(turn_id=turn.pk)
    return Turn.objects.get(pk=turn.pk)


def _everything_a_role_can_fetch(exercise, role):
    urls = {template.format(code=exercise.join_code, id=exercise.pk, obs=exercise.observer_code)
            for method, template, expected in MATRIX + PUBLISHED_MATRIX + RELEASED_MATRIX
            if method == "get" and "/f/" not in template and not template.endswith("/events/")}
    # The streams push exactly the panels the refresher fetches (views/team_stream.py), so these stand for them.
    for team in ("JPN", "CHN"):  # every panel of a dashboard, as its refresher and its stream fetch them
        urls.add(f"/x/{exercise.join_code}/t/{team}/panels/")
    return sorted(urls)


def test_russias_ssbn_is_on_no_page_but_russias_and_whites_until_it_is_found(sea):
    exercise, people = sea
    _play(exercise, {"RUS": ("S1", ZONE), "JPN": ("H1", "okhotsk")})  # Japan hunts in the wrong zone
    services.turn_publish(exercise=exercise, by="white")
    services.debrief_release(exercise=exercise, by="white", parts=[name for name, *_rest in PARTS])  # every part
    russia = people["RUS"].get(f"/x/{exercise.join_code}/t/RUS/").content.decode()
    assert f'data-own-sub-zone="{ZONE}"' in russia  # Russia sees its own boat
    console = people["white"].get(f"/f/{exercise.pk}/").content.decode()
    assert 'data-testid="hidden-subs"' in console and ZONE in console.split('data-testid="hidden-subs"')[1][:400]
    japan = people["JPN"].get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    assert "no submarine contact in okhotsk" in japan  # the hunter learns its hunt found nothing
    observers = Client()
    for role, client in (("JPN", people["JPN"]), ("CHN", people["CHN"]), ("observer", observers)):
        for url in _everything_a_role_can_fetch(exercise, role):
            body = client.get(url, headers={"HX-Request": "true"} if url.endswith("/panels/") else {})
            raw = b"".join(body.streaming_content) if body.streaming else body.content  # a file: the schema
            text = raw.decode(errors="replace")
            leaked = [s for s in SECRETS if s in text]
            assert not leaked, f"{role} {url} ({body.status_code}) holds {leaked}"


def test_a_hunt_in_the_right_zone_finds_the_ssbn_and_russia_learns_it_was_found(sea):
    exercise, people = sea
    _play(exercise, {"RUS": ("S1", ZONE)})
    services.turn_publish(exercise=exercise, by="white")
    turn = _play(exercise, {"JPN": ("H1", ZONE)})
    draw = next(d for d in turn.result["draws"] if d["event"] == "t2:detection:JPN:RUS")
    assert 0 < draw["chance"] < 1  # a real roll against the hunter's ASW and the boat's quieting
    services.turn_override(exercise=exercise, by="white", turn_number=2, event_id=draw["event"],
                           kind="manual_dice", value=[1], reason="Pedagogy", draw=draw["k"])  # White's dice: found
    services.turn_publish(exercise=exercise, by="white")
    japan = people["JPN"].get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    assert f'data-contact-zone="{ZONE}"' in japan and 'data-turn="2"' in japan
    russia = people["RUS"].get(f"/x/{exercise.join_code}/t/RUS/").content.decode()
    last = russia[russia.index('id="last-result"'):]
    assert f"your submarine in {ZONE} has been detected" in last[:last.index("</section>")]
    china = people["CHN"].get(f"/x/{exercise.join_code}/t/CHN/").content.decode()
    assert "data-contact-zone" not in china and not any(s in china for s in SECRETS)
