"""The exercise archive: export → import → replay_check rebuilds every published state, and a damaged file is
refused with a message naming the problem, writing nothing. CI runs this on PostgreSQL (DATABASE_URL)."""

import copy
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wargame.exercises import archive, services
from wargame.exercises.models import (ArguedAction, CounterArgument, EstimateCard, Event, Exercise, Message, Order,
                                      Player, Team, Turn)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def _player(exercise, name, code):
    p = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{exercise.pk}-{name}")
    return services.player_choose_team(player=p, team_code=code)


def play(exercise):
    """Three turns of a seminar: two published, the third open.

    Turn 1: orders from three teams, Russia's argued action with Japan's counter and cards, negotiation in every
    kind of thread; White scales Japan's patrols and re-rolls a die. Turn 2: White's ad-hoc inject, an order,
    a manual die. Turn 3: an order saved and a message; a player removed.
    """
    jpn, rus, chn = (_player(exercise, n, c) for n, c in (("Aiko", "JPN"), ("Boris", "RUS"), ("Chen", "CHN")))
    extra = _player(exercise, "Dmitri", "RUS")
    for player, action, target in ((jpn, "M2", ""), (chn, "M1", "JPN"), (rus, "D1", "JPN")):
        services.order_save(player=player, turn_number=1, slot=1, action=action, target=target, base_revision=0)
    services.argued_save(player=rus, turn_number=1, action="Offer a joint fisheries patrol",
                         intended="Japan-Russia tension falls", reasons=["Fishers on both sides want calm", "Cheap"],
                         nearest_action="E5", target="JPN", base_revision=0)
    services.counter_post(player=jpn, turn_number=1, argued_team_code="RUS", text="Patrols cover the islands")
    services.card_pick(player=jpn, turn_number=1, argued_team_code="RUS", probability=30)
    services.argued_adjudicate(exercise=exercise, by="white", turn_number=1, team_code="RUS", white_card=70)
    services.message_post(player=jpn, kind="bilateral", recipient_codes=["RUS"], body="Talk about fish?")
    services.message_post(player=rus, kind="bilateral", recipient_codes=["JPN"], body="Yes — 漁業.")
    services.message_post(player=chn, kind="group", recipient_codes=["JPN", "RUS"], body="All three, please.")
    services.message_post(player=chn, kind="public", recipient_codes=[], body="China calls for calm.")
    services.message_broadcast(exercise=exercise, by="white", recipient_codes=["JPN"], body="Ten minutes left.")
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=1)
    services.turn_resolve(turn_id=turn.pk)
    services.turn_override(exercise=exercise, by="white", turn_number=1, event_id="t1:order:JPN:M2", kind="scale",
                           value=1.5, reason="Pedagogy", note="make the point")
    turn.refresh_from_db()
    first = turn.result["draws"][0]
    services.turn_override(exercise=exercise, by="white", turn_number=1, event_id=first["event"], kind="reroll",
                           reason="Pace", draw=first["k"])
    services.turn_publish(exercise=exercise, by="white")

    services.inject_adhoc(exercise=exercise, by="white", turn_number=2, title="Storm", text="A typhoon.",
                          audience="all", effects=[{"var": "D", "of": "JPN", "delta": -2}])
    services.order_save(player=jpn, turn_number=2, slot=1, action="M1", target="CHN", base_revision=0)
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=2)
    services.turn_resolve(turn_id=turn.pk)
    turn.refresh_from_db()
    die = turn.result["draws"][-1]
    services.turn_override(exercise=exercise, by="white", turn_number=2, event_id=die["event"], kind="manual_dice",
                           value=die["result"], reason="Realism", draw=die["k"])
    services.narrative_edit(exercise=exercise, by="white", turn_number=2, team_code="JPN", text="A rough quarter.")
    services.turn_publish(exercise=exercise, by="white")

    services.order_save(player=chn, turn_number=3, slot=1, action="M1", target="JPN", base_revision=0)
    services.message_post(player=jpn, kind="bilateral", recipient_codes=["CHN"], body="Why the buildup?")
    services.player_remove(player=extra, by="white")
    exercise.refresh_from_db()
    return exercise


@pytest.fixture
def played(exercise):
    return play(exercise)


def _counts():
    return {m.__name__: m.objects.count() for m in (Exercise, Team, Player, Turn, Order, ArguedAction,
                                                     CounterArgument, EstimateCard, Message, Event)}


def _round_trip(exercise, owner):
    raw = archive.archive_bytes(archive.build_archive(exercise))
    return archive.import_archive(archive.load_archive(raw), facilitator=owner)


def test_export_import_replay_check_round_trip(played, other_facilitator):
    new = _round_trip(played, other_facilitator)

    out = StringIO()
    call_command("replay_check", new.pk, stdout=out)
    assert "OK: 2 published turns replay to the identical state" in out.getvalue()
    assert new.state == played.state and new.state["turn"] == 2
    assert new.pk != played.pk and new.join_code != played.join_code and new.observer_code != played.observer_code
    assert list(new.facilitators.all()) == [other_facilitator]
    assert (new.name, new.seed, new.adjudication_mode, new.status) == (
        played.name, played.seed, played.adjudication_mode, played.status)
    assert new.import_warnings == []

    old_turns, new_turns = (list(e.turns.order_by("number")) for e in (played, new))
    assert [t.status for t in new_turns] == ["published", "published", "open"]
    for old, fresh in zip(old_turns, new_turns):
        assert (fresh.result, fresh.inputs, fresh.state_before, fresh.opened_at, fresh.published_at) == (
            old.result, old.inputs, old.state_before, old.opened_at, old.published_at)
    assert new_turns[0].inputs["overrides"][1]["kind"] == "reroll"
    assert new_turns[1].result["narratives"]["JPN"] == "A rough quarter."

    def orders(e):
        return list(Order.objects.filter(turn__exercise=e).order_by("turn__number", "team__code").values_list(
            "turn__number", "team__code", "slot", "action", "target", "updated_by__display_name", "updated"))
    assert orders(new) == orders(played) and len(orders(new)) == 5

    [argued] = ArguedAction.objects.filter(turn__exercise=new)
    assert (argued.team.code, argued.nearest_action, argued.reasons) == (
        "RUS", "E5", ["Fishers on both sides want calm", "Cheap"])
    assert [(c.team.code, c.text, c.author.display_name) for c in argued.counters.all()] == [
        ("JPN", "Patrols cover the islands", "Aiko")]
    assert sorted((c.team.code if c.team else "WHITE", c.probability) for c in argued.cards.all()) == [
        ("JPN", 30), ("WHITE", 70)]

    def messages(e):
        return [(m.turn_number, m.kind, m.sender_team.code if m.sender_team else None, m.sender_name, m.body,
                 m.thread, m.created, sorted(t.code for t in m.recipients.all()))
                for m in e.messages.prefetch_related("recipients").select_related("sender_team")]
    assert messages(new) == messages(played) and len(messages(new)) == 6

    players = {p.display_name: p for p in new.players.select_related("team")}
    assert players["Dmitri"].removed_at is not None and players["Aiko"].removed_at is None
    assert players["Aiko"].team.code == "JPN"
    # Nobody's browser session carries over to the copy.
    assert not set(new.players.values_list("session_key", flat=True)) & set(
        played.players.values_list("session_key", flat=True))

    old_log = list(played.events.values_list("turn_number", "kind", "actor", "created"))
    new_log = list(new.events.values_list("turn_number", "kind", "actor", "created"))
    assert new_log[:-1] == old_log and new_log[-1][1] == "exercise_imported"
    sent = new.events.filter(kind="message_sent").first()
    assert new.messages.filter(pk=sent.payload["message"]).exists()  # the log points at the copy's messages


def test_the_copy_exports_to_the_same_archive(played, other_facilitator):
    """Import then export again: the turns, teams and messages come back unchanged."""
    first = archive.build_archive(played)
    second = archive.build_archive(_round_trip(played, other_facilitator))
    for key in ("turns", "teams", "crisis_choices", "scenario"):
        assert second[key] == first[key], key
    strip = [{k: v for k, v in m.items() if k != "id"} for m in first["messages"]]
    assert [{k: v for k, v in m.items() if k != "id"} for m in second["messages"]] == strip
    assert {k: v for k, v in second["exercise"].items() if k not in ("id", "created")} == {
        k: v for k, v in first["exercise"].items() if k not in ("id", "created")}


def test_the_archive_carries_its_format_scenario_and_every_turns_dice(played):
    data = json.loads(archive.archive_bytes(archive.build_archive(played)))
    assert data["format"] == archive.ARCHIVE_FORMAT == 1
    assert data["scenario"]["slug"] == "northern-territories"
    assert "actions:" in data["scenario"]["rules_yaml"] and len(data["scenario"]["rules_sha256"]) == 64
    assert {"format", "exported_at", "app_version", "scenario", "exercise", "teams", "players", "turns", "orders",
            "argued", "crisis_choices", "messages", "events"} <= set(data)
    assert [len(t["result"]["draws"]) > 0 for t in data["turns"][:2]] == [True, True]
    assert data["turns"][2]["result"] is None


def _first(items, pred):
    return next(i for i in items if pred(i))


def _tamper_draw(d):
    draw = _first(d["turns"][0]["result"]["draws"], lambda x: x["result"])
    draw["result"] = [v + 1 if v < 6 else 1 for v in draw["result"]]


def _tamper_state(d):
    d["turns"][0]["result"]["state"]["dyads"]["JPN-RUS"]["T"] += 5


DAMAGE = {
    "not an object": (lambda d: d.clear() or d.update({"format": [1]}), r"^format: expected an integer, got list"),
    "format missing": (lambda d: d.pop("format"), r"missing 'format'.*not an exercise archive"),
    "format as text": (lambda d: d.update(format="1"), r'^format: expected an integer, got string "1"'),
    "format zero": (lambda d: d.update(format=0), r"^format: 0 is not a format version"),
    "newer format": (lambda d: d.update(format=2), r"^format: this archive is format 2, newer than this "
                                                   r"installation reads \(format 1\)"),
    "not our archive": (lambda d: d.update(archive="some other app"), r"^archive: .* not an exercise archive"),
    "result without state": (lambda d: d["turns"][1]["result"].pop("state"), r"^turns\[1\]\.result: missing 'state'"),
    "exercise without seed": (lambda d: d["exercise"].pop("seed"), r"^exercise: missing 'seed'"),
    "seed as text": (lambda d: d["exercise"].update(seed="7"), r"^exercise\.seed: expected an integer"),
    "no turns key": (lambda d: d.pop("turns"), r"^the archive: missing 'turns'"),
    "turn gap": (lambda d: d["turns"][1].update(number=3), r"^turns\[1\]\.number: expected turn 2 .* got 3"),
    "bad status": (lambda d: d["turns"][0].update(status="done"), r"^turns\[0\]\.status: \"done\" is not one of"),
    "published after open": (lambda d: d["turns"][2].update(status="published", result=d["turns"][1]["result"]),
                             r"^turns\[2\]\.result\.turn: the result is for turn 2, not 3"),
    "tampered draws": (_tamper_draw, r"^turns\[0\]\.result: turn 1 does not replay with its recorded inputs and "
                                     r"dice: turn 1: draw \d+ differs from the log"),
    "tampered state": (_tamper_state, r"^turns\[0\]\.result\.state: is not the state its inputs and dice give"),
    "tampered exercise state": (lambda d: d["exercise"].update(state=d["turns"][0]["result"]["state"]),
                                r"^exercise\.state: is not the state of the last published turn"),
    "unknown scenario": (lambda d: d["scenario"].update(slug="atlantis"),
                         r'^scenario\.slug: "atlantis" is not a scenario on this installation \(known: '),
    "other rules": (lambda d: d["scenario"].update(rules_sha256="0" * 64, rules_yaml=None),
                    r"^scenario\.rules_sha256: the exercise was played under other rules for 'northern-territories'"),
    "rules text edited": (lambda d: d["scenario"].update(rules_yaml="turns: 9\n"),
                          r"^scenario\.rules_yaml: does not match scenario\.rules_sha256"),
    "unknown team in orders": (lambda d: d["orders"][0].update(team="USA"),
                               r'^orders\[0\]\.team: team "USA" is not among the archive\'s teams \(CHN, JPN, RUS\)'),
    "team not in scenario": (lambda d: d["teams"][0].update(code="ZZZ"), r'^teams\[0\]\.code: "ZZZ" is not a team'),
    "unknown recipient": (lambda d: d["messages"][0]["recipients"].append("KOR"),
                          r'^messages\[0\]\.recipients\[1\]: team "KOR" is not among'),
    "unknown player": (lambda d: d["orders"][0].update(updated_by=999999),
                       r"^orders\[0\]\.updated_by: player 999999 is not among the archive's players"),
    "order for a missing turn": (lambda d: d["orders"][0].update(turn=9),
                                 r"^orders\[0\]\.turn: turn 9 is not among the archive's turns"),
    "bad date": (lambda d: d["messages"][0].update(created="yesterday"),
                 r'^messages\[0\]\.created: "yesterday" is not a date and time'),
    "name too long": (lambda d: d["exercise"].update(name="x" * 201),
                      r"^exercise\.name: at most 200 characters, got 201"),
    "counter by unknown team": (lambda d: d["argued"][0]["counters"][0].update(team="KOR"),
                                r"^argued\[0\]\.counters\[0\]\.team: team \"KOR\""),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_archive_is_refused_naming_the_problem_and_nothing_is_written(played, other_facilitator, case):
    damage, message = DAMAGE[case]
    data = copy.deepcopy(archive.build_archive(played))
    damage(data)
    data = json.loads(json.dumps(data))  # as read from a file
    before = _counts()
    with pytest.raises(archive.ArchiveError, match=message):
        archive.import_archive(data, facilitator=other_facilitator)
    assert _counts() == before


@pytest.mark.parametrize("raw,message", [
    (b"", "the file is empty"),
    (b"[1, 2]", "holds a JSON list, not an exercise archive"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"format": 1, "turns": [', r"not valid JSON \(line 1, column \d+: .*\); it looks truncated"),
])
def test_a_file_that_is_not_an_archive_is_refused(raw, message):
    with pytest.raises(archive.ArchiveError, match=message):
        archive.load_archive(raw)


def test_a_truncated_export_is_refused_and_writes_nothing(played, other_facilitator):
    raw = archive.archive_bytes(archive.build_archive(played))
    before = _counts()
    with pytest.raises(archive.ArchiveError, match="looks truncated"):
        archive.import_archive(archive.load_archive(raw[: len(raw) * 2 // 3]), facilitator=other_facilitator)
    assert _counts() == before


def test_other_scenario_texts_import_with_a_warning(played, other_facilitator):
    data = archive.build_archive(played)
    data["scenario"]["text_sha256"] = "f" * 64
    new = archive.import_archive(data, facilitator=other_facilitator)
    assert len(new.import_warnings) == 1 and "texts" in new.import_warnings[0]
    assert new.events.get(kind="exercise_imported").payload["warnings"] == new.import_warnings


def test_a_failure_while_writing_rolls_everything_back(played, other_facilitator, monkeypatch):
    """A database error after the checks (here: the events' insert) leaves no half-imported exercise."""
    data = archive.build_archive(played)
    before = _counts()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(Event.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        archive.import_archive(data, facilitator=other_facilitator)
    assert _counts() == before


def test_the_commands_export_and_import_a_file(played, other_facilitator, tmp_path):
    path = tmp_path / "seminar.json"
    out = StringIO()
    call_command("exercise_export", played.pk, out=str(path), stdout=out)
    assert f"Wrote {path}" in out.getvalue() and path.stat().st_size > 1000
    out = StringIO()
    call_command("exercise_import", str(path), facilitator="grey", stdout=out)
    new = Exercise.objects.exclude(pk=played.pk).get()
    assert f"Imported exercise {new.pk}" in out.getvalue() and f"join code {new.join_code}" in out.getvalue()
    assert list(new.facilitators.all()) == [other_facilitator]
    check = StringIO()
    call_command("replay_check", new.pk, stdout=check)
    assert check.getvalue().startswith("OK: 2 published turns")


def test_the_import_command_refuses_a_bad_file_with_the_reason(played, other_facilitator, tmp_path):
    data = archive.build_archive(played)
    data["format"] = 7
    path = tmp_path / "newer.json"
    path.write_bytes(archive.archive_bytes(data))
    before = _counts()
    with pytest.raises(CommandError, match=r"newer.json was not imported: format: this archive is format 7"):
        call_command("exercise_import", str(path), facilitator="grey")
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        call_command("exercise_import", str(path), facilitator="nobody")
    assert _counts() == before
    with pytest.raises(CommandError, match="There is no exercise 999999"):
        call_command("exercise_export", 999999)


def test_the_import_command_exits_non_zero_on_a_damaged_file(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('{"format": 1, "scenario": {"slug": "northern-terr')
    run = subprocess.run([sys.executable, "manage.py", "exercise_import", str(path), "--facilitator", "white"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "cut.json was not imported: the file is not valid JSON" in run.stderr and "truncated" in run.stderr
