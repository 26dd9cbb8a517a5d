"""Query budgets: the dashboard, each shared team panel, White's console and the plenary view cost a fixed
number of SQL queries, the same with 3 teams as with 5 (every team the scenario has). A view that grew a
query per team, player, order or message (an N+1) breaks its budget at the larger size.

Each exercise is mid-game: turn 1 published with orders and messages from every team, turn 2 open with
orders saved. The team panels are measured cold (the fragments cache emptied first), when they render.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import Order
from wargame.scenarios import load_scenario

from ..conftest import join

pytestmark = pytest.mark.django_db

ALL_TEAMS = [t.code for t in load_scenario("northern-territories").teams]  # the playable teams
SIZES = [3, len(ALL_TEAMS)]
HTMX = {"HX-Request": "true"}

# The budgets: one number for every size, each what the view costs today. No headroom: a query per team
# would pass at 3 teams only by luck, and fails at 5. The 3-team game ends turn 1 with a crisis sub-turn
# open, which costs the dashboard, the console and the plenary view one query each for the choices.
DASHBOARD = 17
SHARED_PANELS = {"team-state": 6, "team-objectives": 6, "turn-injects": 5, "last-result": 7, "team-map": 7,
                 "proposals": 6, "orders-summary": 6}
CONSOLE = 15
PLENARY = 5


def _order_everything(exercise, players, turn_number):
    """Each team saves two orders (actions every team may take, cheap enough for two a turn)."""
    codes = [p.team.code for p in players]
    for player in players:
        other = codes[(codes.index(player.team.code) + 1) % len(codes)]
        for slot, action in enumerate(("M9", "M12"), start=1):
            for target in ("", other):  # an action that needs a target gets the next team
                try:
                    services.order_save(player=player, turn_number=turn_number, slot=slot, action=action,
                                        target=target, note=f"note {slot}", base_revision=0)
                    break
                except services.ServiceError:
                    continue


@pytest.fixture(params=SIZES, ids=[f"{n}-teams" for n in SIZES])
def game(request, facilitator):
    codes = ALL_TEAMS[:request.param]
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Budget", facilitator=facilitator,
                                        seed=7, team_codes=codes)
    clients = {}
    for code in codes:
        for name in ("A", "B"):  # two players a team
            c = Client()
            join(c, exercise, f"{name}-{code}", code)
            clients.setdefault(code, c)
    players = [exercise.players.filter(team__code=code).first() for code in codes]
    _order_everything(exercise, players, 1)
    for player, other in zip(players, players[1:] + players[:1]):
        services.message_post(player=player, kind="bilateral", recipient_codes=[other.team.code], body="Talk?")
        services.message_post(player=player, kind="public", recipient_codes=[], body="To all")
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    services.turn_publish(exercise=exercise, by="white")
    _order_everything(exercise, players, 2)
    # The worst case: the players have not been seen for a while, so the request records that they are here.
    exercise.players.update(last_seen=None)
    exercise.refresh_from_db()
    assert exercise.teams.count() == len(codes) and exercise.turns.get(number=1).status == "published"
    for number in (1, 2):  # every team has orders in both turns, so a query per order would show
        ordered = set(Order.objects.filter(turn__exercise=exercise, turn__number=number).values_list("team__code", flat=True))
        assert ordered == set(codes), number
    return exercise, clients


def test_the_player_dashboard(game, django_assert_max_num_queries):
    exercise, clients = game
    cache.clear()
    with django_assert_max_num_queries(DASHBOARD):
        r = clients["JPN"].get(f"/x/{exercise.join_code}/t/JPN/")
    assert r.status_code == 200 and 'id="last-result"' in r.content.decode()


@pytest.mark.parametrize("panel", SHARED_PANELS)
def test_each_shared_team_panel(game, panel, django_assert_max_num_queries):
    exercise, clients = game
    cache.clear()
    with django_assert_max_num_queries(SHARED_PANELS[panel]):
        r = clients["JPN"].get(f"/x/{exercise.join_code}/t/JPN/", headers={**HTMX, "HX-Target": panel})
    assert r.status_code == 200 and r.content.decode().lstrip().startswith(f'<section id="{panel}"')


def test_whites_console(game, white_client, django_assert_max_num_queries):
    exercise, _clients = game
    with django_assert_max_num_queries(CONSOLE):
        r = white_client.get(f"/f/{exercise.pk}/")
    assert r.status_code == 200 and 'id="console-teams"' in r.content.decode()


def test_the_plenary_view(game, django_assert_max_num_queries):
    exercise, _clients = game
    with django_assert_max_num_queries(PLENARY):
        r = Client().get(f"/x/{exercise.join_code}/plenary/")
    assert r.status_code == 200 and 'id="plenary-ladder"' in r.content.decode()
