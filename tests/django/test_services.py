"""Services: the write layer. Each test states a facilitator's or player's situation."""

import pytest
from django.db import connection
from django.utils import timezone

from wargame.exercises import services
from wargame.exercises.models import Event, Exercise, Order, Player, Team, Turn

pytestmark = pytest.mark.django_db


def _player(exercise, name, code):
    p = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{name}")
    return services.player_choose_team(player=p, team_code=code)


def test_exercise_create_makes_default_teams_turn_one_and_logs(exercise, facilitator):
    """A facilitator creates a Northern Territories exercise: Japan, Russia and China are played,
    turn 1 is open, the baseline state is stored and the creation is in the log."""
    assert sorted(exercise.teams.values_list("code", flat=True)) == ["CHN", "JPN", "RUS"]
    turn = exercise.turns.get()
    assert (turn.number, turn.status) == (1, Turn.Status.OPEN)
    assert exercise.state["turn"] == 0
    assert exercise.facilitators.filter(pk=facilitator.pk).exists()
    assert len(exercise.join_code) == 6 and exercise.join_code != exercise.observer_code
    assert Event.objects.filter(exercise=exercise, kind="exercise_created").count() == 1


def test_exercise_create_with_chosen_teams(facilitator):
    """White plays the optional US team too."""
    x = services.exercise_create(scenario_slug="sea-of-okhotsk", name="", facilitator=facilitator,
                                 team_codes=["JPN", "RUS", "USA"], seed=1)
    assert sorted(x.teams.values_list("code", flat=True)) == ["JPN", "RUS", "USA"]
    assert x.name  # falls back to the scenario title


def test_join_refuses_empty_and_long_names(exercise):
    with pytest.raises(services.ServiceError, match="display name"):
        services.player_join(exercise=exercise, display_name="   ", session_key="s")
    with pytest.raises(services.ServiceError, match="40"):
        services.player_join(exercise=exercise, display_name="x" * 41, session_key="s")


def test_full_team_refuses_another_player(exercise):
    """Japan has room for two; the third player is told the team is full and stays unassigned."""
    Team.objects.filter(exercise=exercise, code="JPN").update(max_players=2)
    _player(exercise, "a", "JPN")
    _player(exercise, "b", "JPN")
    c = services.player_join(exercise=exercise, display_name="c", session_key="s-c")
    with pytest.raises(services.ServiceError, match="full"):
        services.player_choose_team(player=c, team_code="JPN")
    assert Player.objects.get(pk=c.pk).team is None


def test_order_save_accepts_a_legal_order_and_bumps_the_version(exercise):
    jpn = _player(exercise, "Aiko", "JPN")
    before = Exercise.objects.get(pk=exercise.pk).version
    order = services.order_save(player=jpn, turn_number=1, slot=1, action="M2", base_revision=0)
    assert (order.action, order.revision, order.updated_by_id) == ("M2", 1, jpn.pk)
    assert Exercise.objects.get(pk=exercise.pk).version > before


def test_order_refuses_an_action_the_team_may_not_take(exercise):
    """Japan orders M3 (Russia's Kuril garrison): refused, naming why; nothing is saved."""
    jpn = _player(exercise, "Aiko", "JPN")
    with pytest.raises(services.ServiceError) as info:
        services.order_save(player=jpn, turn_number=1, slot=1, action="M3", base_revision=0)
    assert "M3" in str(info.value)
    assert not Order.objects.exists()


def test_order_refuses_an_unknown_action(exercise):
    jpn = _player(exercise, "Aiko", "JPN")
    with pytest.raises(services.ServiceError, match="ZZ9"):
        services.order_save(player=jpn, turn_number=1, slot=1, action="ZZ9", base_revision=0)


def test_order_refuses_spending_beyond_the_rp_budget(exercise):
    """Japan has only 4 RP this turn. M1 (3 RP) is accepted; adding M2 (2 RP) would need 5 and is refused."""
    turn = exercise.turns.get(number=1)
    turn.state_before["rp"]["JPN"] = 4
    turn.save()
    jpn = _player(exercise, "Aiko", "JPN")
    services.order_save(player=jpn, turn_number=1, slot=1, action="M1", target="CHN", base_revision=0)
    with pytest.raises(services.ServiceError, match="RP"):
        services.order_save(player=jpn, turn_number=1, slot=2, action="M2", base_revision=0)
    assert list(Order.objects.values_list("action", flat=True)) == ["M1"]


def test_stale_order_after_lock_is_refused(exercise, facilitator):
    """The turn locks while Aiko edits: her save is refused with a message saying so."""
    jpn = _player(exercise, "Aiko", "JPN")
    services.turn_lock(exercise=exercise, by="white")
    with pytest.raises(services.StaleAction, match="locked"):
        services.order_save(player=jpn, turn_number=1, slot=1, action="M2", base_revision=0)


def test_two_teammates_editing_the_same_slot_conflict(exercise):
    """Aiko and Ken both open order 1 at revision 0. Aiko saves first; Ken's save is refused."""
    aiko = _player(exercise, "Aiko", "JPN")
    ken = _player(exercise, "Ken", "JPN")
    services.order_save(player=aiko, turn_number=1, slot=1, action="M2", base_revision=0)
    with pytest.raises(services.OrderConflict, match="Aiko"):
        services.order_save(player=ken, turn_number=1, slot=1, action="M1", target="CHN", base_revision=0)
    assert Order.objects.get().action == "M2"


def test_locking_twice_is_refused(exercise):
    services.turn_lock(exercise=exercise, by="white")
    with pytest.raises(services.StaleAction, match="already"):
        services.turn_lock(exercise=exercise, by="white")
    assert Event.objects.filter(kind="turn_locked").count() == 1


def test_resolve_is_idempotent(exercise):
    """A duplicate task delivery finds the turn already resolved and does nothing."""
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=1)
    assert services.turn_resolve(turn_id=turn.pk) is True
    assert services.turn_resolve(turn_id=turn.pk) is False
    turn.refresh_from_db()
    assert turn.status == Turn.Status.REVIEW
    assert Event.objects.filter(kind="turn_resolved").count() == 1


def test_resolve_of_an_open_turn_does_nothing(exercise):
    turn = exercise.turns.get(number=1)
    assert services.turn_resolve(turn_id=turn.pk) is False
    turn.refresh_from_db()
    assert turn.status == Turn.Status.OPEN


def test_publish_applies_the_result_and_opens_the_next_turn(exercise):
    jpn = _player(exercise, "Aiko", "JPN")
    services.order_save(player=jpn, turn_number=1, slot=1, action="M2", base_revision=0)
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=1)
    services.turn_resolve(turn_id=turn.pk)
    services.turn_publish(exercise=exercise, by="white")
    exercise.refresh_from_db()
    assert exercise.state["turn"] == 1
    assert exercise.turns.get(number=2).status == Turn.Status.OPEN
    assert exercise.turns.get(number=2).state_before == exercise.state
    with pytest.raises(services.StaleAction):
        services.turn_publish(exercise=exercise, by="white", turn_number=1)


def test_publish_before_review_is_refused(exercise):
    with pytest.raises(services.StaleAction, match="review"):
        services.turn_publish(exercise=exercise, by="white")


def test_deadline_locks_the_turn_exactly_once(exercise, django_capture_on_commit_callbacks):
    turn = exercise.turns.get(number=1)
    Turn.objects.filter(pk=turn.pk).update(deadline=timezone.now() - timezone.timedelta(seconds=1))
    assert services.deadlines_enforce() == [turn.pk]
    assert services.deadlines_enforce() == []
    assert Turn.objects.get(pk=turn.pk).status == Turn.Status.LOCKED
    assert Event.objects.filter(kind="turn_locked", actor="clock").count() == 1


def test_clock_refuses_out_of_range_minutes(exercise):
    turn = exercise.turns.get(number=1)
    with pytest.raises(services.ServiceError, match="240"):
        services.turn_set_deadline(turn=turn, minutes=0, by="white")
    services.turn_set_deadline(turn=turn, minutes=15, by="white")
    assert Turn.objects.get(pk=turn.pk).deadline > timezone.now()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="select_for_update is a no-op on SQLite")
@pytest.mark.django_db(transaction=True)
def test_concurrent_resolves_claim_the_turn_once(exercise):
    """Two workers receive the same resolve task at the same moment: exactly one resolves."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    # Locked as the clock locks it, but with no task sent: these threads are the workers, not a real one.
    turn_id = exercise.turns.get(number=1).pk
    Turn.objects.filter(pk=turn_id).update(status=Turn.Status.LOCKED, locked_at=timezone.now())

    def resolve():
        try:
            return services.turn_resolve(turn_id=turn_id)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: resolve(), range(4)))
    assert results.count(True) == 1
    assert Event.objects.filter(kind="turn_resolved").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter; SQLite has none")
@pytest.mark.django_db(transaction=True)
def test_a_room_writing_at_once_never_deadlocks(exercise):
    """Found by bench/load.py on PostgreSQL: a join (team, then exercise) and a message (teams by foreign key,
    then the exercise) deadlocked. Every write takes the exercise row first; here a room's worth of joins,
    messages and orders run at once, each in its own transaction, and every one of them succeeds."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    exercise.teams.update(max_players=40)
    seated = []
    for i, code in enumerate(["JPN", "RUS", "CHN"] * 2):
        player = services.player_join(exercise=exercise, display_name=f"s{i}", session_key=f"seated-{i}")
        seated.append(services.player_choose_team(player=player, team_code=code))
    newcomers = [services.player_join(exercise=exercise, display_name=f"n{i}", session_key=f"new-{i}")
                 for i in range(12)]
    others = {"JPN": "RUS", "RUS": "CHN", "CHN": "JPN"}

    def write(i):
        try:
            if i % 3 == 0:
                services.player_choose_team(player=newcomers[i // 3 % len(newcomers)],
                                            team_code=["JPN", "RUS", "CHN"][i // 3 % 3])
            elif i % 3 == 1:
                p = seated[i % len(seated)]
                services.message_post(player=p, kind="group", recipient_codes=[others[p.team.code]], body=f"m{i}")
            else:
                p = seated[i % len(seated)]
                try:
                    services.order_save(player=p, turn_number=1, slot=1 + i % 2, action="", target="",
                                        note=f"n{i}", base_revision=0)
                except services.OrderConflict:
                    pass  # a teammate saved first: a refusal with a message, not a failure
            return "ok"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(write, range(36)))
    assert results == ["ok"] * 36


def test_jobs_name_the_real_tasks_and_every_adjudication_setting_has_an_engine_mode():
    from wargame import engine
    from wargame.exercises import jobs, tasks

    assert jobs.RESOLVE_TURN == tasks.resolve_turn.name
    assert set(engine.ARGUED_MODE_FOR_SETTING) == set(Exercise.Mode.values)
