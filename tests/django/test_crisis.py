"""The crisis sub-turn: two teams at rung 4 choose to de-escalate, hold or escalate; the choice is secret
until the crisis is settled; the outcome is the engine's, shown at once and again in the turn's result."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from wargame import engine
from wargame.exercises import selectors, services
from wargame.exercises.models import CrisisChoice, Event, Exercise, Turn

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis(exercise):
    """Turn 1 opens with Japan and Russia in a crisis at rung 4 (as a turn ending there leaves it)."""
    turn = exercise.turns.get(number=1)
    state = dict(turn.state_before)
    state["crisis"] = ["JPN-RUS"]
    state["dyads"] = {**state["dyads"], "JPN-RUS": {**state["dyads"]["JPN-RUS"], "rung": 4, "T": 68.0}}
    Turn.objects.filter(pk=turn.pk).update(state_before=state,
                                           crisis_deadline=timezone.now() + timezone.timedelta(minutes=3))
    return exercise.turns.get(number=1)


def _seat(exercise, name, team):
    p = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{name}")
    return services.player_choose_team(player=p, team_code=team)


def test_only_the_two_crisis_teams_choose_and_each_choice_is_logged(exercise, crisis):
    aiko, boris, chen = _seat(exercise, "Aiko", "JPN"), _seat(exercise, "Boris", "RUS"), _seat(exercise, "Chen", "CHN")
    services.crisis_choose(player=aiko, turn_number=1, choice="deescalate")
    services.crisis_choose(player=aiko, turn_number=1, choice="hold")  # a change of mind replaces the choice
    with pytest.raises(services.ServiceError, match="not in this crisis"):
        services.crisis_choose(player=chen, turn_number=1, choice="hold")
    with pytest.raises(services.ServiceError, match="de-escalate, hold or escalate"):
        services.crisis_choose(player=boris, turn_number=1, choice="nuke")
    assert list(CrisisChoice.objects.values_list("team__code", "choice")) == [("JPN", "hold")]
    assert Event.objects.filter(exercise=exercise, kind="crisis_chosen").count() == 2


def test_a_team_sees_its_own_choice_and_only_that_the_other_side_has_chosen(exercise, crisis):
    aiko, boris = _seat(exercise, "Aiko", "JPN"), _seat(exercise, "Boris", "RUS")
    services.crisis_choose(player=aiko, turn_number=1, choice="escalate")
    japan = selectors.team_crisis(team=aiko.team, turn=crisis)
    russia = selectors.team_crisis(team=boris.team, turn=crisis)
    assert japan["my_choice"] == "escalate" and russia["my_choice"] is None
    jpn_side = next(s for s in russia["rows"][0]["sides"] if s["code"] == "JPN")
    assert jpn_side == {"code": "JPN", "chosen": True, "choice": None, "by": ""}
    public = selectors.plenary_crisis(turn=crisis)[0]
    assert all(s["choice"] is None for s in public["sides"]) and public["pending"]
    white = selectors.console_crisis(turn=crisis)[0]
    assert {s["code"]: s["choice"] for s in white["sides"]} == {"JPN": "escalate", "RUS": None}
    assert selectors.team_crisis(team=exercise.teams.get(code="CHN"), turn=crisis) is None


def test_the_dashboards_keep_the_choice_secret_until_settled(jpn_client, rus_client, exercise, crisis):
    r = jpn_client.post(f"/x/{exercise.join_code}/t/JPN/crisis/", {"turn": 1, "choice": "escalate"},
                        headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'data-testid="crisis-choice-JPN"' in r.content.decode()
    assert 'aria-pressed="true" data-testid="crisis-escalate"' in r.content.decode()
    page = rus_client.get(f"/x/{exercise.join_code}/t/RUS/").content.decode()
    panel = page[page.index('id="crisis-panel"'):page.index("</section>", page.index('id="crisis-panel"'))]
    assert "has chosen" in panel and "Escalate</strong>" not in panel and 'data-testid="crisis-choice-JPN"' not in panel
    china = jpn_client.get(f"/x/{exercise.join_code}/plenary/").content.decode()
    assert 'data-testid="plenary-crisis"' in china and "Escalate" not in china.split('id="plenary-crisis"')[1][:2000]


@pytest.mark.parametrize("choices, rung, ended", [
    ({"JPN": "hold", "RUS": "hold"}, 4, False),
    ({"JPN": "escalate", "RUS": "hold"}, 6, False),
    ({"JPN": "escalate", "RUS": "escalate"}, 7, True),
])
def test_settling_gives_the_engines_outcome_and_war_locks_the_turn(exercise, crisis, choices, rung, ended):
    players = {"JPN": _seat(exercise, "Aiko", "JPN"), "RUS": _seat(exercise, "Boris", "RUS")}
    for code, choice in choices.items():
        services.crisis_choose(player=players[code], turn_number=1, choice=choice)
    assert services.crisis_settle(turn_id=crisis.pk, force=True) is True
    assert services.crisis_settle(turn_id=crisis.pk, force=True) is False  # once only
    turn = Turn.objects.get(pk=crisis.pk)
    outcome = next(e for e in turn.crisis_result["events"] if e["kind"] == "crisis_outcome")
    assert outcome["rung"] == rung and outcome["choices"] == choices
    assert bool(turn.crisis_result["ended"]) is ended
    assert (turn.status == Turn.Status.LOCKED) is ended
    with pytest.raises(services.StaleAction):
        services.crisis_choose(player=players["JPN"], turn_number=1, choice="deescalate")


def test_the_turns_resolution_repeats_the_outcome_shown_at_once(exercise, crisis):
    aiko = _seat(exercise, "Aiko", "JPN")
    services.crisis_choose(player=aiko, turn_number=1, choice="deescalate")
    services.crisis_settle_now(exercise=exercise, by="white")  # Russia, not having chosen, holds
    shown = Turn.objects.get(pk=crisis.pk).crisis_result
    assert shown["choices"] == {"JPN": "deescalate", "RUS": "hold"}
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=crisis.pk)
    result = Turn.objects.get(pk=crisis.pk).result
    resolved = [e for e in result["events"] if e["kind"] == "crisis_outcome"]
    assert resolved == [e for e in shown["events"] if e["kind"] == "crisis_outcome"]


def test_the_clock_settles_a_crisis_and_white_can_choose_and_set_its_length(exercise, crisis):
    services.crisis_choose_for_team(exercise=exercise, by="white", turn_number=1, team_code="RUS", choice="hold")
    assert CrisisChoice.objects.get(team__code="RUS").by_white == "white"
    assert services.crises_enforce() == []  # its clock has not run out
    assert services.crises_enforce(now=timezone.now() + timezone.timedelta(minutes=4)) == [crisis.pk]
    assert Turn.objects.get(pk=crisis.pk).crisis_result["choices"] == {"JPN": "hold", "RUS": "hold"}
    services.crisis_set_minutes(exercise=exercise, by="white", minutes=5)
    assert Exercise.objects.get(pk=exercise.pk).crisis_minutes == 5
    with pytest.raises(services.ServiceError, match="between 1 and 30"):
        services.crisis_set_minutes(exercise=exercise, by="white", minutes=0)


def test_a_published_turn_ending_at_rung_4_opens_the_next_with_a_crisis_clock(exercise):
    turn = exercise.turns.get(number=1)
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=turn.pk)
    turn.refresh_from_db()
    result = dict(turn.result)
    result["state"] = {**result["state"], "crisis": ["JPN-RUS"]}
    Turn.objects.filter(pk=turn.pk).update(result=result)
    services.turn_publish(exercise=exercise, by="white")
    nxt = exercise.turns.get(number=2)
    assert engine.crisis_dyads(engine.GameState.from_dict(nxt.state_before)) == ["JPN-RUS"]
    assert nxt.crisis_deadline is not None and nxt.crisis_deadline > timezone.now()


def test_a_game_with_a_crisis_it_played_out_replays_exactly(exercise):
    """China and Japan press each other into a crisis; Japan de-escalates, China escalates; replay_check
    rebuilds the published state from the log, crisis choices included."""
    players = {code: _seat(exercise, name, code) for code, name in (("JPN", "Aiko"), ("CHN", "Chen"))}
    moves = {"JPN": ("M1", "CHN"), "CHN": ("M1", "JPN")}
    for code, (action, target) in moves.items():
        services.order_save(player=players[code], turn_number=1, slot=1, action=action, target=target)
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    services.turn_publish(exercise=exercise, by="white")
    turn = exercise.turns.get(number=2)
    assert turn.crisis_deadline is not None, "these orders should leave China–Japan at rung 4"
    services.crisis_choose(player=players["JPN"], turn_number=2, choice="deescalate")
    services.crisis_choose(player=players["CHN"], turn_number=2, choice="escalate")
    services.crisis_settle(turn_id=turn.pk)
    services.turn_lock(exercise=Exercise.objects.get(pk=exercise.pk), by="white")
    services.turn_resolve(turn_id=turn.pk)
    services.turn_publish(exercise=Exercise.objects.get(pk=exercise.pk), by="white")
    result = Turn.objects.get(pk=turn.pk).result
    outcome = next(e for e in result["events"] if e["kind"] == "crisis_outcome")
    assert outcome["choices"] == {"CHN": "escalate", "JPN": "deescalate"} and outcome["rung"] >= 6
    out = StringIO()
    call_command("replay_check", exercise.pk, stdout=out)
    assert "2 published turns replay to the identical state" in out.getvalue()
