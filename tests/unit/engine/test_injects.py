"""Rule table: one case per MSEL inject (§11), NT1–NT10 and SO1–SO10, plus White's inject controls."""
import pytest

from wargame.engine import InjectError, InjectInput, check_orders, resolve_turn
from wargame.engine.perception import intel_mult

from .helpers import NT, SO, O, all_inject_ids, attr, calm, ddy, dvar, event, scen

APPROX = pytest.approx


@pytest.fixture(scope="module")
def nt():
    return scen(NT)


@pytest.fixture(scope="module")
def so():
    return scen(SO)


def fire(sc, iid, *, st=None, orders=(), at=None, seed=5):
    """(result with only this inject live, control with every inject held back), at its trigger turn."""
    st = st or calm(sc)
    inj = sc.inject(iid)
    st.turn = (at or inj.trigger.get("turn", 1)) - 1
    others = all_inject_ids(sc) - {iid}
    res = resolve_turn(sc, st, list(orders), seed=seed, skip_injects=others)
    ctrl = resolve_turn(sc, st, list(orders), seed=seed, skip_injects=all_inject_ids(sc))
    return res, ctrl


def fired(res, iid):
    return any(e.get("inject") == iid and e["kind"] == "inject" for e in res.events)


def test_NT1_sochi_makes_E1_cheaper(nt):
    """Turn 1, the Sochi summit fires: Japan's economic package E1 now costs 2 RP instead of 3, and players see
    the discount already when they order in turn 1."""
    res, ctrl = fire(nt, "NT1", orders=[O("JPN", "E1", "RUS")])
    assert fired(res, "NT1")
    assert ctrl.state.rp["JPN"] - res.state.rp["JPN"] == -1  # paid 2 instead of 3
    assert res.state.cost_mods["E1"] == -1
    from wargame.engine import available_actions
    st = calm(nt)
    st.rp["JPN"] = 2
    assert check_orders(nt, st, "JPN", [O("JPN", "E1", "RUS")]) == []
    assert dict((a.key, ok) for a, ok, _ in available_actions(nt, st, "JPN"))["E1"] is True


def test_NT2_matua_unlocks_M3(nt):
    """Turn 1, the Pacific Fleet surveys Matua: M3 becomes available to Russia in the same turn."""
    res, ctrl = fire(nt, "NT2", orders=[O("RUS", "M3")])
    assert "M3" in res.state.unlocked
    assert attr(res, "JPN-RUS", "direct") == APPROX(8)
    assert attr(ctrl, "JPN-RUS", "direct") == 0


def test_NT3_eastern_economic_forum_unlocks_D1(nt):
    """Turn 1 (Q3 2016: the forum met on 2 September), the Eastern Economic Forum: the 2+2 (D1) is unlocked and
    can meet that turn."""
    res, ctrl = fire(nt, "NT3", orders=[O("JPN", "D1", "RUS"), O("RUS", "D1", "JPN")])
    assert "D1" in res.state.unlocked
    assert ddy(res, ctrl, "JPN-RUS", "C") == APPROX(8)


def test_NT4_coastal_missiles(nt):
    """Turn 2 (Q4 2016: November), coastal missiles go on duty on Iturup and Kunashir: T(JPN,RUS) +6, counted as
    an event (not a move of Japan's or Russia's), and Japan's D −3; the inject carries the decision 'protest, or
    keep the summit?', and fires before NT5 (December's summit) in the same turn."""
    res, ctrl = fire(nt, "NT4")
    assert attr(res, "JPN-RUS", "events") == APPROX(6) and attr(res, "JPN-RUS", "direct") == 0
    assert dvar(res, ctrl, "JPN", "D") == APPROX(-3)
    assert event(res, "t2:inject:NT4")["decision"]
    st = calm(nt)
    st.turn = 1
    ids = [e["id"] for e in resolve_turn(nt, st, [], seed=5).events if e["kind"] == "inject"]
    assert ids.index("t2:inject:NT4") < ids.index("t2:inject:NT5")


def test_NT5_unlocks_E2_and_D5(nt):
    """Turn 2 (Q4 2016: the December summit), leaders agree talks on joint economic activity: E2 and D5 are
    unlocked."""
    res, _ = fire(nt, "NT5")
    assert {"E2", "D5"} <= res.state.unlocked


def test_NT6_two_plus_two_in_tokyo(nt):
    """Turn 3 (Q1 2017: 20 March), the 2+2 meets in Tokyo. Both order D1: it proceeds, no penalty. Only Japan
    orders it: C −4."""
    st = calm(nt, unlock={"D1"})
    both, ctrl = fire(nt, "NT6", st=st, orders=[O("JPN", "D1", "RUS"), O("RUS", "D1", "JPN")])
    assert event(both, "t3:inject:NT6")["ordered_both"] is True
    assert ddy(both, ctrl, "JPN-RUS", "C") == APPROX(0)
    st = calm(nt, unlock={"D1"})
    one, ctrl = fire(nt, "NT6", st=st, orders=[O("JPN", "D1", "RUS")])
    assert event(one, "t3:inject:NT6")["ordered_both"] is False
    assert ddy(one, ctrl, "JPN-RUS", "C") == APPROX(-4)


def test_NT7_crab_boat_detained_when_tension_high(nt):
    """T(JPN,RUS) has reached 46 (≥ 45): at the start of the next turn a Japanese crab boat is detained off
    Habomai, a forced M12 by Russia: T +6 (an event: the inject forced it), Japan's D −3, rung 3. The event says
    why it fired."""
    st = calm(nt)
    st.dyads["JPN-RUS"].T = 46.0
    res, ctrl = fire(nt, "NT7", st=st, at=3)
    ev = event(res, "t3:inject:NT7")
    assert "T(JPN,RUS) >= 45" in ev["why"] and "46" in ev["why"]
    assert attr(res, "JPN-RUS", "events") == APPROX(6)
    assert dvar(res, ctrl, "JPN", "D") == APPROX(-3)
    assert res.state.dyads["JPN-RUS"].rung >= 3


def test_NT7_not_below_threshold_nor_under_fisheries_agreement(nt):
    """At T 35 the crab-boat inject does not fire; at T 50 with a fisheries agreement (E5) in force it does not
    fire either."""
    res, _ = fire(nt, "NT7", at=3)
    assert not fired(res, "NT7")
    st = calm(nt)
    st.dyads["JPN-RUS"].T = 50.0
    st.dyads["JPN-RUS"].flags = st.dyads["JPN-RUS"].flags | {"FISHERIES"}
    res, _ = fire(nt, "NT7", st=st, at=3)
    assert not fired(res, "NT7")


def test_NT8_missile_defence_doubles_russias_m_align(nt):
    """Turn 4 (Q2 2017), Japan debates missile defence: Moscow reads Japan's moves through the alliance, so the
    alliance term of Russia's reading of Japan (0.1 × IL(JPN,USA)) doubles this turn and a Japanese buildup
    against China spills more onto Russia. How Japan reads Russia's moves does not change."""
    res, ctrl = fire(nt, "NT8", orders=[O("JPN", "M1", "CHN")])
    st = calm(nt)
    own, alliance = 0.5 * st.dyads["CHN-RUS"].IL / 100, 0.1 * st.dyads["JPN-USA"].IL / 100
    assert attr(res, "JPN-RUS", "spillover") == APPROX(
        attr(ctrl, "JPN-RUS", "spillover") * (1 + own + 2 * alliance) / (1 + own + alliance))
    res, ctrl = fire(nt, "NT8", orders=[O("RUS", "M1", "CHN")])
    assert attr(res, "JPN-RUS", "spillover") == APPROX(attr(ctrl, "JPN-RUS", "spillover"))


def test_NT9_joint_statement_on_condition(nt):
    """IL(RUS,CHN) is 65 (≥ 65): Russia and China issue a joint statement, IL(RUS,CHN) +3; it fires once only."""
    res, ctrl = fire(nt, "NT9", at=1)
    assert fired(res, "NT9")
    assert ddy(res, ctrl, "CHN-RUS", "IL") == APPROX(3)
    nxt = resolve_turn(nt, res.state, [], seed=5, skip_injects=all_inject_ids(nt) - {"NT9"})
    assert not fired(nxt, "NT9")


def test_NT10_talks_on_1956_declaration(nt):
    """Turn 8 with IL(JPN,RUS) 56 (≥ 55): talks on the 1956 Declaration open; each side's D is rolled ±3 and the
    inject forces an argued action. With IL 50 it does not fire and White is told why."""
    st = calm(nt)
    st.dyads["JPN-RUS"].IL = 56.0
    res, ctrl = fire(nt, "NT10", st=st)
    assert fired(res, "NT10")
    assert abs(dvar(res, ctrl, "JPN", "D")) == APPROX(3)
    assert abs(dvar(res, ctrl, "RUS", "D")) == APPROX(3)
    res, _ = fire(nt, "NT10")
    assert not fired(res, "NT10")
    assert any(e["kind"] == "inject_not_fired" for e in res.events)


def test_SO1_new_borei(so):
    """Turn 1, a new Borei reaches Kamchatka: Russia's BS +3 and a bastion-posture decision."""
    res, ctrl = fire(so, "SO1")
    assert dvar(res, ctrl, "RUS", "BS") == APPROX(3)
    assert event(res, "t1:inject:SO1")["decision"]


def test_SO2_soryu_delivery(so):
    """Turn 1, Japan takes delivery of a Sōryū and ASW helicopters: JPN ASW +4 and Russia's BS −2."""
    res, ctrl = fire(so, "SO2")
    assert dvar(res, ctrl, "JPN", "ASW") == APPROX(4)
    assert dvar(res, ctrl, "RUS", "BS") == APPROX(-2)


def test_SO3_ew_station_doubles_japans_noise(so):
    """Turn 2, a Russian EW station goes active: Japan's intelligence noise doubles, for good."""
    res, _ = fire(so, "SO3")
    assert intel_mult(res.state, "JPN", "RUS") == 2
    later = res.state.copy()
    later.turn = 7
    assert intel_mult(later, "JPN", "RUS") == 2


def test_SO4_flotilla_in_korea_strait(so):
    """Turn 2, a Chinese flotilla transits the Korea Strait: China's AX +3 and a task group there this turn."""
    res, ctrl = fire(so, "SO4")
    assert dvar(res, ctrl, "CHN", "AX") == APPROX(3)
    assert res.state.presence["korea_strait"].get("CHN") == 1


def test_SO5_carrier_in_western_pacific(so):
    """Turn 2 (Q4 2016: December), China's carrier deploys to the Western Pacific: T(JPN,CHN) +5, an event."""
    res, _ = fire(so, "SO5")
    assert attr(res, "CHN-JPN", "events") == APPROX(5)


def test_SO6_forced_incident_roll(so):
    """Turn 4, Japanese and Russian destroyers at close quarters off Soya: an incident happens for sure; its
    severity is rolled with the INCSEA −1."""
    res, _ = fire(so, "SO6")
    ev = event(res, "t4:incident:JPN-RUS")
    assert "forced roll" in ev["text"]
    assert attr(res, "JPN-RUS", "incident") > 0


def test_SO7_record_scrambles(so):
    """Turn 4 (Q2 2017: the FY2016 figures came out in April), record scramble figures: a decision between I1 and
    D6, and JPN–CHN sees a rung-2 show of force."""
    res, _ = fire(so, "SO7")
    assert "I1" in event(res, "t4:inject:SO7")["decision"]
    assert res.state.dyads["CHN-JPN"].rung >= 2


def test_SO8_joint_sea_in_okhotsk(so):
    """Turn 5 (Q3 2017: September), the Joint Sea exercise enters the southern Sea of Okhotsk: IL(RUS,CHN) +4."""
    res, ctrl = fire(so, "SO8")
    assert ddy(res, ctrl, "CHN-RUS", "IL") == APPROX(4)


def test_SO9_unidentified_submarine(so):
    """Turn 7, an unidentified submarine off La Pérouse: an argued attribution is called for; JPN–RUS sees rung 2."""
    res, _ = fire(so, "SO9")
    assert "accusation" in event(res, "t7:inject:SO9")["decision"]
    assert res.state.dyads["JPN-RUS"].rung >= 2


def test_SO10_radar_lock_when_tension_60(so):
    """T(JPN,RUS) has reached 61 (≥ 60): a fire-control radar lock, T +8 counted as an incident, rung 4 and a
    crisis sub-turn that tests the hotline."""
    st = calm(so)
    st.dyads["JPN-RUS"].T = 61.0
    res, _ = fire(so, "SO10", st=st, at=2)
    assert fired(res, "SO10")
    assert attr(res, "JPN-RUS", "incident") == APPROX(8)
    assert res.state.dyads["JPN-RUS"].rung >= 4
    assert any(e["kind"] == "crisis" and e["teams"] == ["JPN", "RUS"] for e in res.events)


def test_skip_and_fire_now(nt):
    """White holds back NT4 on turn 2 (skipped, logged for White) and fires NT8 early with fire_now."""
    st = calm(nt)
    st.turn = 1
    res = resolve_turn(nt, st, [], seed=1, skip_injects={"NT4"}, fire_now={"NT8"})
    assert not fired(res, "NT4") and fired(res, "NT8")
    assert event(res, "t2:inject:NT4:skipped")["audience"] == "white"
    assert event(res, "t2:inject:NT8")["why"] == "fired now by White"


def test_ad_hoc_inject_with_effects_and_caps(nt):
    """White adds an ad-hoc inject (a North Korean missile test): T(JPN,PRK) +8, counted as an event, audience
    Japan only. A delta of 12 is refused with an error naming the ±10 cap."""
    st = calm(nt)
    inj = InjectInput("X1", "Missile test", "A missile lands in Japan's EEZ.", ("JPN",),
                      ({"var": "T", "dyad": ["JPN", "PRK"], "delta": 8},))
    res = resolve_turn(nt, st, [], seed=1, injects=[inj], skip_injects=all_inject_ids(nt))
    ev = event(res, "t1:inject:X1")
    assert ev["audience"] == ["JPN"] and attr(res, "JPN-PRK", "events") == APPROX(8)
    bad = InjectInput("X2", "Too big", "", "all", ({"var": "T", "dyad": ["JPN", "PRK"], "delta": 12},))
    with pytest.raises(InjectError, match="±10"):
        resolve_turn(nt, st, [], seed=1, injects=[bad])
    with pytest.raises(InjectError, match="already used"):
        resolve_turn(nt, st, [], seed=1, injects=[InjectInput("NT4", "dup", "")])
