"""Bots for empty seats: White hands a team without players to a bot and takes it back; the bot orders at lock
through the players' checks and log, and chooses in crisis sub-turns."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wargame import engine
from wargame.exercises import services
from wargame.exercises.models import CrisisChoice, Event, Order, Team, Turn

pytestmark = pytest.mark.django_db


def _seat(exercise, name, team):
    p = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{name}")
    return services.player_choose_team(player=p, team_code=team)


def _crisis(exercise, number=1, dyad="CHN-JPN"):
    turn = exercise.turns.get(number=number)
    state = dict(turn.state_before)
    state["crisis"] = [dyad]
    state["dyads"] = {**state["dyads"], dyad: {**state["dyads"][dyad], "rung": 4, "T": 70.0}}
    Turn.objects.filter(pk=turn.pk).update(state_before=state,
                                           crisis_deadline=timezone.now() + timezone.timedelta(minutes=3))
    return exercise.turns.get(number=number)


def test_assign_is_refused_while_the_team_has_players_seated(exercise, facilitator):
    _seat(exercise, "Chen", "CHN")
    with pytest.raises(services.ServiceError, match="has players seated"):
        services.bot_assign(exercise=exercise, by="white", team_code="CHN", policy="hawk")
    with pytest.raises(services.ServiceError, match="policies"):
        services.bot_assign(exercise=exercise, by="white", team_code="RUS", policy="berserk")
    assert not Team.objects.get(exercise=exercise, code="CHN").bot_policy


def test_bot_orders_at_lock_through_the_same_checks_and_log(exercise):
    services.bot_assign(exercise=exercise, by="white", team_code="CHN", policy="hawk")
    services.turn_lock(exercise=exercise, by="white")
    orders = list(Order.objects.filter(turn__exercise=exercise, team__code="CHN").exclude(action=""))
    assert orders and all(o.by_bot == "hawk" and o.updated_by is None for o in orders)
    spec = engine.bot_orders  # the engine's own choice, the one the service saved
    turn = exercise.turns.get(number=1)
    from wargame.scenarios import load_scenario
    expected = spec(load_scenario("northern-territories"), engine.GameState.from_dict(turn.state_before), "CHN",
                    "hawk", seed=exercise.seed, turn=1)
    assert [(o.action, o.target or None) for o in orders] == [(o.action, o.target) for o in expected]
    logged = Event.objects.filter(exercise=exercise, kind="order_saved", actor="bot:hawk")
    assert logged.count() == len(orders) and all(e.payload["team"] == "CHN" for e in logged)
    locked = Event.objects.get(exercise=exercise, kind="turn_locked")
    assert {o["action"] for o in locked.payload["orders"] if o["team"] == "CHN"} == {o.action for o in orders}


def test_a_refused_bot_order_is_logged_and_never_stops_the_lock(exercise, monkeypatch):
    services.bot_assign(exercise=exercise, by="white", team_code="CHN", policy="hawk")
    monkeypatch.setattr(engine, "bot_orders", lambda *a, **k: [engine.Order("CHN", "D1", "JPN")])  # not China's
    turn = services.turn_lock(exercise=exercise, by="white")
    assert Turn.objects.get(pk=turn.pk).status == Turn.Status.LOCKED
    assert Event.objects.filter(exercise=exercise, kind="bot_order_refused", actor="bot:hawk").exists()
    assert not Order.objects.filter(turn=turn, team__code="CHN").exclude(action="").exists()


def test_take_back_stops_the_bot(exercise):
    services.bot_assign(exercise=exercise, by="white", team_code="CHN", policy="dove")
    services.bot_release(exercise=exercise, by="white", team_code="CHN")
    services.turn_lock(exercise=exercise, by="white")
    assert not Order.objects.filter(team__code="CHN").exists()
    assert Event.objects.filter(exercise=exercise, kind="bot_released").exists()
    with pytest.raises(services.ServiceError, match="not run by a bot"):
        services.bot_release(exercise=exercise, by="white", team_code="CHN")


def test_a_player_who_takes_a_bots_seat_takes_it_over(exercise):
    """A late arrival joins China while its bot plays it: the bot stops (logged, with who took over), and the
    lock takes no bot order for China."""
    services.bot_assign(exercise=exercise, by="white", team_code="CHN", policy="hawk")
    chen = _seat(exercise, "Chen", "CHN")
    assert not Team.objects.get(exercise=exercise, code="CHN").bot_policy
    released = Event.objects.get(exercise=exercise, kind="bot_released")
    assert released.payload["team"] == "CHN" and released.payload["player"] == chen.pk
    services.turn_lock(exercise=exercise, by="white")
    assert not Order.objects.filter(team__code="CHN").exclude(by_bot="").exists()


def test_console_hands_to_bot_shows_its_words_and_ordered_by_the_bot(exercise, white_client):
    page = white_client.get(reverse("console", args=[exercise.pk])).content.decode()
    assert 'data-testid="bot-control-CHN"' in page and "Hand to bot" in page
    assert "keeps to its routine" in page  # the plain words of a policy
    r = white_client.post(reverse("console-bot-assign", args=[exercise.pk]), {"team": "CHN", "policy": "hawk"})
    assert r.status_code == 302
    assert Team.objects.get(exercise=exercise, code="CHN").bot_policy == "hawk"
    services.turn_lock(exercise=exercise, by="white")
    page = white_client.get(reverse("console", args=[exercise.pk])).content.decode()
    assert "run by the bot (hawk)" in page
    assert "ordered by the bot (hawk)" in page
    r = white_client.post(reverse("console-bot-release", args=[exercise.pk]), {"team": "CHN"})
    assert r.status_code == 302 and not Team.objects.get(exercise=exercise, code="CHN").bot_policy


def test_console_refuses_a_seated_team_with_a_message(exercise, white_client):
    _seat(exercise, "Chen", "CHN")
    r = white_client.post(reverse("console-bot-assign", args=[exercise.pk]), {"team": "CHN", "policy": "hawk"},
                          follow=True)
    assert "has players seated" in r.content.decode()


def test_another_facilitator_gets_404(exercise, other_facilitator):
    c = Client()
    c.force_login(other_facilitator)
    assert c.post(reverse("console-bot-assign", args=[exercise.pk]), {"team": "CHN", "policy": "hawk"}).status_code == 404
    assert c.post(reverse("console-bot-release", args=[exercise.pk]), {"team": "CHN"}).status_code == 404
    assert not Team.objects.get(exercise=exercise, code="CHN").bot_policy


def test_unknown_team_is_404(exercise, white_client):
    assert white_client.post(reverse("console-bot-assign", args=[exercise.pk]),
                             {"team": "ZZZ", "policy": "hawk"}).status_code == 404


def test_a_bot_chooses_in_a_crisis_when_the_other_side_has(exercise):
    services.bot_assign(exercise=exercise, by="white", team_code="CHN", policy="mirror")
    turn = _crisis(exercise)
    aiko = _seat(exercise, "Aiko", "JPN")
    services.crisis_choose(player=aiko, turn_number=1, choice="deescalate")
    row = CrisisChoice.objects.get(turn=turn, team__code="CHN")
    assert row.choice == "deescalate" and row.by_white == "bot:mirror"  # the mirror copies Japan
    assert Event.objects.filter(exercise=exercise, kind="crisis_chosen", actor="bot:mirror").exists()


def test_a_dove_chooses_when_the_crisis_opens_at_publish(exercise):
    services.bot_assign(exercise=exercise, by="white", team_code="CHN", policy="dove")
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=1)
    services.turn_resolve(turn_id=turn.pk)
    turn.refresh_from_db()
    state = dict(turn.result["state"])
    state["crisis"] = ["CHN-JPN"]
    Turn.objects.filter(pk=turn.pk).update(result={**turn.result, "state": state})
    services.turn_publish(exercise=exercise, by="white")
    nxt = exercise.turns.get(number=2)
    assert nxt.crisis_deadline is not None
    assert CrisisChoice.objects.get(turn=nxt, team__code="CHN").choice == "deescalate"


def test_settling_makes_a_waiting_mirror_hold(exercise):
    services.bot_assign(exercise=exercise, by="white", team_code="CHN", policy="mirror")
    turn = _crisis(exercise)
    services.crisis_settle_now(exercise=exercise, by="white")
    turn.refresh_from_db()
    assert turn.crisis_result["choices"] == {"CHN": "hold", "JPN": "hold"}
    assert CrisisChoice.objects.get(turn=turn, team__code="CHN").by_white == "bot:mirror"
