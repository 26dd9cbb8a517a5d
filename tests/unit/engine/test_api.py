"""The engine's small public API that the app asks instead of re-deriving rules: event ids and audiences,
the estimative median, bilateral agreement, unlock reasons, the MSEL's statuses, the variable names."""
import pytest

from wargame import engine
from wargame.engine import Order, parse_event_id, resolve_turn

from .helpers import NT, calm, scen


@pytest.mark.parametrize("text, parts", [
    ("t1:order:JPN:M2", (1, "order", "JPN:M2")),
    ("t12:incident:CHN-JPN", (12, "incident", "CHN-JPN")),
    ("t3:end", (3, "end", "")),
    ("t2:inject:NT3:skipped", (2, "inject", "NT3:skipped")),
])
def test_event_ids_parse_into_turn_kind_and_subject_and_back(text, parts):
    parsed = parse_event_id(text)
    assert (parsed.turn, parsed.kind, parsed.subject) == parts
    assert str(parsed) == text


@pytest.mark.parametrize("text", ["", "order", "x1:order:JPN", "t:order", "tone:order", "t1:"])
def test_what_is_not_an_event_id_parses_to_none(text):
    assert parse_event_id(text) is None


def test_a_dyad_subject_has_a_pair_and_others_do_not():
    assert parse_event_id("t1:incident:CHN-JPN").pair == ("CHN", "JPN")
    assert parse_event_id("t1:order:JPN:M2").pair is None
    assert parse_event_id("t1:order:JPN+RUS:D1").pair is None


def test_every_event_a_turn_records_has_an_id_the_app_can_parse():
    sc = scen(NT)
    result = resolve_turn(sc, sc.initial_state(), [Order("JPN", "M2"), Order("RUS", "M1")], seed=4)
    for event in result.to_dict()["events"]:
        parsed = parse_event_id(event["id"])
        assert parsed is not None and parsed.turn == 1, event["id"]


@pytest.mark.parametrize("audience, code, seen", [
    ("all", "JPN", True), ("white", "JPN", False), (["JPN", "USA"], "JPN", True), (["RUS"], "JPN", False),
    (("JPN",), "JPN", True), (None, "JPN", False),
])
def test_who_reads_an_event(audience, code, seen):
    event = {"id": "t1:x", "audience": audience} if audience is not None else {"id": "t1:x"}
    assert engine.visible_to(event, code) is seen


def test_the_estimative_median_is_what_the_d100_is_rolled_against():
    assert engine.card_median([]) is None
    assert engine.card_median([10, 70, 90]) == 70.0
    assert engine.card_median([30, 50]) == 40.0
    assert engine.card_median(iter([100])) == 100.0


def test_a_bilateral_action_is_agreed_only_when_both_sides_order_it_at_each_other():
    sc = scen(NT)
    orders = [Order("JPN", "D1", "RUS"), Order("RUS", "D1", "JPN"), Order("CHN", "D2", "RUS"),
              Order("RUS", "D3", "CHN"), Order("JPN", "M2")]
    rus = engine.bilateral_status(sc, orders, "RUS")
    assert [(p.action, p.other, p.incoming, p.agreed) for p in rus] == [
        ("D1", "JPN", True, True), ("D2", "CHN", True, False), ("D3", "CHN", False, False)]
    jpn = engine.bilateral_status(sc, orders, "JPN")  # the agreed D1 shows once, as Russia's proposal
    assert [(p.action, p.other, p.incoming, p.agreed) for p in jpn] == [("D1", "RUS", True, True)]
    assert engine.bilateral_status(sc, orders, "KOR") == []


def test_an_action_waiting_for_its_inject_says_so_by_code():
    sc = scen(NT)
    # E2 waits for NT5 (turn 2); D1's NT3 now fires in turn 1, before orders are checked
    reasons = {spec.key: why for spec, ok, why in engine.available_actions(sc, calm(sc), "JPN") if not ok}
    assert reasons["E2"].code == engine.NOT_UNLOCKED and str(reasons["E2"]) == "not yet unlocked"
    after = {spec.key: why for spec, ok, why in engine.available_actions(sc, calm(sc, unlock=("E2",)), "JPN")}
    assert after["E2"] == "" or after["E2"].code != engine.NOT_UNLOCKED


def test_a_refusal_survives_a_pickle_round_trip_with_its_code():
    import pickle

    why = engine.Refusal("over RP budget (9 > 4)", engine.OVER_BUDGET)
    back = pickle.loads(pickle.dumps(why))
    assert (back, back.code) == ("over RP budget (9 > 4)", engine.OVER_BUDGET)


def test_the_msel_moves_from_scheduled_to_proposed_to_fired():
    sc = scen(NT)
    before = {s.inject.id: s for s in engine.msel_status(sc, [], {})}
    assert before["NT1"].status == "scheduled" and before["NT1"].turn == 1
    assert before["NT7"].status == "waiting"  # fires on a condition, not a turn
    result = resolve_turn(sc, sc.initial_state(), [], seed=2).to_dict()
    in_review = engine.ResolvedTurn(1, False, tuple(result["events"]), {})
    during = {s.inject.id: s for s in engine.msel_status(sc, [in_review], {"skip": ["NT4"], "fire_now": ["NT8"]})}
    assert (during["NT1"].status, during["NT1"].turn) == ("proposed", 1)
    assert during["NT4"].status == "skipped" and during["NT8"].status == "queued"
    published = engine.ResolvedTurn(1, True, tuple(result["events"]), {})
    assert {s.inject.id: s.status for s in engine.msel_status(sc, [published], {})}["NT1"] == "fired"


def test_injects_announced_to_a_team_follow_the_schedule_and_the_audience():
    sc = scen(NT)
    adhoc = {"id": "adhoc-1", "title": "Leak", "text": "A cable", "audience": ["JPN"], "effects": []}
    inputs = {"skip": ["NT2"], "fire_now": ["NT8"], "injects": [adhoc]}
    jpn = [r["id"] for r in engine.injects_announced(sc, 1, inputs, "JPN")]
    rus = [r["id"] for r in engine.injects_announced(sc, 1, inputs, "RUS")]
    assert jpn == ["NT1", "NT3", "NT8", "adhoc-1"] and rus == ["NT1", "NT3", "NT8"]


def test_the_variables_white_may_name_are_the_dyad_and_actor_ones():
    from wargame.engine.state import ACTOR_VARS, DYAD_VARS

    assert set(engine.VARIABLES) == set(DYAD_VARS) | set(ACTOR_VARS)
    assert len(engine.VARIABLES) == len(set(engine.VARIABLES))


def test_every_adjudication_setting_maps_to_an_engine_mode():
    assert set(engine.ARGUED_MODE_FOR_SETTING.values()) == set(engine.ARGUED_MODES)
