"""The practice game: one click on White's home page makes a practice exercise with a bot in every seat; a player
who joins takes a seat over and sees hints beside the controls, which they may hide (remembered server-side)."""

import pytest
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import Exercise

from ..conftest import join

pytestmark = pytest.mark.django_db


def _practice(client):
    r = client.post("/facilitator/practice/")
    assert r.status_code == 302
    exercise = Exercise.objects.latest("pk")
    assert r["Location"] == f"/f/{exercise.pk}/"
    return exercise


def test_the_home_page_offers_one_click_and_every_seat_gets_a_bot(facilitator):
    white = Client()
    white.force_login(facilitator)
    home = white.get("/facilitator/").content.decode()
    assert 'action="/facilitator/practice/"' in home and "Start a practice game" in home
    exercise = _practice(white)
    assert exercise.scenario.slug == "practice" and exercise.facilitators.filter(pk=facilitator.pk).exists()
    bots = dict(exercise.teams.values_list("code", "bot_policy"))
    assert bots == services.exercises.PRACTICE_BOTS == {"JPN": "status_quo", "RUS": "mirror", "CHN": "status_quo"}
    console = white.get(f"/f/{exercise.pk}/").content.decode()
    assert exercise.join_code in console
    assert white.get("/facilitator/practice/").status_code == 405


def test_a_player_takes_a_bot_seat_sees_hints_and_hides_them_for_good(facilitator):
    exercise = services.exercise_start_practice(facilitator=facilitator)
    player = Client()
    join(player, exercise, "Aiko", "JPN")
    assert exercise.teams.get(code="JPN").bot_policy == ""  # the player took the seat over from the bot
    assert exercise.teams.get(code="RUS").bot_policy == "mirror"
    url = f"/x/{exercise.join_code}/t/JPN/"
    page = player.get(url).content.decode()
    for which in ("bar", "orders", "argued", "map", "crisis", "briefing"):
        assert f'data-testid="hint{"s" if which == "bar" else ""}-{which}"' in page, which
    assert 'data-testid="hints-hide"' in page
    r = player.post(f"{url}hints/", {"hide": "1"})
    assert r.status_code == 302 and r["Location"] == url
    for _reload in range(2):
        page = player.get(url).content.decode()
        assert 'data-testid="hint-orders"' not in page and 'data-testid="hints-bar"' not in page
        assert 'data-testid="hints-show"' in page
    # Another player of the same exercise still sees them: the flag is this player's.
    other = Client()
    join(other, exercise, "Boris", "RUS")
    assert 'data-testid="hint-orders"' in other.get(f"/x/{exercise.join_code}/t/RUS/").content.decode()
    player.post(f"{url}hints/", {"hide": "0"})
    assert 'data-testid="hint-orders"' in player.get(url).content.decode()


def test_no_hints_outside_a_practice_game_nor_for_white(exercise, facilitator):
    player = Client()
    join(player, exercise, "Aiko", "JPN")
    page = player.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    assert "hint-orders" not in page and "hints-show" not in page
    practice = services.exercise_start_practice(facilitator=facilitator)
    white = Client()
    white.force_login(facilitator)
    page = white.get(f"/x/{practice.join_code}/t/JPN/").content.decode()
    assert "hint-orders" not in page
    assert white.post(f"/x/{practice.join_code}/t/JPN/hints/").status_code == 403


def test_the_dashboard_says_when_the_exercise_has_ended(facilitator):
    exercise = services.exercise_start_practice(facilitator=facilitator)
    player = Client()
    join(player, exercise, "Aiko", "JPN")
    url = f"/x/{exercise.join_code}/t/JPN/"
    assert 'data-testid="game-ended"' not in player.get(url).content.decode()
    services.exercise_end(exercise=exercise, by=facilitator, reason="Practice over")
    page = player.get(url).content.decode()
    assert 'data-testid="game-ended"' in page and "Practice over" in page
