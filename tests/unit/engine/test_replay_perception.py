"""Replay and forking (§8), fog of war (§4.9), objectives and the calendar (§9)."""
import json

import pytest

from wargame.engine import (ArguedOrder, GameState, InjectInput, Override, check_orders, game_date,
                            objectives_status, perceive, resolve_turn)
from wargame.engine.replay import ReplayError, replay, replay_results

from .helpers import NT, SO, O, scen


@pytest.fixture(scope="module")
def nt():
    return scen(NT)


def scripted(sc):
    """Four turns with argued actions, an ad-hoc inject and overrides of every kind."""
    st = sc.initial_state()
    log = []
    plan = [
        dict(orders=[O("JPN", "M1", "CHN"), O("RUS", "M3"), ArguedOrder("CHN", "Flotilla", probability=60,
                                                                          nearest_action="M7")],
             overrides=[Override("t1:order:RUS:M3", "scale", 0.5, "Pedagogy", "keep it calm")],
             argued_mode="umpire"),
        dict(orders=[O("JPN", "D1", "RUS"), O("RUS", "D1", "JPN"), O("JPN", "D6", "RUS")],
             injects=[InjectInput("W1", "PRK test", "A missile test.", "all",
                                  ({"var": "T", "dyad": ["JPN", "PRK"], "delta": 6},))],
             overrides=[Override("t2:order:JPN:D6", "manual_dice", 3, "Pace")]),
        dict(orders=[O("JPN", "D6", "RUS")], overrides=[Override("t3:order:JPN:D6", "reroll", 2, "Error")],
             skip_injects={"NT4"}),
        dict(orders=[O("CHN", "M5"), O("RUS", "M5")], fire_now={"NT10"}),
    ]
    for kw in plan:
        orders = kw.pop("orders")
        res = resolve_turn(sc, st, orders, seed=42, **kw)
        log.append(res.log_entry)
        st = res.state
    return log, st


def test_replay_reproduces_every_input_kind(nt):
    """The exercise is its event log: replaying four turns with argued actions, an ad-hoc inject, a scale
    override, manual dice, a re-roll, a skipped and an early inject gives the identical state."""
    log, final = scripted(nt)
    log = json.loads(json.dumps(log))
    assert replay(nt, log) == final
    assert json.dumps(replay(nt, log).to_dict()) == json.dumps(final.to_dict())


def test_replay_detects_tampering(nt):
    """A log whose recorded dice differ from what the engine rolls is refused, naming the turn and draw."""
    log, _ = scripted(nt)
    log = json.loads(json.dumps(log))
    log[0]["draws"][0]["result"] = [99]
    with pytest.raises(ReplayError, match="turn 1: draw 0"):
        replay(nt, log)
    assert replay(nt, log, verify=False)


def test_fork_what_if(nt):
    """'What if Russia had not fortified the islands?' — replay the log with turn 1's M3 removed: a different
    history, and Russia keeps KM 2."""
    log, final = scripted(nt)
    fork = json.loads(json.dumps(log))
    fork[0]["orders"] = [o for o in fork[0]["orders"] if o.get("action") != "M3"]
    fork[0]["overrides"] = []
    results = replay_results(nt, fork, verify=False)
    assert results[-1].state != final
    assert results[0].state.actors["RUS"].vars["KM"] == 2


def test_state_round_trip(nt):
    """A state survives to_dict → JSON → from_dict unchanged, mid-game with flags, mods and pending effects."""
    _, final = scripted(nt)
    assert GameState.from_dict(json.loads(json.dumps(final.to_dict()))) == final


def test_fog_of_war(nt):
    """Japan sees its own state exactly. Russia's N and ASW and task groups come with noise of at most
    ±(100 − C)/10 = ±6.5 (C 35), marked as estimates, the same every time for a given seed; USA (C 85) is seen
    with ±1.5."""
    st = nt.initial_state()
    v1 = perceive(nt, st, "JPN", seed=5)
    assert v1 == perceive(nt, st, "JPN", seed=5)
    assert v1["own"]["vars"] == st.actors["JPN"].vars
    assert v1["dyads"]["JPN-RUS"]["T"] == 35 and v1["dyads"]["CHN-RUS"].keys() == {"rung", "band", "estimate"}
    for seed in range(30):
        v = perceive(nt, st, "JPN", seed=seed)
        r = v["actors"]["RUS"]["N"]
        assert r["estimate"] is True and r["noise"] == 6.5 and abs(r["value"] - 45) <= 7
        assert abs(v["actors"]["USA"]["ASW"]["value"] - 80) <= 2
        assert "BS" not in v["actors"]["RUS"]
        assert v["presence"]["okhotsk"].get("RUS", {"value": 2})["value"] in (1, 2, 3)
    values = {perceive(nt, st, "JPN", seed=s)["actors"]["RUS"]["N"]["value"] for s in range(30)}
    assert len(values) > 3


def test_objectives(nt):
    """At baseline Japan meets JPN1 (T 35 < 40 with N 60) and JPN3 but not JPN2 (IL 38 < 50); Russia meets RUS1
    (BS 60) but neither RUS2 (E 30) nor RUS3 (C(JPN,USA) 85, not below 80)."""
    st = nt.initial_state()
    assert [(o.id, ok) for o, ok in objectives_status(nt, st, "JPN")] == [("JPN1", True), ("JPN2", False),
                                                                           ("JPN3", True)]
    assert [(o.id, ok) for o, ok in objectives_status(nt, st, "RUS")] == [("RUS1", True), ("RUS2", False),
                                                                           ("RUS3", False)]
    assert all(o.text for t in nt.teams for o in t.objectives)


def test_game_date(nt):
    """Turn 1 is Q3 2016; turn 3 is Q1 2017; turn 8 is Q2 2018."""
    assert game_date(nt, 1) == "Q3 2016"
    assert game_date(nt, 3) == "Q1 2017"
    assert game_date(nt, 8) == "Q2 2018"


def test_check_orders_reasons(nt):
    """Before the turn locks, players are told in words why orders will fail."""
    st = nt.initial_state()
    msgs = check_orders(nt, st, "JPN", [O("JPN", "M3"), O("JPN", "E2", "RUS"), O("JPN", "M11")])
    assert "more than two actions (3 ordered)" in msgs
    assert "M3 is not an action JPN can take" in msgs
    assert "E2 is not yet unlocked" in msgs
    st.actors["JPN"].vars["LL"] = 30.0
    assert any("LL" in m and "40" in m for m in check_orders(nt, st, "JPN", [O("JPN", "M11")]))
    st.rp["KOR"] = 4
    assert check_orders(nt, st, "KOR", [O("KOR", "M1", "PRK"), O("KOR", "M6", "PRK")]) == ["over RP budget (5 > 4)"]
    assert check_orders(nt, st, "JPN", [O("JPN", "M1")]) == ["M1 needs a target among RUS, CHN, USA, KOR, PRK"]
    assert check_orders(scen(SO), st, "JPN", [O("JPN", "D1", "RUS")]) == []
