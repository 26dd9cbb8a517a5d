"""Rule table: the Sea of Okhotsk as its own game — hidden submarines, detection, straits, barriers and ice.

Every rule here is switched on by the scenario (`subs:`, `straits:`, `transits:`, `ice:`); Northern Territories
has none of them and behaves as before.
"""
import copy
import json

import pytest
import yaml

from wargame.engine import (ICE, GameState, Order, Override, available_actions, hidden_positions, ice_closed,
                            ice_zones, own_contacts, perceive, public_presence, quarter, resolve_turn)
from wargame.engine.orders import check_orders, order_problem
from wargame.scenarios import ScenarioError, load_scenario_file
from wargame.scenarios.loader import HERE

from .helpers import NT, SO, all_inject_ids, calm, scen

DET = "t1:detection:JPN:RUS"


def run(sc, st, orders, *, overrides=(), seed=3):
    return resolve_turn(sc, st, orders, seed=seed, skip_injects=all_inject_ids(sc), overrides=overrides)


def events(res, kind):
    return [e for e in res.events if e["kind"] == kind]


def hunt(st=None, die=None, extra=()):
    """JPN hunts the bastion (H1 and M2: chance 0.3 + (68 − 72)/100 + 0.1 = 36%); RUS's SSBN stays there."""
    sc = scen(SO)
    st = st or calm(sc)
    overrides = [Override(DET.replace("t1", f"t{st.turn + 1}"), "manual_dice", die, draw=0)] if die else []
    orders = [Order("JPN", "H1", "okhotsk"), Order("JPN", "M2"), Order("RUS", "S1", "okhotsk"), *extra]
    return run(sc, st, orders, overrides=overrides)


# ------------------------------------------------------------------ hidden placement


def test_placement_is_secret_and_recorded_in_state_hidden():
    """S1 puts Russia's SSBN in a zone: state.hidden, one "sub_placed" event to Russia only, nothing public."""
    sc = scen(SO)
    st = calm(sc)
    assert st.hidden == {"RUS": ["okhotsk"]}  # subs.start
    res = run(sc, st, [Order("RUS", "S1", "okhotsk_north")])
    assert res.state.hidden == {"RUS": ["okhotsk_north"]}
    placed = events(res, "sub_placed")
    assert len(placed) == 1 and placed[0]["audience"] == ["RUS"] and placed[0]["zone"] == "okhotsk_north"
    assert placed[0]["id"] == "t1:order:RUS:S1"
    assert not any("S1" in e["text"] or "okhotsk_north" in e["text"] for e in res.events if e["audience"] != ["RUS"])
    assert "okhotsk_north" not in res.narratives["JPN"] and "S1" not in res.narratives["CHN"]
    assert not res.headlines or all("S1" not in h for h in res.headlines)
    assert all("RUS" not in res.state.presence.get("okhotsk_north", {}) for _ in [0])
    assert res.state.presence == run(sc, st, []).state.presence  # no change anyone could see


def test_a_team_that_places_nothing_keeps_its_last_zone():
    sc = scen(SO)
    first = run(sc, calm(sc), [Order("RUS", "S1", "nw_pacific"), Order("CHN", "S2", "sea_of_japan")])
    second = run(sc, first.state, [Order("CHN", "S2", "korea_strait")])
    assert second.state.hidden == {"CHN": ["korea_strait"], "RUS": ["nw_pacific"]}


def test_hidden_subs_never_leak_into_perception_or_the_public_picture():
    """perceive() shows a team its own submarine and its own contacts only; public_presence never a submarine."""
    sc = scen(SO)
    st = calm(sc)
    a = run(sc, st, [Order("RUS", "S1", "okhotsk_north"), Order("CHN", "S2", "sea_of_japan")])
    b = run(sc, st, [Order("RUS", "S1", "nw_pacific"), Order("CHN", "S2", "korea_strait")])
    for viewer in ("JPN", "USA", "KOR"):
        assert perceive(sc, a.state, viewer, seed=1) == perceive(sc, b.state, viewer, seed=1)
    assert perceive(sc, a.state, "RUS", seed=1)["hidden"] == ["okhotsk_north"]
    assert perceive(sc, a.state, "CHN", seed=1)["hidden"] == ["sea_of_japan"]
    assert "okhotsk_north" not in json.dumps(perceive(sc, a.state, "CHN", seed=1)["hidden"])
    assert hidden_positions(a.state, "JPN") == [] and hidden_positions(a.state, "RUS") == ["okhotsk_north"]
    public = [e for e in a.events if e["audience"] == "all"]
    assert public_presence(sc, public) == public_presence(sc, [e for e in b.events if e["audience"] == "all"])
    assert all("RUS" not in z or z["RUS"] == sc.initial_state().presence.get(name, {}).get("RUS")
               for name, z in public_presence(sc, public).items())
    # contacts: a detection shows on the hunter's picture only
    found = hunt(die=1)
    assert perceive(sc, found.state, "JPN", seed=1)["contacts"] == [{"zone": "okhotsk", "turn": 1, "hunted": "RUS"}]
    assert perceive(sc, found.state, "RUS", seed=1)["contacts"] == [] == own_contacts(found.state, "CHN")


# ------------------------------------------------------------------ detection


def test_detection_hit_tells_the_hunter_and_the_hunted_and_moves_bs_and_t_as_events():
    res = hunt(die=30)  # 30 ≤ 36: a hit, not by the reveal margin (≤ 11)
    ctrl = hunt(die=100)
    det, = events(res, "detection")
    assert det["id"] == DET and det["audience"] == ["JPN"]
    assert (det["zone"], det["hunter"], det["hunted"], det["chance"], det["trail"]) == ("okhotsk", "JPN", "RUS",
                                                                                        0.36, False)
    found, = events(res, "found")
    assert found["audience"] == ["RUS"] and found["zone"] == "okhotsk" and "by" not in found
    assert res.state.actors["RUS"].vars["BS"] - ctrl.state.actors["RUS"].vars["BS"] == pytest.approx(-3)
    events_part = res.attribution["JPN-RUS"]["events"] - ctrl.attribution["JPN-RUS"]["events"]
    assert events_part == pytest.approx(1.5)
    assert res.state.contacts == {"JPN": [{"zone": "okhotsk", "turn": 1, "hunted": "RUS"}]}
    assert res.state.tally["detections:JPN"] == 1 and res.state.tally["detected:RUS"] == 1


def test_detection_draw_is_recorded_with_its_chance_and_can_be_rerolled():
    res = hunt()
    draw, = [d for d in res.draws if d["event"] == DET]
    assert draw["chance"] == 0.36 and draw["target"] == 36.0 and draw["kind"] == "1d100"
    again = hunt(extra=())  # same seed: same roll
    assert [d["result"] for d in again.draws if d["event"] == DET] == [draw["result"]]
    sc = scen(SO)
    rerolled = run(sc, calm(sc), [Order("JPN", "H1", "okhotsk"), Order("JPN", "M2"), Order("RUS", "S1", "okhotsk")],
                   overrides=[Override(DET, "reroll", 1)])
    assert [d["salt"] for d in rerolled.draws if d["event"] == DET] == [1]


def test_detection_miss_tells_the_hunted_nothing():
    res = hunt(die=100)
    assert not events(res, "detection") and not events(res, "found")
    miss, = events(res, "detection_miss")
    assert miss["id"] == DET and miss["audience"] == "white" and miss["chance"] == 0.36
    none, = events(res, "no_contact")
    assert none["audience"] == ["JPN"] and none["zone"] == "okhotsk"
    assert not [e for e in res.events if isinstance(e["audience"], list) and "RUS" in e["audience"]
                and e["kind"] != "sub_placed"]
    assert res.state.contacts == {}


def test_no_contact_is_told_whether_or_not_a_submarine_was_there():
    """An empty sea and a missed submarine read the same to the hunter: no draw leaks through its events."""
    sc = scen(SO)
    res = run(sc, calm(sc), [Order("JPN", "H1", "sea_of_japan")])
    assert [e["kind"] for e in res.events if e["audience"] == ["JPN"]] == ["no_contact"]
    assert not [d for d in res.draws if d["phase"] == "detection"]


def test_a_reveal_needs_the_margin():
    """The hunted learns who found it only when d100 ≤ chance − reveal_margin (36 − 25 = 11)."""
    found, = events(hunt(die=11), "found")
    assert found["by"] == "JPN"
    found, = events(hunt(die=12), "found")
    assert "by" not in found


def test_a_trail_held_for_two_turns_is_worth_more():
    first = hunt(die=1)
    second = hunt(first.state, die=1)
    ctrl = hunt(first.state, die=100)
    det, = events(second, "detection")
    assert det["trail"] is True and "trail" in det["text"]
    assert second.state.actors["RUS"].vars["BS"] - ctrl.state.actors["RUS"].vars["BS"] == pytest.approx(-6)
    assert second.attribution["JPN-RUS"]["events"] - ctrl.attribution["JPN-RUS"]["events"] == pytest.approx(3)
    assert second.state.tally["trails:JPN"] == 1
    # a gap of a turn breaks the trail
    gap = hunt(hunt(first.state, die=100).state, die=1)
    assert events(gap, "detection")[0]["trail"] is False


def test_chance_follows_asw_against_quieting_within_bounds():
    sc = scen(SO)
    st = calm(sc)
    st.actors["JPN"].vars["ASW"] = 100
    res = run(sc, st, [Order("JPN", "H1", "okhotsk"), Order("RUS", "S1", "okhotsk")])
    assert [d["chance"] for d in res.draws if d["event"] == DET] == [0.58]  # 0.3 + 0.28
    st.actors["JPN"].vars["ASW"] = 0
    res = run(sc, st, [Order("JPN", "H1", "okhotsk"), Order("RUS", "S1", "okhotsk")])
    assert [d["chance"] for d in res.draws if d["event"] == DET] == [0.05]  # the floor


def test_northern_territories_has_no_hidden_submarines():
    sc = scen(NT)
    st = calm(sc)
    assert st.hidden == {} and ice_zones(sc, 3) == ()
    res = run(sc, st, [Order("JPN", "M2")])
    assert not [e for e in res.events if e["kind"] in ("detection", "no_contact", "detection_miss", "ice")]
    assert res.state.hidden == {} and res.state.contacts == {}


# ------------------------------------------------------------------ straits and barriers


def test_transit_through_a_watched_strait_is_seen():
    sc = scen(SO)
    st = calm(sc)
    st.presence["soya"] = {"JPN": 1}
    res = run(sc, st, [Order("CHN", "M7", "soya")])
    seen, = events(res, "transit")
    assert seen["id"] == "t1:transit:CHN:soya" and seen["seen"] is True
    assert seen["seen_by"] == ["JPN"] and seen["audience"] == ["CHN", "JPN"]
    action, = [e for e in events(res, "action") if e["action"] == "M7"]
    assert action["audience"] == "all"


def test_transit_nobody_watches_is_unobserved():
    sc = scen(SO)
    res = run(sc, calm(sc), [Order("CHN", "M7", "soya")])
    seen, = events(res, "transit")
    assert seen["seen"] is False and seen["audience"] == ["CHN"]
    action, = [e for e in events(res, "action") if e["action"] == "M7"]
    assert action["audience"] == ["CHN"] and "unobserved" in action["text"]
    assert res.state.tally["transits:CHN"] == 1


def test_shadowing_the_transiting_team_watches_the_strait():
    sc = scen(SO)
    res = run(sc, calm(sc), [Order("CHN", "M7", "tsugaru"), Order("KOR", "M9", "CHN")])
    assert events(res, "transit")[0]["seen_by"] == ["KOR"]


def test_barrier_blocked_transit_costs_access_and_raises_tension():
    sc = scen(SO)
    st = calm(sc)
    orders = [Order("JPN", "M11", "soya"), Order("CHN", "M7", "soya")]
    event_id = "t1:barrier:JPN:CHN"
    blocked = run(sc, st, orders, overrides=[Override(event_id, "manual_dice", 1)])
    passed = run(sc, st, orders, overrides=[Override(event_id, "manual_dice", 100)])
    b, = events(blocked, "transit_blocked")
    assert b["id"] == event_id and b["audience"] == "all" and b["blocked"] is True and 0 < b["chance"] < 1
    assert not [e for e in events(blocked, "action") if e["action"] == "M7"]  # turned back: no transit
    ax = blocked.state.actors["CHN"].vars["AX"] - passed.state.actors["CHN"].vars["AX"]
    assert ax == pytest.approx(-4 - 5)  # the barrier's −4 and the transit's +5 that did not happen
    assert blocked.attribution["CHN-JPN"]["events"] == pytest.approx(4)
    assert blocked.state.tally["blocked:CHN"] == 1 and "transits:CHN" not in blocked.state.tally
    p, = events(passed, "transit_passed")
    assert p["audience"] == ["CHN", "JPN"] and not events(passed, "transit_blocked")
    assert [e for e in events(passed, "action") if e["action"] == "M7"]
    assert events(passed, "transit")[0]["seen_by"] == ["JPN"]  # a barrier watches its strait
    draw, = [d for d in passed.draws if d["event"] == event_id]
    assert draw["chance"] == b["chance"]


def test_a_barrier_elsewhere_does_not_roll():
    sc = scen(SO)
    res = run(sc, calm(sc), [Order("JPN", "M11", "tsugaru"), Order("CHN", "M7", "soya")])
    assert not events(res, "transit_blocked") and not events(res, "transit_passed")


# ------------------------------------------------------------------ seasons and ice


def test_quarters_and_ice_zones():
    sc = scen(SO)
    assert [quarter(sc, t) for t in range(1, 9)] == [3, 4, 1, 2, 3, 4, 1, 2]
    assert ice_zones(sc, 3) == ice_zones(sc, 7) == ("okhotsk_north",) and ice_zones(sc, 4) == ()
    assert ice_closed(sc, "H1", 3) == ("okhotsk_north",) and ice_closed(sc, "S1", 3) == ()


def test_ice_refuses_surface_orders_into_the_iced_zone():
    sc = scen(SO)
    st = calm(sc)
    st.turn = 2  # the next turn is 3: Q1 2017
    why = order_problem(sc, st, "CHN", Order("CHN", "M7", "okhotsk_north"))
    assert why.code == ICE and "ice closes okhotsk_north" in why
    assert order_problem(sc, st, "CHN", Order("CHN", "M7", "okhotsk")) is None
    assert order_problem(sc, st, "RUS", Order("RUS", "S1", "okhotsk_north")) is None  # submarines go under
    assert any("ice" in p for p in check_orders(sc, st, "JPN", [Order("JPN", "H1", "okhotsk_north")]))
    usable = {spec.key: ok for spec, ok, _ in available_actions(sc, st, "JPN")}
    assert usable["H1"] is True  # other zones stay open
    st.turn = 1
    assert order_problem(sc, st, "CHN", Order("CHN", "M7", "okhotsk_north")) is None


def test_ice_refusal_when_every_zone_is_iced(tmp_path):
    rules = yaml.safe_load(open(f"{HERE}/sea-of-okhotsk.yaml", encoding="utf-8"))
    rules["ice"]["zones"] = list(rules["actions"]["H1"]["zones"])
    p = tmp_path / "sea-of-okhotsk.yaml"
    p.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    sc = load_scenario_file(str(p))
    st = sc.initial_state()
    st.turn = 2
    row, = [(ok, why) for spec, ok, why in available_actions(sc, st, "JPN") if spec.key == "H1"]
    assert row[0] is False and row[1].code == ICE


def test_ice_raises_bastion_security_for_the_quarter():
    sc = scen(SO)
    st = calm(sc)
    st.turn = 2
    res = run(sc, st, [])
    ice, = events(res, "ice")
    assert ice["id"] == "t3:ice" and ice["audience"] == "all" and ice["zones"] == ["okhotsk_north"]
    assert res.state.actors["RUS"].vars["BS"] == pytest.approx(st.actors["RUS"].vars["BS"] + 4)
    after = run(sc, res.state, [])
    assert after.state.actors["RUS"].vars["BS"] == pytest.approx(st.actors["RUS"].vars["BS"])  # the thaw
    assert not events(after, "ice")
    # the refused order does not happen
    res = run(sc, st, [Order("CHN", "M7", "okhotsk_north")])
    refused, = events(res, "not_carried_out")
    assert "ice" in refused["reason"]


# ------------------------------------------------------------------ state and validation


def test_state_round_trips_hidden_contacts_and_tally():
    res = hunt(die=1)
    d = res.state.to_dict()
    assert d["hidden"] == {"RUS": ["okhotsk"]} and d["contacts"]["JPN"][0]["hunted"] == "RUS"
    assert GameState.from_dict(json.loads(json.dumps(d))).to_dict() == d
    assert GameState.from_dict({k: v for k, v in d.items() if k not in ("hidden", "contacts", "tally")}).hidden == {}


def _problems(tmp_path, change):
    rules = yaml.safe_load(open(f"{HERE}/sea-of-okhotsk.yaml", encoding="utf-8"))
    change(rules)
    p = tmp_path / "sea-of-okhotsk.yaml"
    p.write_text(yaml.safe_dump(copy.deepcopy(rules), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as ei:
        load_scenario_file(str(p))
    return "\n".join(ei.value.problems)


@pytest.mark.parametrize("change, expected", [
    (lambda r: r["subs"]["quieting"].update(RUS=140), "subs.quieting.RUS: expected a number 0-100"),
    (lambda r: r["subs"]["detection"].update(base=2), "subs.detection.base: expected a probability 0-1"),
    (lambda r: r["subs"].update(start={"KOR": ["okhotsk"]}), "subs.start.KOR: a team with no quieting"),
    (lambda r: r.update(straits=["atlantis"]), "straits: expected a list of this scenario's zones"),
    (lambda r: r["ice"].update(quarters=[5]), "ice.quarters: expected a list of quarters 1-4"),
    (lambda r: r["ice"].update(zones=["atlantis"]), "ice.zones: expected a list of this scenario's zones"),
    (lambda r: r["transits"].update(watch=["Z9"]), "transits.watch: expected a list of this scenario's action"),
    (lambda r: r["actions"]["S1"].update(hidden=False), "actions.S1.hidden: a submarine placement must be hidden"),
    (lambda r: r["actions"]["H1"].pop("zones"), "actions.H1.surface: a surface action the ice can refuse needs"),
    (lambda r: r.pop("subs"), "actions.S1: submarine placements and hunts need a subs: section"),
    (lambda r: r["subs"].update(contact={"BS": "lots"}), "subs.contact.BS: expected a number"),
])
def test_validator_checks_the_sea_fields(tmp_path, change, expected):
    assert expected in _problems(tmp_path, change)
