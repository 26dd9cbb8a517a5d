"""Rule table: dynamics (§3), incidents (§7), triggers (§4.7) and end conditions (§9)."""
import pytest

from wargame.engine import GameOverError, Override, band_name, resolve_turn
from wargame.engine.incidents import incident_chance

from .helpers import NT, SO, O, all_inject_ids, attr, calm, event, kinds, scen

APPROX = pytest.approx


@pytest.fixture(scope="module")
def nt():
    return scen(NT)


def quiet(sc, st, seed=2, **kw):
    kw.setdefault("skip_injects", all_inject_ids(sc))
    return resolve_turn(sc, st, kw.pop("orders", []), seed=seed, **kw)


def test_baseline_rungs_and_bands(nt):
    """At baseline Japan–Russia sits on rung 1 in the coexistence band; Japan–China on rung 3."""
    st = nt.initial_state()
    assert st.dyads["JPN-RUS"].rung == 1 and band_name(st.dyads["JPN-RUS"].IL) == "coexistence"
    assert st.dyads["CHN-JPN"].rung == 3
    assert [band_name(x) for x in (0, 24.9, 25, 49.9, 50, 74.9, 75, 100)] == [
        "power political", "power political", "coexistence", "coexistence", "cooperative", "cooperative",
        "convergence", "convergence"]


def test_drift_richardson_form(nt):
    """A quiet turn for Japan–Russia: T ← T + g − 0.15·T·C/100 = 35 + 1 − 1.8375; IL moves by 0.1·(C − T) = 0."""
    res = quiet(nt, calm(nt))
    assert attr(res, "JPN-RUS", "drift") == APPROX(1 - 0.15 * 35 * 35 / 100)
    assert res.state.dyads["JPN-RUS"].T == APPROX(35 + 1 - 1.8375)
    assert res.state.dyads["JPN-RUS"].IL == APPROX(38)


def test_il_drift_capped_at_three(nt):
    """Russia–China: 0.1·(C − T) = 0.1·(70 − 12) = 5.8, capped at +3 a turn."""
    res = quiet(nt, calm(nt))
    assert res.state.dyads["CHN-RUS"].IL == APPROX(68)


def test_attribution_sums_to_change(nt):
    """Whatever happens in a turn, each dyad's ΔT splits exactly into direct, spillover, incident and drift."""
    st = nt.initial_state()
    res = resolve_turn(nt, st, [O("JPN", "M1", "CHN"), O("JPN", "M2"), O("RUS", "M5"), O("CHN", "M5")], seed=11)
    for key, a in res.attribution.items():
        assert sum(a.values()) == APPROX(res.state.dyads[key].T - st.dyads[key].T, abs=1e-9)


def test_rung_falls_one_at_a_time(nt):
    """Japan–Russia was on rung 5 last turn but tension is back at 35: it falls only to rung 4 this turn."""
    st = calm(nt)
    st.dyads["JPN-RUS"].rung = 5
    res = quiet(nt, st)
    assert res.state.dyads["JPN-RUS"].rung == 4
    assert quiet(nt, res.state).state.dyads["JPN-RUS"].rung == 3


def test_rung_rises_with_action_seen(nt):
    """Korea–Russia tension is 25 (rung 1) when Russia raises readiness against Korea (M10, rung 3): the dyad is
    on rung 3 this turn."""
    res = quiet(nt, calm(nt), orders=[O("RUS", "M10", "KOR")])
    assert res.state.dyads["KOR-RUS"].rung == 3


def test_crisis_subturn_without_free_call(nt):
    """Japan–China tension is 66 (rung 4) with only CUES: a crisis sub-turn opens, but no free de-escalation
    call (that needs INCSEA or a hotline and C ≥ 50)."""
    st = calm(nt)
    st.dyads["CHN-JPN"].T = 68.0
    res = quiet(nt, st)
    ev = event(res, "t1:crisis:CHN-JPN")
    assert ev["free_call"] is False and "calls" not in ev
    assert "CHN-JPN" in res.state.crisis


def test_crisis_free_deescalation_call_with_incsea(nt):
    """Japan–Russia at tension 70 with INCSEA and C 55: in the crisis sub-turn each side gets a free
    de-escalation call at 50% + 20%; each success takes 3 off tension."""
    seen = set()
    for seed in range(20):
        st = calm(nt)
        st.dyads["JPN-RUS"].T = 70.0
        st.dyads["JPN-RUS"].C = 55.0
        res = quiet(nt, st, seed=seed)
        ev = event(res, "t1:crisis:JPN-RUS")
        assert ev["free_call"] is True
        wins = sum(c["success"] for c in ev["calls"])
        assert all(c["success"] == (c["roll"] <= 70) for c in ev["calls"])
        assert attr(res, "JPN-RUS", "direct") == APPROX(-3 * wins)
        seen.add(wins)
    assert len(seen) >= 2


def test_high_tension_doubles_incident_chance(nt):
    """Japan and Russia share the Sea of Japan with tension at 88 (≥ 80): the incident chance is doubled and
    the trigger is announced."""
    st = calm(nt)
    st.presence["sea_of_japan"] = {"JPN": 1, "RUS": 1}
    st.dyads["JPN-RUS"].T = 88.0
    res = quiet(nt, st)
    d = [x for x in res.draws if x["event"] == "t1:incident:JPN-RUS" and x["k"] == 0][0]
    inc = nt.params.inc
    d0 = st.dyads["JPN-RUS"]
    raw = inc["base"] + inc["per_N"] * (60 + 45) + inc["per_T"] * 88 - 0.05 - 0.03
    assert d["target"] == APPROX(2 * raw * 100)
    assert incident_chance(nt.params, st, "JPN-RUS") == APPROX(2 * raw)
    assert any(e["id"] == "t1:trigger:high_tension:JPN-RUS" for e in res.events)
    assert d0.T == 88.0


def test_incident_chance_floor_and_flags(nt):
    """Incident chance is 0.05 + 0.002·(N_A + N_B) + 0.003·T, −0.05 with INCSEA, −0.03 with CUES or a hotline,
    never below 0.02."""
    st = calm(nt)
    d = st.dyads["JPN-RUS"]
    assert incident_chance(nt.params, st, "JPN-RUS") == APPROX(0.05 + 0.21 + 0.105 - 0.08)
    st.actors["JPN"].vars["N"] = 0.0
    st.actors["RUS"].vars["N"] = 0.0
    d.T = 0.0
    d.flags = d.flags | {"HOTLINE"}
    assert incident_chance(nt.params, st, "JPN-RUS") == APPROX(0.02)


@pytest.mark.parametrize("faces,name,dT,rung", [
    ([1, 1], "shadowing", 2, 2), ([4, 5], "unsafe manoeuvre", 5, 3),
    ([5, 5], "fire-control radar lock", 8, 4), ([6, 6], "collision", 15, 5)])
def test_incident_severity_table(nt, faces, name, dT, rung):
    """Japan–China share the East China Sea. White enters the dice by hand: the chance roll is 1 (an incident)
    and the severity dice decide, with severity = 2d6 + (T − 50)/10 − C/25 (T 60, C 25 → 2d6 + 0)."""
    st = calm(nt)
    st.presence["east_china_sea"] = {"JPN": 1, "CHN": 1}
    eid = "t1:incident:CHN-JPN"
    res = quiet(nt, st, overrides=[Override(eid, "manual_dice", 1, "Pedagogy", draw=0),
                                   Override(eid, "manual_dice", faces, "Pedagogy", draw=1)])
    ev = event(res, eid)
    assert ev["incident"] == name
    assert attr(res, "CHN-JPN", "incident") == APPROX(dT)
    assert res.state.dyads["CHN-JPN"].rung >= rung
    assert all(d["manual"] for d in res.draws if d["event"] == eid)


def test_collision_and_incsea_severity(nt):
    """Japan–Russia (INCSEA, C 35, T 35): severity = 12 − 1.5 − 1.4 − 1 = 8.1, an unsafe manoeuvre, not a
    collision: the 1993 agreement takes the edge off."""
    st = calm(nt)
    st.presence["sea_of_japan"] = {"JPN": 1, "RUS": 1}
    eid = "t1:incident:JPN-RUS"
    res = quiet(nt, st, overrides=[Override(eid, "manual_dice", 1, "Pedagogy", draw=0),
                                   Override(eid, "manual_dice", [6, 6], "Pedagogy", draw=1)])
    assert event(res, eid)["severity"] == APPROX(8.1)
    assert event(res, eid)["incident"] == "unsafe manoeuvre"


def test_allies_have_no_incidents(nt):
    """Japan and the United States share the Northwest Pacific, but their relationship is in the convergence
    band (IL ≥ 50 exempts a dyad): they never roll."""
    st = calm(nt)
    st.presence["nw_pacific"] = {"JPN": 1, "USA": 2}
    res = quiet(nt, st)
    assert not [d for d in res.draws if "JPN-USA" in d["event"]]


def test_domestic_pressure_trigger(nt):
    """Japan's domestic support has sunk to 25 (< 30): a domestic-pressure inject fires and Japan has 1 RP less
    next turn."""
    st = calm(nt)
    st.actors["JPN"].vars["D"] = 25.0
    res = quiet(nt, st)
    ctrl = quiet(nt, calm(nt))
    assert any(e["id"] == "t1:trigger:domestic:JPN" for e in res.events)
    assert res.state.rp["JPN"] == ctrl.state.rp["JPN"] - 1


def test_band_change_announced(nt):
    """Japan–Russia IL stands at 48 when the 2+2 adds 3: relations enter the cooperative band, announced to all."""
    st = calm(nt, unlock={"D1"})
    st.dyads["JPN-RUS"].IL = 48.0
    res = quiet(nt, st, orders=[O("JPN", "D1", "RUS"), O("RUS", "D1", "JPN")])
    ev = event(res, "t1:trigger:band:JPN-RUS")
    assert ev["band"] == "cooperative" and ev["audience"] == "all"


def test_rp_income_carry_over_and_russian_penalty(nt):
    """Each team gets its income every turn; unspent RP carries over up to twice the income. While sanctions
    pressure SP ≥ 70, Russia's income is one less."""
    st = calm(nt)
    r1 = quiet(nt, st)
    assert r1.state.rp == {"JPN": 12, "RUS": 10, "CHN": 16, "USA": 16, "KOR": 8}
    r2 = quiet(nt, r1.state)
    assert r2.state.rp == r1.state.rp  # capped at 2× income
    st = calm(nt)
    st.actors["RUS"].vars["SP"] = 70.0
    r3 = quiet(nt, st, orders=[O("RUS", "M1", "CHN")])
    assert r3.state.rp["RUS"] == 5 - 3 + 4


def test_end_on_rung_seven(nt):
    """Japan–China tension reaches 96: rung 7, armed conflict; play stops for a hotwash and no further turn
    can be resolved."""
    st = calm(nt)
    st.dyads["CHN-JPN"].T = 99.0
    res = quiet(nt, st)
    assert res.state.dyads["CHN-JPN"].rung == 7
    assert "armed conflict" in res.state.ended
    assert kinds(res, "end")
    with pytest.raises(GameOverError):
        quiet(nt, res.state)


def test_end_on_peace_treaty_framework(nt):
    """Japan–Russia IL reaches 75: a peace-treaty framework ends the game."""
    st = calm(nt)
    st.dyads["JPN-RUS"].IL = 76.0
    res = quiet(nt, st)
    assert "peace-treaty" in res.state.ended


def test_end_on_turn_limit(nt):
    """After the eighth turn the game ends on the turn limit (White may set a shorter one)."""
    st = calm(nt)
    st.turn = 7
    assert "turn limit" in quiet(nt, st).state.ended
    st.turn = 3
    assert "turn limit" in quiet(nt, st, turn_limit=4).state.ended
    assert quiet(nt, calm(nt)).state.ended is None


def test_sea_of_okhotsk_has_no_locks():
    """In the Sea of Okhotsk scenario the 2+2 and the parallel track are open from the start."""
    so = scen(SO)
    assert not any(a.locked_until_unlocked for a in so.actions.values())
    nt = scen(NT)
    assert {k for k, a in nt.actions.items() if a.locked_until_unlocked} == {"M3", "D1", "D5", "E2"}
