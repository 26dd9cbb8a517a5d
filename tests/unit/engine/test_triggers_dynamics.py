"""Rule table: dynamics (§3), incidents (§7), triggers (§4.7) and end conditions (§9)."""
import pytest

from wargame.engine import ArguedOrder, Override, band_name, resolve_turn
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


def test_drift_richardson_form_toward_structural_tension(nt):
    """A quiet turn for Japan–Russia at its structural tension (T = T₀ = 35): only the islands grievance moves it,
    T ← 35 + 1. At T 60 it decays toward T₀: T ← 60 + 1 − k_T·(60 − 35)·(0.5 + C/100), and never below T₀ by
    drift alone (at T 20, below T₀, drift pulls it back up)."""
    p = nt.params
    res = quiet(nt, calm(nt))
    assert attr(res, "JPN-RUS", "drift") == APPROX(1)
    assert res.state.dyads["JPN-RUS"].T == APPROX(36)
    st = calm(nt)
    st.dyads["JPN-RUS"].T = 60.0
    res = quiet(nt, st)
    assert attr(res, "JPN-RUS", "drift") == APPROX(1 - p.drift_k * 25 * (0.5 + 0.35))
    st.dyads["JPN-RUS"].T = 20.0
    assert quiet(nt, st).state.dyads["JPN-RUS"].T > 20


def test_deeper_communication_decays_tension_faster(nt):
    """The same excess tension (T 60 over T₀ 35) decays faster with C 80 than with C 35."""
    st = calm(nt)
    st.dyads["JPN-RUS"].T = 60.0
    shallow = attr(quiet(nt, st), "JPN-RUS", "drift")
    st.dyads["JPN-RUS"].C = 80.0
    deep = attr(quiet(nt, st), "JPN-RUS", "drift")
    assert deep < shallow < 0


def test_il_drifts_toward_its_structural_level_capped_at_three(nt):
    """IL moves by k_IL·(IL₀ − IL) + k_CT·(C − T), capped at ±3 a turn: Russia–China at its baseline (IL 65 =
    IL₀) moves only by 0.005·(70 − 12); pushed down to IL 40 it recovers by the capped +3."""
    p = nt.params
    res = quiet(nt, calm(nt))
    assert res.state.dyads["CHN-RUS"].IL == APPROX(65 + p.il_ct * (70 - 12))
    st = calm(nt)
    st.dyads["CHN-RUS"].IL = 40.0
    assert quiet(nt, st).state.dyads["CHN-RUS"].IL == APPROX(43)


def test_agreements_ratchet_the_structural_levels(nt):
    """The parallel track (D5) raises Japan–Russia's IL₀ by 3 and lowers T₀ by 3 for good: in later quiet turns IL
    settles higher and T lower than without it. IL₀ never falls and T₀ never rises by drift."""
    st = calm(nt, unlock={"D5"})
    st.dyads["JPN-RUS"].IL = 40.0
    st.dyads["JPN-RUS"].C = 45.0
    with_d5 = quiet(nt, st, orders=[O("JPN", "D5", "RUS"), O("RUS", "D5", "JPN")]).state
    without = quiet(nt, st).state
    assert (with_d5.dyads["JPN-RUS"].IL0, with_d5.dyads["JPN-RUS"].T0) == (41.0, 32.0)
    for _ in range(4):
        with_d5, without = quiet(nt, with_d5).state, quiet(nt, without).state
    assert with_d5.dyads["JPN-RUS"].IL > without.dyads["JPN-RUS"].IL + 2
    assert with_d5.dyads["JPN-RUS"].T < without.dyads["JPN-RUS"].T
    assert with_d5.dyads["JPN-RUS"].IL0 == 41.0 and with_d5.dyads["JPN-RUS"].T0 == 32.0


def test_attribution_sums_to_change(nt):
    """Whatever happens in a turn, each dyad's ΔT splits exactly into direct, spillover, incident, events and
    drift."""
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


def test_high_tension_doubles_incident_chance(nt):
    """Japan and Russia share the Sea of Japan with tension at 88 (≥ 80): the incident chance is doubled and
    the trigger is announced."""
    st = calm(nt)
    st.presence["sea_of_japan"] = {"JPN": 1, "RUS": 1}
    st.dyads["JPN-RUS"].T = 88.0
    st.dyads["JPN-RUS"].T0 = 85.0  # a structural level this high keeps T above 80 at the turn's end
    res = quiet(nt, st)
    d = [x for x in res.draws if x["event"] == "t1:incident:JPN-RUS" and x["k"] == 0][0]
    inc = nt.params.inc
    d0 = st.dyads["JPN-RUS"]
    raw = (inc["base"] + inc["per_N"] * (60 + 45) + inc["per_T"] * 88 - 0.05 - 0.03) * inc["scale"]
    assert d["target"] == APPROX(2 * raw * 100)
    assert incident_chance(nt.params, st, "JPN-RUS") == APPROX(2 * raw)
    assert any(e["id"] == "t1:trigger:high_tension:JPN-RUS" for e in res.events)
    assert d0.T == 88.0


def test_incident_chance_floor_and_flags(nt):
    """Incident chance is (0.05 + 0.002·(N_A + N_B) + 0.003·T, −0.05 with INCSEA, −0.03 with CUES or a hotline)
    × the scenario's scale, never below 0.02."""
    st = calm(nt)
    d = st.dyads["JPN-RUS"]
    assert incident_chance(nt.params, st, "JPN-RUS") == APPROX((0.05 + 0.21 + 0.105 - 0.08) * nt.params.inc["scale"])
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
    """Japan–Russia IL stands at 49 when a summit (D2, IL +4) and a coordinated answer to Pyongyang (D9, IL +2)
    outweigh the pull back toward IL₀ 38: relations enter the cooperative band, announced to all."""
    st = calm(nt)
    st.dyads["JPN-RUS"].IL = 49.0
    res = quiet(nt, st, orders=[O("JPN", "D2", "RUS"), O("RUS", "D2", "JPN"), O("JPN", "D9", "RUS"),
                                O("RUS", "D9", "JPN")])
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


def test_tension_alone_stops_at_rung_five(nt):
    """Japan–China tension reaches 99, in the old rung-7 band: tension alone climbs no higher than rung 5
    (dramatic confrontation). No war, no end: rungs 6 and 7 come only from a decision."""
    st = calm(nt)
    st.dyads["CHN-JPN"].T = 99.0
    res = quiet(nt, st)
    assert res.state.dyads["CHN-JPN"].rung == 5
    assert res.state.ended is None
    assert res.state.crisis == ("CHN-JPN",)


def test_il_alone_ends_nothing(nt):
    """Japan–Russia IL at 76 (convergence) ends nothing: a peace-treaty framework needs NT10's talks."""
    st = calm(nt)
    st.dyads["JPN-RUS"].IL = 76.0
    assert quiet(nt, st).state.ended is None


def _treaty_turn(nt, *, argued=("JPN", "RUS"), fire=True, support_roll=1, seed=4):
    st = calm(nt)
    st.turn = 7
    st.dyads["JPN-RUS"].IL = 60.0
    orders = [ArguedOrder(t, "Settle on the 1956 basis", probability=100) for t in argued]
    skip = all_inject_ids(nt) - ({"NT10"} if fire else set())
    overrides = [Override("t8:treaty:JPN-RUS", "manual_dice", support_roll, "Pedagogy", draw=k) for k in (0, 1)] \
        if fire and len(argued) == 2 else []
    return resolve_turn(nt, st, orders, seed=seed, skip_injects=skip, argued_mode="umpire", overrides=overrides)


def test_peace_treaty_needs_the_talks_both_arguments_and_support(nt):
    """Turn 8 with IL(JPN,RUS) 60: NT10's talks open, Japan and Russia each win an argued action for a settlement
    and each side's domestic-support roll (d100 ≤ D) holds: a peace-treaty framework ends the game. Without the
    talks, without Russia's argument, or with a support roll of 99, nothing ends but the turn limit."""
    res = _treaty_turn(nt)
    ev = event(res, "t8:treaty:JPN-RUS")
    assert ev["agreed"] and [r["team"] for r in ev["rolls"]] == ["JPN", "RUS"]
    assert "peace-treaty framework" in res.state.ended
    for other in (_treaty_turn(nt, fire=False), _treaty_turn(nt, argued=("JPN",))):
        assert "turn limit" in other.state.ended and not kinds(other, "treaty")
    failed = _treaty_turn(nt, support_roll=99)
    assert not event(failed, "t8:treaty:JPN-RUS")["agreed"] and "turn limit" in failed.state.ended


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
