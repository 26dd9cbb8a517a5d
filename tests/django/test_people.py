"""People in the room: White moves, renames and removes players and answers switch requests; a browser
that joins again gets its own player back; wrong join codes count per browser, not per room; White ends,
archives and deletes exercises. Everything through the real views, Postgres and Redis."""

import json

import pytest
import redis
from django.conf import settings
from django.test import Client

from wargame.exercises import access, live, services, throttle
from wargame.exercises.models import Event, Exercise, Order, Player, Team

from ..conftest import join, wait_for

pytestmark = pytest.mark.django_db


def _aiko():
    return Player.objects.get(display_name="Aiko")


@pytest.fixture
def doorbell(exercise):
    """The exercise's doorbell channel on the real Redis; returns the kinds heard so far."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    sub = client.pubsub(ignore_subscribe_messages=True)
    sub.subscribe(live.channel_name(exercise.pk))
    wait_for(lambda: client.pubsub_numsub(live.channel_name(exercise.pk))[0][1] >= 1, message="subscription")
    heard = []

    def kinds():
        while (message := sub.get_message(timeout=0.05)) is not None:
            heard.append(json.loads(message["data"])["kind"])
        return heard

    yield kinds
    sub.close()
    client.close()


# ---- White moves, renames and removes players ----

def test_white_moves_a_seated_player_from_the_teams_panel(white_client, jpn_client, exercise, doorbell,
                                                           django_capture_on_commit_callbacks):
    aiko = _aiko()
    html = white_client.get(f"/f/{exercise.pk}/").content.decode()
    assert f'id="move-{aiko.pk}"' in html and "Move to" in html
    with django_capture_on_commit_callbacks(execute=True):
        r = white_client.post(f"/f/{exercise.pk}/assign/", {"player": aiko.pk, "team": "RUS"}, follow=True)
    assert "Aiko is with Russia." in r.content.decode()
    assert _aiko().team.code == "RUS"
    assert jpn_client.get(f"/x/{exercise.join_code}/t/RUS/").status_code == 200
    assert jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").status_code == 404
    assert "roster_changed" in wait_for(doorbell, message="roster_changed")


def test_white_renames_a_player_and_a_bad_name_gets_a_message(white_client, jpn_client, exercise):
    aiko = _aiko()
    r = white_client.post(f"/f/{exercise.pk}/players/rename/", {"player": aiko.pk, "name": "  Aiko   Sato "},
                          follow=True)
    assert r.status_code == 200 and "Aiko is now Aiko Sato." in r.content.decode()
    assert Player.objects.get(pk=aiko.pk).display_name == "Aiko Sato"
    for bad, status, says in [("", 200, "enter a display name"), ("x" * 41, 200, "40 characters"),
                              ("A\x01B", 400, "control character")]:  # the middleware refuses those first
        r = white_client.post(f"/f/{exercise.pk}/players/rename/", {"player": aiko.pk, "name": bad}, follow=True)
        assert r.status_code == status and says in r.content.decode(), bad
    assert Player.objects.get(pk=aiko.pk).display_name == "Aiko Sato"
    assert Event.objects.filter(kind="player_renamed", payload__new="Aiko Sato").exists()


def test_white_acts_only_on_players_of_this_exercise(white_client, facilitator, exercise):
    other = services.exercise_create(scenario_slug="northern-territories", name="B", facilitator=facilitator, seed=1)
    stranger = services.player_join(exercise=other, display_name="Zed", session_key="z")
    r = white_client.post(f"/f/{exercise.pk}/players/remove/", {"player": stranger.pk}, follow=True)
    assert "That player is not in this exercise." in r.content.decode()
    assert Player.objects.get(pk=stranger.pk).removed_at is None


def test_removed_player_keeps_their_orders_frees_the_seat_and_sees_a_clear_page(
        white_client, jpn_client, exercise, doorbell, django_capture_on_commit_callbacks):
    code = exercise.join_code
    jpn_client.post(f"/x/{code}/t/JPN/orders/1/", {"action": "M2", "turn": 1, "revision": 0})
    Team.objects.filter(exercise=exercise, code="JPN").update(max_players=1)
    aiko = _aiko()
    with django_capture_on_commit_callbacks(execute=True):
        r = white_client.post(f"/f/{exercise.pk}/players/remove/", {"player": aiko.pk}, follow=True)
    assert "Aiko was removed; their orders and messages stay." in r.content.decode()
    assert "roster_changed" in wait_for(doorbell, message="roster_changed")
    aiko = _aiko()
    assert aiko.removed_at is not None and aiko.team.code == "JPN"  # kept, attributed
    assert Order.objects.get(team__code="JPN", slot=1).updated_by == aiko
    # White sees the mark where the name appears in the teams panel.
    panel = white_client.get(f"/f/{exercise.pk}/", headers={"HX-Request": "true", "HX-Target": "console-teams"})
    assert "Aiko (removed)" in panel.content.decode()
    # The removed player's dashboard, its panels and the join page say so: not a 500, not a bare 404.
    for url in (f"/x/{code}/t/JPN/", f"/x/{code}/join/", f"/x/{code}/t/JPN/messages/"):
        r = jpn_client.get(url)
        assert r.status_code == 403, url
        assert "White removed you from this exercise" in r.content.decode()
    r = jpn_client.get(f"/x/{code}/t/JPN/", headers={"HX-Request": "true", "HX-Target": "team-state"})
    assert r.status_code == 403 and r["HX-Refresh"] == "true"
    assert jpn_client.post(f"/x/{code}/t/JPN/orders/2/", {"action": "M1", "turn": 1, "revision": 0}).status_code == 403
    # Aiko no longer counts toward Japan's size: with room for one, Ken can take the seat.
    ken = Client()
    join(ken, exercise, "Ken", "JPN")
    # Joining again from Aiko's browser does not bring her back.
    r = jpn_client.post("/", {"code": code, "name": "Aiko"})
    assert r.status_code == 403 and "White removed you" in r.content.decode()
    assert Player.objects.filter(exercise=exercise, display_name="Aiko").count() == 1


def test_removing_twice_is_refused_with_a_message(white_client, jpn_client, exercise):
    aiko = _aiko()
    white_client.post(f"/f/{exercise.pk}/players/remove/", {"player": aiko.pk})
    r = white_client.post(f"/f/{exercise.pk}/players/remove/", {"player": aiko.pk}, follow=True)
    assert "Aiko was already removed." in r.content.decode()


# ---- switch requests ----

def test_wrong_team_switch_request_approved_by_white(white_client, jpn_client, exercise, doorbell,
                                                     django_capture_on_commit_callbacks):
    code = exercise.join_code
    # Aiko went back to the team picker and chose Russia: the seat-taken page offers the request.
    r = jpn_client.post(f"/x/{code}/join/", {"team": "RUS"})
    assert r.status_code == 403
    html = r.content.decode()
    assert "Ask White to move me" in html and '<option value="RUS" selected>' in html
    with django_capture_on_commit_callbacks(execute=True):
        r = jpn_client.post(f"/x/{code}/seat/switch/", {"team": "RUS"})
    assert r.status_code == 302 and r["Location"] == f"/x/{code}/seat/"
    assert "roster_changed" in wait_for(doorbell, message="roster_changed")
    aiko = _aiko()
    assert aiko.switch_request.code == "RUS" and aiko.switch_requested_at is not None and aiko.team.code == "JPN"
    assert "Waiting for White's answer" in jpn_client.get(f"/x/{code}/seat/").content.decode()
    # White sees it in the teams panel and approves.
    panel = white_client.get(f"/f/{exercise.pk}/", headers={"HX-Request": "true", "HX-Target": "console-teams"})
    assert f'data-testid="switch-request-{aiko.pk}"' in panel.content.decode()
    assert "asks to move to Russia" in panel.content.decode()
    r = white_client.post(f"/f/{exercise.pk}/players/switch/", {"player": aiko.pk, "decision": "approve"}, follow=True)
    assert "Aiko moved to Russia." in r.content.decode()
    assert _aiko().team.code == "RUS"
    seat = jpn_client.get(f"/x/{code}/seat/", headers={"HX-Request": "true", "HX-Target": "seat-status"})
    assert "White approved your request: you now play Russia." in seat.content.decode()
    assert jpn_client.get(f"/x/{code}/t/RUS/").status_code == 200
    # Answering twice is stale, with a message.
    r = white_client.post(f"/f/{exercise.pk}/players/switch/", {"player": aiko.pk, "decision": "approve"}, follow=True)
    assert "already answered or withdrawn" in r.content.decode()


def test_switch_request_declined_and_full_team_keeps_it_waiting(white_client, jpn_client, rus_client, exercise):
    code = exercise.join_code
    jpn_client.post(f"/x/{code}/seat/switch/", {"team": "RUS"})
    aiko = _aiko()
    Team.objects.filter(exercise=exercise, code="RUS").update(max_players=1)  # Boris fills it
    r = white_client.post(f"/f/{exercise.pk}/players/switch/", {"player": aiko.pk, "decision": "approve"}, follow=True)
    assert "Russia is full" in r.content.decode()
    assert _aiko().team.code == "JPN" and _aiko().switch_pending
    white_client.post(f"/f/{exercise.pk}/players/switch/", {"player": aiko.pk, "decision": "decline"})
    assert _aiko().team.code == "JPN" and _aiko().switch_answer == "declined"
    assert "White declined your request to move to Russia" in jpn_client.get(f"/x/{code}/seat/").content.decode()


def test_bad_switch_requests_get_a_message(jpn_client, exercise):
    code = exercise.join_code
    for data, says in [({"team": "JPN"}, "already with Japan"), ({"team": "XYZ"}, "no team XYZ"),
                       ({"team": ""}, "no request waiting")]:
        r = jpn_client.post(f"/x/{code}/seat/switch/", data)
        assert r.status_code == 400 and says in r.content.decode(), data


# ---- joining again from the same browser ----

def test_joining_again_from_the_same_browser_returns_the_same_player(client, exercise):
    code = exercise.join_code
    assert client.post("/", {"code": code, "name": "Aiko"})["Location"] == f"/x/{code}/join/"
    assert client.post("/", {"code": code, "name": "Aiko"})["Location"] == f"/x/{code}/join/"
    client.post(f"/x/{code}/join/", {"team": "JPN"})
    for name in ("Aiko", " aiko ", "Someone else"):  # the session's player, whatever name is typed
        r = client.post("/", {"code": code.lower(), "name": name})
        assert r.status_code == 302 and r["Location"] == f"/x/{code}/t/JPN/"
    assert Player.objects.filter(exercise=exercise).count() == 1
    assert client.get(f"/x/{code}/t/JPN/").status_code == 200


def test_same_name_under_this_session_key_is_the_same_player_even_without_session_data(exercise):
    first = services.player_join(exercise=exercise, display_name="Aiko  Sato", session_key="k1")
    again = services.player_join(exercise=exercise, display_name="aiko sato", session_key="k1")
    other_browser = services.player_join(exercise=exercise, display_name="Aiko Sato", session_key="k2")
    assert again.pk == first.pk and other_browser.pk != first.pk


def test_another_browser_with_the_same_name_is_another_player(client, exercise):
    join(client, exercise, "Aiko", "JPN")
    join(Client(), exercise, "Aiko", "JPN")
    assert Player.objects.filter(exercise=exercise, display_name="Aiko").count() == 2


# ---- the wrong-code limit counts per browser, not per room ----

def test_one_careless_laptop_does_not_lock_the_room_out(exercise):
    careless = Client()
    for _ in range(settings.JOIN_ATTEMPTS_PER_WINDOW):
        assert careless.post("/", {"code": "WRONG1", "name": "x"}).status_code == 400
    assert careless.post("/", {"code": "WRONG2", "name": "x"}).status_code == 429
    # Same address (the room's NAT), another laptop: told its code is wrong, not locked out.
    neighbour = Client()
    assert neighbour.post("/", {"code": "WRONG3", "name": "y"}).status_code == 400
    assert neighbour.post("/", {"code": exercise.join_code, "name": "y"}).status_code == 302
    # And the careless laptop joins with the right code.
    assert careless.post("/", {"code": exercise.join_code, "name": "x"}).status_code == 302


def test_the_per_address_ceiling_stops_guessing_but_not_the_right_code(exercise, monkeypatch):
    monkeypatch.setattr(throttle, "JOIN_FAILURES_PER_IP", 4)
    for i in range(4):  # a guesser without cookies: a new session every time
        assert Client().post("/", {"code": f"GUESS{i}", "name": "m"}).status_code == 400
    assert Client().post("/", {"code": "GUESS9", "name": "m"}).status_code == 429
    assert Client().post("/", {"code": exercise.join_code, "name": "m"}).status_code == 302
    assert Client(REMOTE_ADDR="10.0.0.9").post("/", {"code": "GUESS9", "name": "m"}).status_code == 400


# ---- White ends, archives and deletes exercises ----

def test_ending_stops_joins_orders_and_the_clock(white_client, jpn_client, exercise):
    code = exercise.join_code
    white_client.post(f"/f/{exercise.pk}/clock/", {"minutes": 10})
    r = white_client.post(f"/f/{exercise.pk}/end/", {"reason": ""}, follow=True)
    assert "Say why the exercise ends" in r.content.decode()
    r = white_client.post(f"/f/{exercise.pk}/end/", {"reason": "Out of time"}, follow=True)
    assert "The exercise has ended: Out of time." in r.content.decode()
    exercise.refresh_from_db()
    assert exercise.status == Exercise.Status.ENDED and exercise.ended_reason == "Out of time"
    assert exercise.turns.get(number=1).deadline is None  # beat will not lock it
    assert Client().post("/", {"code": code, "name": "Late"}).status_code == 400
    r = jpn_client.post(f"/x/{code}/t/JPN/orders/1/", {"action": "M2", "turn": 1, "revision": 0})
    assert "orders are closed" in r.content.decode()
    assert not Order.objects.filter(team__code="JPN").exclude(action="").exists()
    assert jpn_client.get(f"/x/{code}/t/JPN/").status_code == 200  # still readable
    r = white_client.post(f"/f/{exercise.pk}/end/", {"reason": "again"}, follow=True)
    assert "already ended" in r.content.decode()


def test_archived_exercises_leave_the_list_and_stay_readable(white_client, exercise):
    r = white_client.post(f"/f/{exercise.pk}/archive/", follow=True)
    assert "End the exercise before archiving it." in r.content.decode()
    services.exercise_end(exercise=exercise, by="white", reason="Done")
    r = white_client.post(f"/f/{exercise.pk}/archive/", {"archived": "1"}, follow=True)
    html = r.content.decode()
    assert "is archived" in html
    current, archived = html.split('data-testid="archived"')
    assert f'href="/f/{exercise.pk}/"' not in current and f'href="/f/{exercise.pk}/"' in archived
    assert white_client.get(f"/f/{exercise.pk}/").status_code == 200
    white_client.post(f"/f/{exercise.pk}/archive/", {"archived": "0"})
    assert Exercise.objects.get(pk=exercise.pk).archived_at is None


def test_delete_needs_the_typed_name(white_client, jpn_client, exercise):
    page = white_client.get(f"/f/{exercise.pk}/delete/").content.decode()
    assert "Type the exercise's name" in page and "1 player" in page
    r = white_client.post(f"/f/{exercise.pk}/delete/", {"confirm": "seminar a"})
    assert r.status_code == 400 and "exactly" in r.content.decode()
    assert Exercise.objects.filter(pk=exercise.pk).exists()
    r = white_client.post(f"/f/{exercise.pk}/delete/", {"confirm": "Seminar A"}, follow=True)
    assert "“Seminar A” was deleted." in r.content.decode()
    assert not Exercise.objects.filter(pk=exercise.pk).exists()
    assert jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").status_code == 404


def test_delete_and_end_need_csrf(exercise, facilitator):
    c = Client(enforce_csrf_checks=True)
    c.force_login(facilitator)
    assert c.post(f"/f/{exercise.pk}/delete/", {"confirm": "Seminar A"}).status_code == 403
    assert c.post(f"/f/{exercise.pk}/end/", {"reason": "x"}).status_code == 403
    assert Exercise.objects.get(pk=exercise.pk).status == Exercise.Status.RUNNING


# ---- the access functions ----

def test_access_player_as_facilitator(rf, facilitator, other_facilitator, exercise):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    p = services.player_join(exercise=exercise, display_name="Aiko", session_key="k")
    request = rf.post("/")
    request.user = facilitator
    assert access.access_player_as_facilitator(request, exercise.pk, str(p.pk)) == (exercise, p)
    for bad in ("", "x", "999999"):
        with pytest.raises(Http404):
            access.access_player_as_facilitator(request, exercise.pk, bad)
    request.user = other_facilitator
    with pytest.raises(Http404):
        access.access_player_as_facilitator(request, exercise.pk, p.pk)
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        access.access_player_as_facilitator(request, exercise.pk, p.pk)


def test_access_exercise_to_join(exercise):
    assert access.access_exercise_to_join(f" {exercise.join_code.lower()} ") == exercise
    assert access.access_exercise_to_join("") is None and access.access_exercise_to_join("NOPE99") is None


def test_a_seated_player_finds_the_way_to_ask_for_another_team(jpn_client, exercise):
    page = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    assert f'href="/x/{exercise.join_code}/seat/"' in page
    assert jpn_client.get(f"/x/{exercise.join_code}/seat/").status_code == 200
