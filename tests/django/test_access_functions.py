"""The access functions one by one: the owner (or member), a stranger, the superuser rule, ended exercises.

The URL × role matrix (test_access.py) walks every URL; these pin what each gate returns or raises.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.test import Client

from wargame.exercises import access, services
from wargame.exercises.models import Exercise

from ..conftest import join

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password="root-pass-long")


@pytest.fixture
def other_exercise(other_facilitator):
    return services.exercise_create(scenario_slug="northern-territories", name="Seminar B",
                                    facilitator=other_facilitator, seed=8)


def _request(rf, user=None, client=None):
    request = rf.get("/")
    request.user = user or AnonymousUser()
    request.session = client.session if client is not None else Client().session
    return request


def _end(exercise):
    services.exercise_end(exercise=exercise, by="white", reason="Time")
    exercise.refresh_from_db()
    return exercise


def _publish_turn_one(exercise):
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    services.turn_publish(exercise=exercise, by="white")


# ---- White's list of exercises: the same exercises the console's gate opens ----

def test_a_facilitators_list_holds_their_exercises_current_and_archived_apart(
        rf, facilitator, exercise, other_exercise):
    archived = services.exercise_create(scenario_slug="northern-territories", name="Old one",
                                        facilitator=facilitator, seed=9)
    _end(archived)
    services.exercise_archive(exercise=archived, by="white")
    mine = access.access_exercises_as_facilitator(_request(rf, facilitator))
    assert mine["current"] == [exercise]
    assert mine["archived"] == [archived]


def test_a_stranger_has_no_list_and_another_facilitator_sees_only_their_own(
        rf, exercise, other_facilitator, other_exercise):
    with pytest.raises(PermissionDenied):
        access.access_exercises_as_facilitator(_request(rf))
    assert access.access_exercises_as_facilitator(_request(rf, other_facilitator)) == {
        "current": [other_exercise], "archived": []}


@pytest.mark.parametrize("who", ["facilitator", "other_facilitator", "superuser"])
def test_the_list_and_the_console_gate_agree_for_everyone(rf, request, who, exercise, other_exercise):
    """The superuser rule is one rule: whatever the gate opens is listed, and nothing else."""
    user = request.getfixturevalue(who)
    listed = {e.pk for part in access.access_exercises_as_facilitator(_request(rf, user)).values() for e in part}
    opened = set()
    for candidate in Exercise.objects.all():
        try:
            opened.add(access.access_exercise_as_facilitator(_request(rf, user), candidate.pk).pk)
        except Http404:
            pass
    assert listed == opened
    assert (opened == {exercise.pk, other_exercise.pk}) == (who == "superuser")


def test_a_superuser_is_listed_and_let_into_every_exercise_through_the_views(exercise, other_exercise, superuser):
    c = Client()
    c.force_login(superuser)
    page = c.get("/facilitator/").content.decode()
    assert "Seminar A" in page and "Seminar B" in page
    assert c.get(f"/f/{other_exercise.pk}/").status_code == 200


def test_access_exercise_as_facilitator_for_an_unknown_id_is_404_even_for_a_superuser(rf, superuser):
    with pytest.raises(Http404):
        access.access_exercise_as_facilitator(_request(rf, superuser), 999999)


# ---- players White acts on; accounts White adds ----

def test_a_player_of_another_exercise_is_not_found_in_this_one(rf, facilitator, exercise, other_exercise):
    stranger = services.player_join(exercise=other_exercise, display_name="Zed", session_key="z")
    with pytest.raises(access.PlayerNotFound) as caught:
        access.access_player_as_facilitator(_request(rf, facilitator), exercise.pk, stranger.pk)
    assert caught.value.exercise == exercise  # the view sends White back to this exercise's console


def test_not_being_white_here_is_a_plain_404_not_a_missing_player(rf, other_facilitator, exercise):
    p = services.player_join(exercise=exercise, display_name="Aiko", session_key="k")
    with pytest.raises(Http404) as caught:
        access.access_player_as_facilitator(_request(rf, other_facilitator), exercise.pk, p.pk)
    assert not isinstance(caught.value, access.PlayerNotFound)


def test_a_superuser_acts_on_the_players_of_any_exercise(rf, superuser, exercise):
    p = services.player_join(exercise=exercise, display_name="Aiko", session_key="k")
    assert access.access_player_as_facilitator(_request(rf, superuser), exercise.pk, p.pk) == (exercise, p)


def test_white_names_a_player_who_is_not_here_and_stays_on_the_console(white_client, exercise, other_exercise):
    zed = services.player_join(exercise=other_exercise, display_name="Zed", session_key="z")
    r = white_client.post(f"/f/{exercise.pk}/players/rename/", {"player": zed.pk, "name": "Mine now"})
    assert r.status_code == 302 and r["Location"] == f"/f/{exercise.pk}/#console-teams"
    zed.refresh_from_db()
    assert zed.display_name == "Zed"


def test_access_user_to_add(facilitator, other_facilitator):
    assert access.access_user_to_add(" grey ") == other_facilitator
    assert access.access_user_to_add("nobody") is None
    assert access.access_user_to_add("") is None and access.access_user_to_add(None) is None


# ---- joining: the code, the team, an exercise that has ended ----

def test_an_ended_exercise_takes_no_one(exercise):
    _end(exercise)
    with pytest.raises(access.ExerciseEnded) as caught:
        access.access_exercise_to_join(exercise.join_code)
    assert caught.value.exercise == exercise
    r = Client().post("/", {"code": exercise.join_code, "name": "Late"})
    assert r.status_code == 400 and "has ended" in r.content.decode()
    assert not exercise.players.exists()


def test_an_ended_exercise_does_not_count_as_a_wrong_code(exercise, settings):
    """The throttle counts wrong codes only: a room typing an ended exercise's code is told so, every time."""
    _end(exercise)
    c = Client()
    for _attempt in range(settings.JOIN_ATTEMPTS_PER_WINDOW + 1):
        assert c.post("/", {"code": exercise.join_code, "name": "Late"}).status_code == 400


def test_the_team_asked_for_is_this_exercises(exercise, other_exercise):
    team = access.access_team_to_join(exercise, " rus ")
    assert team.code == "RUS" and team.exercise_id == exercise.pk
    assert access.access_team_to_join(exercise, "USA") is None  # a team the scenario has but this exercise does not
    assert access.access_team_to_join(exercise, "") is None


# ---- observers ----

def test_the_observer_console_opens_only_when_white_shares_it(exercise):
    with pytest.raises(access.ConsoleClosed) as caught:
        access.access_exercise_as_observer(exercise.observer_code, console=True)
    assert caught.value.exercise == exercise and isinstance(caught.value, Http404)
    assert access.access_exercise_as_observer(exercise.observer_code.lower()) == exercise
    services.observers_console_set(exercise=exercise, allowed=True, by="white")
    assert access.access_exercise_as_observer(exercise.observer_code, console=True) == exercise


def test_an_unknown_or_join_code_opens_no_observer_seat(exercise):
    for code in ("NOPE99", exercise.join_code):
        with pytest.raises(Http404) as caught:
            access.access_exercise_as_observer(code, console=True)
        assert not isinstance(caught.value, access.ConsoleClosed)


# ---- a team's history ----

def test_a_published_turn_opens_to_its_team_and_white_only(rf, exercise, facilitator):
    jpn, rus = Client(), Client()
    join(jpn, exercise, "Aiko", "JPN")
    join(rus, exercise, "Boris", "RUS")
    with pytest.raises(Http404):  # not yet published
        access.access_turn_result_as_player(_request(rf, client=jpn), exercise.join_code, "JPN", 1)
    _publish_turn_one(exercise)
    team, player, past = access.access_turn_result_as_player(_request(rf, client=jpn), exercise.join_code, "jpn", 1)
    assert team.code == "JPN" and player.display_name == "Aiko" and past is not None
    team, player, _past = access.access_turn_result_as_player(_request(rf, facilitator), exercise.join_code, "JPN", 1)
    assert team.code == "JPN" and player is None
    for request in (_request(rf, client=rus), _request(rf)):
        with pytest.raises(Http404):
            access.access_turn_result_as_player(request, exercise.join_code, "JPN", 1)
    with pytest.raises(Http404):
        access.access_turn_result_as_player(_request(rf, client=jpn), exercise.join_code, "JPN", 2)


# ---- negotiation: who may write, and to whom ----

@pytest.fixture
def seated(exercise):
    jpn = Client()
    join(jpn, exercise, "Aiko", "JPN")
    return jpn


def test_may_write_messages(exercise, seated):
    aiko = exercise.players.get(display_name="Aiko")
    assert access.may_write_messages(exercise, aiko)
    assert not access.may_write_messages(exercise, None)  # White reads a team's threads
    assert not access.may_write_messages(_end(exercise), aiko)


def test_a_team_opens_only_the_threads_it_is_party_to(exercise):
    jpn = exercise.teams.get(code="JPN")
    assert access.access_thread(jpn, "JPN-RUS")["recipient_codes"] == ["RUS"]
    assert access.access_thread(jpn, "white")["can_write"] is False
    for key in ("CHN-RUS", "group:CHN-RUS", "JPN-XYZ", "nonsense", ""):
        with pytest.raises(Http404):
            access.access_thread(jpn, key)


def test_a_player_writes_in_a_thread_and_the_thread_decides_the_recipients(rf, exercise, seated):
    team, player, thread = access.access_thread_to_write(_request(rf, client=seated), exercise.join_code, "JPN",
                                                         " group:CHN-JPN-RUS ")
    assert team.code == "JPN" and player.display_name == "Aiko"
    assert sorted(thread["recipient_codes"]) == ["CHN", "RUS"]


def test_writing_is_refused_with_a_reason_where_only_white_writes(rf, exercise, seated):
    with pytest.raises(access.WriteRefused) as caught:
        access.access_thread_to_write(_request(rf, client=seated), exercise.join_code, "JPN", "white")
    assert caught.value.team.code == "JPN" and caught.value.thread["key"] == "white"
    assert "Only White" in str(caught.value)


def test_writing_with_no_thread_open_is_a_bad_request(rf, exercise, seated):
    with pytest.raises(access.NoThread) as caught:
        access.access_thread_to_write(_request(rf, client=seated), exercise.join_code, "JPN", "  ")
    assert isinstance(caught.value, BadRequest)


def test_white_and_strangers_never_write_in_a_teams_thread(rf, exercise, seated, facilitator):
    with pytest.raises(PermissionDenied):  # White: read-only, so 403
        access.access_thread_to_write(_request(rf, facilitator), exercise.join_code, "JPN", "JPN-RUS")
    with pytest.raises(Http404):  # a stranger, or the team's player in a thread their team is not party to
        access.access_thread_to_write(_request(rf), exercise.join_code, "JPN", "JPN-RUS")
    with pytest.raises(Http404):
        access.access_thread_to_write(_request(rf, client=seated), exercise.join_code, "JPN", "CHN-RUS")
    with pytest.raises(Http404):
        access.access_thread_to_write(_request(rf, client=seated), exercise.join_code, "RUS", "JPN-RUS")


def test_an_ended_exercise_shows_no_compose_form_and_takes_no_message(exercise, seated):
    _end(exercise)
    page = seated.get(f"/x/{exercise.join_code}/t/JPN/messages/?thread=public").content.decode()
    assert 'name="body"' not in page
    r = seated.post(f"/x/{exercise.join_code}/t/JPN/messages/send/", {"thread": "public", "body": "Too late"})
    assert "has ended" in r.content.decode()
    assert not exercise.messages.exists()


def test_whites_broadcast_goes_to_every_team_the_ticked_ones_or_is_refused(exercise):
    everyone = [t.code for t in exercise.teams.all()]
    assert access.access_broadcast_recipients(exercise, everyone) == []
    assert access.access_broadcast_recipients(exercise, ["JPN"]) == ["JPN"]
    with pytest.raises(access.WriteRefused) as caught:
        access.access_broadcast_recipients(exercise, [])
    assert "at least one team" in str(caught.value)
