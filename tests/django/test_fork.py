"""Fork at turn N: fork a 3-turn game at turn 2, change one order of turn 2, re-resolve and publish; turn 1 is the
parent's, turn 2 differs where the order does, the fork replays exactly, the parent is untouched, and the debrief
of either branch draws the other's lines. Another facilitator can neither fork nor compare; an unpublished turn
cannot be forked."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import Event, Exercise, Message, Order, Turn

pytestmark = pytest.mark.django_db

ORDERS = (("JPN", "M2", ""), ("CHN", "M7", "soya"), ("RUS", "M4", ""))


def _player(exercise, name, code):
    p = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{exercise.pk}-{name}")
    return services.player_choose_team(player=p, team_code=code)


def _lock_resolve_publish(exercise, number):
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=number).pk)
    services.turn_publish(exercise=exercise, by="white")


def _play(exercise, turns=3):
    players = {code: _player(exercise, name, code) for name, code in (("Aiko", "JPN"), ("Boris", "RUS"),
                                                                      ("Chen", "CHN"))}
    for number in range(1, turns + 1):
        for code, action, target in ORDERS:
            services.order_save(player=players[code], turn_number=number, slot=1, action=action, target=target)
        services.message_post(player=players["RUS"], kind="bilateral", recipient_codes=["JPN"],
                              body=f"Turn {number} hello")
        _lock_resolve_publish(exercise, number)
    exercise.refresh_from_db()
    return players


def _snapshot(exercise):
    return {"state": exercise.state, "version": exercise.version,
            "turns": list(exercise.turns.order_by("number").values_list("number", "status", "result", "inputs")),
            "orders": list(Order.objects.filter(turn__exercise=exercise).order_by("id")
                           .values_list("turn__number", "team__code", "slot", "action", "target", "updated_by")),
            "events": Event.objects.filter(exercise=exercise).count(),
            "messages": Message.objects.filter(exercise=exercise).count()}


@pytest.fixture
def played(exercise):
    _play(exercise)
    return exercise


def _table(html, chart_id):
    """The rows of the data table behind a chart, as lists of cell texts."""
    block = html.split(f'id="{chart_id}"', 1)[1]
    table = block.split("<table", 1)[1].split("</table>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr.*?</tr>", table, flags=re.S):
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)])
    return rows


def test_fork_at_turn_2_change_one_order_resolve_and_compare(played, facilitator, white_client):
    parent = played
    before = _snapshot(parent)
    response = white_client.post(f"/f/{parent.pk}/fork/", {"turn": "2"})
    fork = Exercise.objects.exclude(pk=parent.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/f/{fork.pk}/"
    assert (fork.forked_from_id, fork.fork_turn, fork.seed) == (parent.pk, 2, parent.seed)
    assert fork.name == "Seminar A — fork at turn 2"
    assert fork.join_code != parent.join_code and fork.observer_code != parent.observer_code
    assert list(fork.facilitators.all()) == [facilitator]
    assert not fork.players.exists()  # seats are open: the same or new players may join
    assert sorted(fork.teams.values_list("code", flat=True)) == sorted(parent.teams.values_list("code", flat=True))
    t1, t2 = fork.turns.order_by("number")
    p1, p2 = parent.turns.filter(number__lte=2).order_by("number")
    assert fork.turns.count() == 2
    assert (t1.status, t1.result, t1.state_before, t1.published_at) == (p1.status, p1.result, p1.state_before,
                                                                        p1.published_at)
    assert (t2.status, t2.state_before, t2.result) == (Turn.Status.OPEN, p2.state_before, None)
    assert fork.state == p2.state_before
    assert set(Order.objects.filter(turn=t2).values_list("team__code", "action", "target", "updated_by")) == {
        (c, a, t, None) for c, a, t in ORDERS}
    assert Message.objects.filter(exercise=fork).count() == 2  # turns 1 and 2, sent before turn 2 locked
    assert Event.objects.filter(exercise=fork, kind="exercise_forked", turn_number=2).exists()
    assert not Event.objects.filter(exercise=fork, turn_number=2, kind__in=("turn_locked", "turn_published"))

    console = white_client.get(f"/f/{fork.pk}/").content.decode()
    assert "Fork of" in console and f'href="/f/{parent.pk}/"' in console and 'data-testid="fork-orders"' in console

    # White changes one order of turn 2: Russia stands down its buildup.
    response = white_client.post(f"/f/{fork.pk}/fork/order/", {"team": "RUS", "slot": "1", "action": "",
                                                                "target": ""})
    assert response.status_code == 302
    assert Order.objects.get(turn=t2, team__code="RUS", slot=1).action == ""
    assert Event.objects.filter(exercise=fork, kind="order_set_by_white", actor="white").exists()
    _lock_resolve_publish(fork, 2)
    fork.refresh_from_db()
    t2 = fork.turns.get(number=2)
    p2.refresh_from_db()
    assert fork.turns.get(number=1).result == p1.result
    mine = {(o["team"], o["action"]) for o in t2.result["input"]["orders"]}
    theirs = {(o["team"], o["action"]) for o in p2.result["input"]["orders"]}
    assert theirs - mine == {("RUS", "M4")}
    assert t2.result["state"] != p2.result["state"]
    assert fork.turns.get(number=3).status == Turn.Status.OPEN  # play goes on

    out = StringIO()
    call_command("replay_check", str(fork.pk), stdout=out)
    assert "OK: 2 published turns" in out.getvalue()
    parent.refresh_from_db()
    assert _snapshot(parent) == before  # the parent is untouched

    # The fork's debrief compared with its parent: both lines on the tension and thesis charts.
    html = white_client.get(f"/f/{fork.pk}/debrief/?compare={parent.pk}").content.decode()
    assert 'data-testid="debrief-comparing"' in html
    rows = _table(html, "chart-tension")
    names = [r[0] for r in rows[1:]]
    assert any("JPN–RUS" in n and "the fork" in n for n in names)
    assert any("JPN–RUS" in n and "as played" in n for n in names)
    header, *body = _table(html, "chart-thesis")
    assert any("the fork" in h for h in header) and any("as played" in h for h in header)
    # ... and the parent's debrief compared with the fork.
    html = white_client.get(f"/f/{parent.pk}/debrief/?compare={fork.pk}").content.decode()
    assert any("the fork" in r[0] for r in _table(html, "chart-tension")[1:])
    # An unrelated exercise is not offered: the comparison is silently off.
    html = white_client.get(f"/f/{fork.pk}/debrief/?compare=999999").content.decode()
    assert 'data-testid="debrief-comparing"' not in html and "Tension, as played" not in html


def test_another_facilitator_can_neither_fork_nor_compare(played, other_facilitator, facilitator):
    fork = services.exercise_fork(exercise=played, by="white", turn_number=2, facilitator=facilitator)
    grey = Client()
    grey.force_login(other_facilitator)
    assert grey.post(f"/f/{played.pk}/fork/", {"turn": "1"}).status_code == 404
    assert grey.post(f"/f/{fork.pk}/fork/order/", {"team": "RUS", "slot": "1", "action": ""}).status_code == 404
    assert grey.get(f"/f/{fork.pk}/debrief/?compare={played.pk}").status_code == 404
    # grey facilitates a fork of their own, but not its parent: comparing with it is refused.
    services.facilitator_add(exercise=fork, user=other_facilitator, by="white")
    assert grey.get(f"/f/{fork.pk}/debrief/?compare={played.pk}").status_code == 404
    assert Exercise.objects.count() == 2


def test_forking_an_unpublished_turn_is_refused_with_a_clear_message(exercise, white_client):
    response = white_client.post(f"/f/{exercise.pk}/fork/", {"turn": "1"}, follow=True)
    assert "Turn 1 is not published" in response.content.decode()
    _play(exercise, turns=1)
    with pytest.raises(services.ServiceError, match=r"Turn 2 is not published: fork at a published turn \(1 to 1\)"):
        services.exercise_fork(exercise=exercise, by="white", turn_number=2, facilitator=exercise.facilitators.get())
    assert Exercise.objects.count() == 1


def test_white_sets_orders_only_on_a_forks_open_turn_n_and_the_engine_checks_them(played, facilitator):
    with pytest.raises(services.ServiceError, match="only on a fork"):
        services.order_set_by_white(exercise=played, by="white", team_code="RUS", slot=1, action="")
    fork = services.exercise_fork(exercise=played, by="white", turn_number=1, facilitator=facilitator)
    with pytest.raises(services.ServiceError):
        services.order_set_by_white(exercise=fork, by="white", team_code="RUS", slot=1, action="NOPE")
    with pytest.raises(services.ServiceError, match="two order slots"):
        services.order_set_by_white(exercise=fork, by="white", team_code="RUS", slot=3, action="")
    services.turn_lock(exercise=fork, by="white")
    with pytest.raises(services.StaleAction):
        services.order_set_by_white(exercise=fork, by="white", team_code="RUS", slot=1, action="")
