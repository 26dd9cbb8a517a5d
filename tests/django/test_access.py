"""The authorization matrix: every URL, walked as each role.

Roles: the exercise's facilitator, a player of Japan, a player of Russia (another team),
a facilitator of some other exercise, and a stranger with no session at all.
"""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import get_resolver, resolve
from django.utils.html import escape

from wargame.exercises import services
from wargame.exercises.models import Order, Player
from wargame.scenarios import load_scenario

from ..conftest import join

pytestmark = pytest.mark.django_db

ROLES = ["white", "jpn", "rus", "grey", "stranger"]


@pytest.fixture
def clients(exercise, facilitator, other_facilitator):
    c = {r: Client() for r in ROLES}
    c["white"].force_login(facilitator)
    c["grey"].force_login(other_facilitator)
    join(c["jpn"], exercise, "Aiko", "JPN")
    join(c["rus"], exercise, "Boris", "RUS")
    return c


# (method, url template, {role: expected status})
LOGIN = "login"  # a 302 to the sign-in page: login_required sends strangers and players there
MATRIX = [
    ("get", "/x/{code}/t/JPN/", {"white": 200, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/RUS/", {"white": 200, "jpn": 404, "rus": 200, "grey": 404, "stranger": 404}),
    # The one-request refresh of a dashboard's panels: the same gate as the dashboard.
    ("get", "/x/{code}/t/JPN/panels/", {"white": 200, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/RUS/panels/?event=turn_published",
     {"white": 200, "jpn": 404, "rus": 200, "grey": 404, "stranger": 404}),
    # A team's stream carries its private panels: the same gate as the dashboard.
    ("get", "/x/{code}/t/JPN/events/", {"white": 200, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/RUS/events/", {"white": 200, "jpn": 404, "rus": 200, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/XYZ/events/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/XYZ/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/JPN/orders/1/", {"white": 403, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/RUS/orders/2/", {"white": 403, "jpn": 404, "rus": 200, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/join/", {"white": 404, "jpn": 302, "rus": 302, "grey": 404, "stranger": 404}),
    ("get", "/x/NOPE99/join/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/f/{id}/", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/f/{id}/qr.svg", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/clock/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/assign/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/publish/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/lock/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/resolve/retry/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/facilitator/", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 200, "stranger": LOGIN}),
    ("get", "/", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
    # Negotiation: a team's own players write; White reads any team; others get 404.
    ("get", "/x/{code}/t/JPN/messages/", {"white": 200, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/RUS/messages/", {"white": 200, "jpn": 404, "rus": 200, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/JPN/messages/?thread=JPN-RUS",
     {"white": 200, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/RUS/messages/?thread=CHN-JPN",
     {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/JPN/messages/unread/", {"white": 200, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/JPN/messages/send/", {"white": 403, "jpn": 400, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/JPN/messages/group/", {"white": 403, "jpn": 400, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/JPN/argued/", {"white": 403, "jpn": 400, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/JPN/counter/", {"white": 403, "jpn": 400, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/JPN/card/", {"white": 403, "jpn": 400, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/JPN/crisis/", {"white": 403, "jpn": 400, "rus": 404, "grey": 404, "stranger": 404}),
    # A player hides or shows their dashboard's hints (a flag in their own session): back to the dashboard.
    ("post", "/x/{code}/t/JPN/hints/", {"white": 403, "jpn": 302, "rus": 404, "grey": 404, "stranger": 404}),
    # Turn history: a turn not yet published is nobody's to read.
    ("get", "/x/{code}/t/JPN/turns/1/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/JPN/turns/9/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/plenary/", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
    ("get", "/x/NOPE99/plenary/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/o/{obs}/", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
    ("get", "/o/{code}/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/f/{id}/override/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/override/clear/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/narrative/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/inject/fire/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/inject/skip/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/inject/new/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/clock/pause/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/clock/resume/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/clock/extend/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/clock/bogus/", {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/argued/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/crisis/choose/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/crisis/settle/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/crisis/minutes/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/facilitators/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/observers/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/f/{id}/messages/", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/f/{id}/messages/?team=JPN", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/messages/broadcast/", {"white": 400, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    # People in the room and the exercise's life (White only); a player's own seat and switch request.
    ("post", "/f/{id}/players/rename/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/players/remove/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/players/switch/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/end/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/archive/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/f/{id}/delete/", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/delete/", {"white": 400, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/f/{id}/end/", {"white": 405, "jpn": LOGIN, "rus": LOGIN, "grey": 405, "stranger": LOGIN}),
    ("get", "/x/{code}/seat/", {"white": 404, "jpn": 200, "rus": 200, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/seat/switch/", {"white": 404, "jpn": 400, "rus": 400, "grey": 404, "stranger": 404}),
    ("get", "/x/NOPE99/seat/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    # The public doorbell (join code) and the observers' (observer code): public events only.
    ("get", "/x/{code}/events/", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
    ("get", "/x/NOPE99/events/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/o/{obs}/events/", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
    ("get", "/o/{code}/events/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    # White has not shared the console: an observer asking for it gets the plenary picture.
    ("get", "/o/{obs}/?view=console", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
    ("get", "/o/NOPE99/?view=console", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    # Any facilitator may start an exercise (with no scenario chosen: back to the list).
    ("post", "/facilitator/new/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 302, "stranger": LOGIN}),
    # Any facilitator may start a practice game (bots in every seat): to its console.
    ("post", "/facilitator/practice/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 302, "stranger": LOGIN}),
    ("get", "/facilitator/login/", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
    # The after-action review: White's; the public version 404s until White releases it.
    ("get", "/f/{id}/debrief/", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/debrief/release/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/x/{code}/debrief/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/o/{obs}/debrief/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    # Forks: White forks its own exercise and sets a fork's orders; the debrief compares related branches.
    ("post", "/f/{id}/fork/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/fork/order/", {"white": 302, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/f/{id}/debrief/?compare={id}", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    # Bots: White hands a team with no players to a bot (no team posted here: the team gate answers 404).
    ("post", "/f/{id}/bots/", {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/bots/release/", {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    # White's forecast (console card, start, cancel): never a player's or an observer's.
    ("get", "/f/{id}/forecast/panel/", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/forecast/", {"white": 400, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/f/{id}/forecast/", {"white": 405, "jpn": LOGIN, "rus": LOGIN, "grey": 405, "stranger": LOGIN}),
    ("post", "/f/{id}/forecast/999999/cancel/",
     {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    # White's exports of the exercise (a job list, a request, a file).
    ("get", "/f/{id}/exports/", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/f/{id}/exports/new/", {"white": 400, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/f/{id}/exports/new/", {"white": 405, "jpn": LOGIN, "rus": LOGIN, "grey": 405, "stranger": LOGIN}),
    ("get", "/f/{id}/exports/999999/download/",
     {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    # The facilitator's pack: any signed-in facilitator, any scenario; it names no exercise.
    ("get", "/facilitator/pack/northern-territories/",
     {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 200, "stranger": LOGIN}),
    ("get", "/facilitator/pack/sea-of-okhotsk/?part=roles",
     {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 200, "stranger": LOGIN}),
    ("get", "/facilitator/pack/no-such-scenario/",
     {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/facilitator/pack/northern-territories/",
     {"white": 405, "jpn": LOGIN, "rus": LOGIN, "grey": 405, "stranger": LOGIN}),
    # Scenarios: any signed-in facilitator lists, opens, downloads and uploads (an upload with no files: 400,
    # nothing saved); a shipped scenario has no report to re-queue. Uploaded ones: test_scenario_upload.py.
    ("get", "/facilitator/scenarios/", {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 200, "stranger": LOGIN}),
    ("post", "/facilitator/scenarios/upload/",
     {"white": 400, "jpn": LOGIN, "rus": LOGIN, "grey": 400, "stranger": LOGIN}),
    ("get", "/facilitator/scenarios/upload/",
     {"white": 405, "jpn": LOGIN, "rus": LOGIN, "grey": 405, "stranger": LOGIN}),
    ("get", "/facilitator/scenarios/northern-territories/",
     {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 200, "stranger": LOGIN}),
    ("get", "/facilitator/scenarios/no-such-scenario/",
     {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("post", "/facilitator/scenarios/northern-territories/calibrate/",
     {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    ("get", "/facilitator/scenarios/sea-of-okhotsk/files/rules/",
     {"white": 200, "jpn": LOGIN, "rus": LOGIN, "grey": 200, "stranger": LOGIN}),
    ("get", "/facilitator/scenarios/sea-of-okhotsk/files/bogus/",
     {"white": 404, "jpn": LOGIN, "rus": LOGIN, "grey": 404, "stranger": LOGIN}),
    # The rules file's JSON Schema: public, for editors.
    ("get", "/scenarios/schema.json", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
    # The language selector on every page: anyone may pick a language; it names no exercise and opens nothing.
    ("post", "/i18n/setlang/", {"white": 302, "jpn": 302, "rus": 302, "grey": 302, "stranger": 302}),
    ("get", "/i18n/setlang/", {"white": 302, "jpn": 302, "rus": 302, "grey": 302, "stranger": 302}),
]
# Named URLs the matrix does not walk, and why.
NOT_WALKED = {
    "healthz": "operations: names no exercise; asks the worker, so it has its own tests",
    "ping": "operations: names no exercise and reads nothing",
    "facilitator-logout": "ends the session of whoever asks; opens nothing",
}


def _walk(clients, exercise, role, method, template, expected):
    """One role asks for one URL; the answer is what the row expects (LOGIN: a redirect to sign-in)."""
    url = template.format(code=exercise.join_code, id=exercise.pk, obs=exercise.observer_code)
    data = {"action": "", "turn": 1, "revision": 0, "minutes": 10} if method == "post" else None
    response = getattr(clients[role], method)(url, data) if data else getattr(clients[role], method)(url)
    want = 302 if expected[role] == LOGIN else expected[role]
    assert response.status_code == want, f"{role} {method} {url}: {response.status_code}"
    if expected[role] == LOGIN:
        assert response["Location"].startswith("/facilitator/login/")


def test_the_matrix_walks_every_named_url():
    """A new URL must get its row: every named pattern is walked by the matrix, or says why not."""
    def names(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns") and not getattr(p, "app_name", None):
                yield from names(p.url_patterns)
            elif getattr(p, "name", None):
                yield p.name

    walked = {resolve(urlsplit(t.format(code="ABC123", id=1, obs="OBS123")).path).url_name
              for _m, t, _e in MATRIX + PUBLISHED_MATRIX}
    every = set(names(get_resolver().url_patterns))
    assert every - walked - set(NOT_WALKED) == set()
    assert set(NOT_WALKED) <= every  # no stale excuses


def test_white_shares_the_console_and_observers_see_it_read_only(clients, exercise):
    services.observers_console_set(exercise=exercise, allowed=True, by="white")
    for role in ROLES:
        r = clients[role].get(f"/o/{exercise.observer_code}/?view=console")
        html = r.content.decode()
        assert r.status_code == 200 and 'id="console-turn"' in html, role
        assert "Lock turn now" not in html and f'action="/f/{exercise.pk}/' not in html, role  # read-only


@pytest.mark.parametrize("method,template,expected", MATRIX, ids=[f"{m} {t}" for m, t, _ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_matrix(clients, exercise, role, method, template, expected):
    _walk(clients, exercise, role, method, template, expected)


# Rows walked after turn 1 is published: each team reads its own history; White reads any, read-only.
PUBLISHED_MATRIX = [
    ("get", "/x/{code}/t/JPN/turns/1/", {"white": 200, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/RUS/turns/1/", {"white": 200, "jpn": 404, "rus": 200, "grey": 404, "stranger": 404}),
    ("get", "/x/{code}/t/JPN/turns/2/", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
    ("post", "/x/{code}/t/JPN/turns/1/", {"white": 405, "jpn": 405, "rus": 405, "grey": 405, "stranger": 405}),
]


@pytest.mark.parametrize("method,template,expected", PUBLISHED_MATRIX, ids=[f"{m} {t}" for m, t, _ in PUBLISHED_MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_matrix_after_a_published_turn(clients, exercise, role, method, template, expected):
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    services.turn_publish(exercise=exercise, by="white")
    _walk(clients, exercise, role, method, template, expected)


def test_other_team_never_sees_japans_orders_or_notes(clients, exercise):
    """Japan saves an order with a private note; Russia's dashboard shows neither."""
    r = clients["jpn"].post(f"/x/{exercise.join_code}/t/JPN/orders/1/",
                            {"action": "M2", "target": "", "note": "SECRET-NOTE-JPN", "turn": 1, "revision": 0})
    assert r.status_code == 200
    assert Order.objects.filter(team__code="JPN", action="M2").exists()
    assert b"SECRET-NOTE-JPN" in clients["jpn"].get(f"/x/{exercise.join_code}/t/JPN/").content
    rus_page = clients["rus"].get(f"/x/{exercise.join_code}/t/RUS/").content
    assert b"SECRET-NOTE-JPN" not in rus_page
    assert b"SECRET-NOTE-JPN" in clients["white"].get(f"/f/{exercise.pk}/").content


def test_private_briefings_stay_with_their_team(clients, exercise):
    spec = load_scenario("northern-territories")
    jpn_private = next(t for t in spec.teams if t.code == "JPN").private_briefing.split("\n")[0][:60]
    rus_private = next(t for t in spec.teams if t.code == "RUS").private_briefing.split("\n")[0][:60]
    jpn_page = clients["jpn"].get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    assert escape(jpn_private) in jpn_page
    assert escape(rus_private) not in jpn_page


def test_posts_need_csrf(exercise, facilitator):
    c = Client(enforce_csrf_checks=True)
    c.force_login(facilitator)
    assert c.post(f"/f/{exercise.pk}/lock/").status_code == 403


def test_a_session_cannot_claim_another_players_id(clients, exercise):
    """A stranger copies a player id into their own session: the session key does not match."""
    aiko = Player.objects.get(display_name="Aiko")
    s = clients["stranger"].session
    s["players"] = {str(exercise.pk): aiko.pk}
    s.save()
    assert clients["stranger"].get(f"/x/{exercise.join_code}/t/JPN/").status_code == 404


# The cached team panels check the seat with one plain query (access_team_seat); the same roles, the same answers.
@pytest.mark.parametrize("team, expected", [
    ("JPN", {"white": 200, "jpn": 200, "rus": 404, "grey": 404, "stranger": 404}),
    ("RUS", {"white": 200, "jpn": 404, "rus": 200, "grey": 404, "stranger": 404}),
    ("XYZ", {"white": 404, "jpn": 404, "rus": 404, "grey": 404, "stranger": 404}),
])
@pytest.mark.parametrize("role", ROLES)
def test_a_cached_team_panel_answers_only_its_team_and_white(clients, exercise, role, team, expected):
    r = clients[role].get(f"/x/{exercise.join_code}/t/{team}/", headers={"HX-Request": "true", "HX-Target": "team-state"})
    assert r.status_code == expected[role], f"{role} {team}: {r.status_code}"
    if r.status_code == 200:
        assert 'id="team-state"' in r.content.decode()


def test_a_cached_team_panel_refuses_a_removed_player_and_a_session_that_is_not_the_seats(clients, exercise):
    url, headers = f"/x/{exercise.join_code}/t/JPN/", {"HX-Request": "true", "HX-Target": "team-state"}
    assert clients["jpn"].get(url, headers=headers).status_code == 200
    # The same player id in another browser's session is not the seat.
    impostor = Client()
    session = impostor.session
    session["players"] = clients["jpn"].session["players"]
    session.save()
    assert impostor.get(url, headers=headers).status_code == 404
    services.player_remove(player=exercise.players.get(display_name="Aiko"), by="white")
    assert clients["jpn"].get(url, headers=headers).status_code == 403


# Rows walked once White has released the debrief: the exercise's own people read it; others get 404.
RELEASED_MATRIX = [
    ("get", "/x/{code}/debrief/", {"white": 200, "jpn": 200, "rus": 200, "grey": 404, "stranger": 404}),
    ("get", "/o/{obs}/debrief/", {"white": 200, "jpn": 200, "rus": 200, "grey": 200, "stranger": 200}),
]


@pytest.mark.parametrize("method,template,expected", RELEASED_MATRIX, ids=[f"{m} {t}" for m, t, _ in RELEASED_MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_matrix_after_the_debrief_is_released(clients, exercise, role, method, template, expected):
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    services.turn_publish(exercise=exercise, by="white")
    services.debrief_release(exercise=exercise, by="white", parts=["thesis"])
    _walk(clients, exercise, role, method, template, expected)
