"""Rule table: one case per catalogue action (§5). Each docstring states the situation in game terms."""
import pytest

from wargame.engine import resolve_turn

from .helpers import NT, O, attr, calm, ddy, dvar, event, kinds, scen, turn

APPROX = pytest.approx


@pytest.fixture(scope="module")
def sc():
    return scen(NT)


def reading(sc, st, a, o):
    """m_comm(A,O) · m_align(A,O): how O reads a move of A's (1 − 0.5·C/100 times 1 + Σ k·IL/100)."""
    p = sc.params
    d = st.dyads["-".join(sorted((a, o)))]
    m_comm = 1 - 0.5 * d.C / 100
    m_align = 1 + sum(k * st.dyads[key].IL / 100 for _, key, k in p.align.get((a, o), ()))
    return m_comm * m_align


def spill(sc, st, a, o, dT, w):
    return dT * w * reading(sc, st, a, o)


# Russia reading Japan at baseline: 1 + 0.5·IL(RUS,CHN)/100 + 0.1·IL(JPN,USA)/100 = 1 + 0.325 + 0.085
RUS_READS_JPN = 1.41
JPN_READS_RUS = 1.41  # 1 + 0.5·IL(RUS,CHN)/100 + 0.1·IL(JPN,USA)/100


def test_M1_procurement_spills_onto_russia(sc):
    """Japan buys ASW "against China" (M1 on CHN). T(JPN,CHN) +4 directly; T(JPN,RUS) rises by
    4 × 0.6 × 0.825 × 1.41 ≈ +2.8 as spillover (m_align: Russia reads Japan through its own alignment with
    China, 0.5 × 0.65, and Japan's alliance, 0.1 × 0.85), Russia's bastion security falls, and Japan's N
    grows by 6 only at the start of next turn. Japan pays 3 RP."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "M1", "CHN")])
    assert attr(res, "CHN-JPN", "direct") == APPROX(4)
    assert attr(res, "JPN-RUS", "spillover") == APPROX(4 * 0.6 * 0.825 * RUS_READS_JPN)
    assert attr(res, "JPN-RUS", "spillover") == APPROX(2.8, abs=0.05)
    assert dvar(res, ctrl, "RUS", "BS") < 0
    assert dvar(res, ctrl, "JPN", "N") == 0
    nxt = resolve_turn(sc, res.state, [], seed=3, skip_injects={i.id for i in sc.injects})
    assert nxt.state.actors["JPN"].vars["N"] == APPROX(66)
    assert res.state.rp["JPN"] == ctrl.state.rp["JPN"] - 3


def test_M2_asw_patrols(sc):
    """Japan patrols Soya and the Sea of Okhotsk (M2). Its ASW +3, T(JPN,CHN) +3 directly, and although
    the patrols are aimed at China, Russia's BS −6 and T(JPN,RUS) count as spillover: the catalogue's +2
    goes through the one spillover rule, × m_comm 0.825 × m_align 1.41 ≈ +2.33 (no longer a fixed +5).
    A Japanese task group enters the Okhotsk for the turn only."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "M2")])
    assert dvar(res, ctrl, "JPN", "ASW") == APPROX(3)
    assert dvar(res, ctrl, "RUS", "BS") == APPROX(-6)
    assert attr(res, "CHN-JPN", "direct") == APPROX(3)
    assert attr(res, "JPN-RUS", "spillover") == APPROX(2 * 0.825 * RUS_READS_JPN)
    assert attr(res, "JPN-RUS", "direct") == 0
    assert res.state.presence["okhotsk"].get("JPN") == 1
    nxt = resolve_turn(sc, res.state, [], seed=3, skip_injects={i.id for i in sc.injects})
    assert nxt.state.presence["okhotsk"].get("JPN", 0) == 0


def test_M3_kuril_missiles(sc):
    """Russia puts missiles on the islands (M3, unlocked). BS +8, KM +1, T(JPN,RUS) +8, IL −3, Japan's D −3,
    and T(RUS,USA) +2 × m_comm(RUS,USA) 0.9 = +1.8 as spillover."""
    st = calm(sc, unlock={"M3"})
    res, ctrl = turn(sc, st, [O("RUS", "M3")])
    assert dvar(res, ctrl, "RUS", "BS") == APPROX(8)
    assert dvar(res, ctrl, "RUS", "KM") == APPROX(1)
    assert attr(res, "JPN-RUS", "direct") == APPROX(8)
    assert ddy(res, ctrl, "JPN-RUS", "IL") == APPROX(-3)
    assert dvar(res, ctrl, "JPN", "D") == APPROX(-3)
    assert attr(res, "RUS-USA", "spillover") == APPROX(2 * 0.9)


def test_M3_locked_until_NT2(sc):
    """Russia orders M3 before the Matua survey inject has unlocked it. It is not carried out; no RP is spent."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("RUS", "M3")])
    assert "not yet unlocked" in event(res, "t1:order:RUS:M3")["text"]
    assert res.state.rp["RUS"] == ctrl.state.rp["RUS"]


def test_M3_island_move_halved_under_parallel_track(sc):
    """With PARALLEL_TRACK agreed, M3's IL effect on JPN–RUS is halved (an island move)."""
    st = calm(sc, unlock={"M3"})
    d = st.dyads["JPN-RUS"]
    d.flags = d.flags | {"PARALLEL_TRACK"}
    res, ctrl = turn(sc, st, [O("RUS", "M3")])
    assert ddy(res, ctrl, "JPN-RUS", "IL") == APPROX(-1.5)


def test_M4_borei_patrol(sc):
    """Russia sends a Borei on deterrent patrol (M4) while Japan's ASW is 65 (≥ 60): BS +3 and T(JPN,RUS) +1
    as spillover, read by Japan through the one rule: × 0.825 × 1.41."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("RUS", "M4")])
    assert dvar(res, ctrl, "RUS", "BS") == APPROX(3)
    assert attr(res, "JPN-RUS", "spillover") == APPROX(1 * 0.825 * JPN_READS_RUS)


def test_M4_no_tension_when_japanese_asw_low(sc):
    """Same patrol, but Japan's ASW is only 50: no tension follows."""
    st = calm(sc)
    st.actors["JPN"].vars["ASW"] = 50.0
    res, ctrl = turn(sc, st, [O("RUS", "M4")])
    assert attr(res, "JPN-RUS", "spillover") == 0


def test_M5_single_and_joint_bomber_patrols(sc):
    """Russia alone flies bombers around Japan (M5): T(JPN,RUS) +4. When China flies too, the joint patrol
    adds T +3 to both dyads on top of each side's +4."""
    st = calm(sc)
    res, _ = turn(sc, st, [O("RUS", "M5")])
    assert attr(res, "JPN-RUS", "direct") == APPROX(4)
    joint, _ = turn(sc, st, [O("RUS", "M5"), O("CHN", "M5")])
    assert attr(joint, "JPN-RUS", "direct") == APPROX(7)
    assert attr(joint, "CHN-JPN", "direct") == APPROX(7)
    assert any(e["id"] == "t1:joint:M5" for e in joint.events)


def test_M5_joint_patrol_raises_m_align(sc):
    """A joint RUS+CHN bomber patrol raises Japan's m_align for the turn by 0.2, so Japan's buildup against
    China that same turn spills more onto Russia."""
    st = calm(sc)
    alone, _ = turn(sc, st, [O("JPN", "M1", "CHN")])
    joint, _ = turn(sc, st, [O("JPN", "M1", "CHN"), O("RUS", "M5"), O("CHN", "M5")])
    base = attr(alone, "JPN-RUS", "spillover")
    assert attr(joint, "JPN-RUS", "spillover") == APPROX(base * (RUS_READS_JPN + 0.2) / RUS_READS_JPN)


def test_M6_exercise_near_disputed_area(sc):
    """China exercises near the Senkakus against Japan (M6): T(JPN,CHN) +5 with ω spillover onto CHN–RUS."""
    st = calm(sc)
    res, _ = turn(sc, st, [O("CHN", "M6", "JPN")])
    assert attr(res, "CHN-JPN", "direct") == APPROX(5)
    assert attr(res, "CHN-RUS", "spillover") == APPROX(spill(sc, st, "CHN", "RUS", 5, 0.25))


def test_M7_strait_transit(sc):
    """A Chinese flotilla transits Tsugaru (M7, default zone): AX +5 and T(JPN,CHN) +2 (a routine transit; the
    first calibration's +5 took Japan–China to war); Russia is untouched. Entering the Sea of Okhotsk instead
    also adds T(RUS,CHN) +1 × m_comm(CHN,RUS) 0.65."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("CHN", "M7")])
    assert dvar(res, ctrl, "CHN", "AX") == APPROX(5)
    assert attr(res, "CHN-JPN", "direct") == APPROX(2)
    assert attr(res, "CHN-RUS", "spillover") == 0
    assert res.state.presence["tsugaru"].get("CHN") == 1
    ok, _ = turn(sc, st, [O("CHN", "M7", "okhotsk")])
    assert attr(ok, "CHN-RUS", "spillover") == APPROX(1 * 0.65)


def test_M8_joint_sea_needs_both(sc):
    """Russia and China both order the Joint Sea exercise (M8) with each other: IL and C between them rise by
    4 and 3, and excluded Japan gets T +4 with both partners, each read through the one spillover rule
    (Japan reading Russia × 0.825 × 1.41; reading China × m_comm 0.875). If only Russia orders it, nothing
    happens and Russia spends nothing."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("RUS", "M8", "CHN"), O("CHN", "M8", "RUS")])
    assert ddy(res, ctrl, "CHN-RUS", "IL") == APPROX(4)
    assert ddy(res, ctrl, "CHN-RUS", "C") == APPROX(3)
    assert attr(res, "JPN-RUS", "spillover") == APPROX(4 * reading(sc, st, "RUS", "JPN"))
    assert attr(res, "CHN-JPN", "spillover") == APPROX(4 * 0.875)
    assert res.state.rp["RUS"] == ctrl.state.rp["RUS"] - 2 and res.state.rp["CHN"] == ctrl.state.rp["CHN"] - 2
    solo, ctrl = turn(sc, st, [O("RUS", "M8", "CHN")])
    assert ddy(solo, ctrl, "CHN-RUS", "IL") == 0
    assert solo.state.rp["RUS"] == ctrl.state.rp["RUS"]
    assert "did not order it" in event(solo, "t1:order:RUS:M8")["text"]


def test_M9_shadowing_forces_contact_and_better_intel(sc):
    """Japan shadows Russia (M9) with no shared zone: the dyad still rolls for an incident at 1.5× chance,
    and Japan's intelligence on Russia sharpens this turn (half the noise)."""
    from wargame.engine.perception import intel_mult

    st = calm(sc)
    res, _ = turn(sc, st, [O("JPN", "M9", "RUS")])
    rolls = [d for d in res.draws if d["event"] == "t1:incident:JPN-RUS" and d["k"] == 0]
    assert rolls, "shadowing puts the two forces in contact"
    from wargame.engine.incidents import incident_chance
    assert rolls[0]["target"] == APPROX(incident_chance(sc.params, st, "JPN-RUS") * 1.5 * 100)
    assert intel_mult(res.state, "JPN", "RUS") == 0.5


def test_M10_raise_readiness(sc):
    """China raises readiness against Japan (M10): its N +5 for this turn only, T(JPN,CHN) +6 with ω
    spillover, and China's D +2."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("CHN", "M10", "JPN")])
    assert dvar(res, ctrl, "CHN", "N") == APPROX(5)
    assert attr(res, "CHN-JPN", "direct") == APPROX(6)
    assert attr(res, "CHN-RUS", "spillover") > 0
    assert dvar(res, ctrl, "CHN", "D") == APPROX(2)
    nxt = resolve_turn(sc, res.state, [], seed=3, skip_injects={i.id for i in sc.injects})
    assert nxt.state.actors["CHN"].vars["N"] == APPROX(55)


def test_M11_chokepoint_barrier(sc):
    """Japan closes the straits (M11, LL 45 ≥ 40): T +6 with both Russia and China, China's AX −8, and
    C(RUS,CHN) +3 as the two draw together."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "M11")])
    assert attr(res, "JPN-RUS", "direct") == APPROX(6)
    assert attr(res, "CHN-JPN", "direct") == APPROX(6)
    assert dvar(res, ctrl, "CHN", "AX") == APPROX(-8)
    assert ddy(res, ctrl, "CHN-RUS", "C") == APPROX(3)


def test_M11_needs_legal_latitude(sc):
    """Japan's LL is 35 (< 40): the barrier is not carried out and the event says which prerequisite failed."""
    st = calm(sc)
    st.actors["JPN"].vars["LL"] = 35.0
    res, _ = turn(sc, st, [O("JPN", "M11")])
    ev = event(res, "t1:order:JPN:M11")
    assert ev["kind"] == "not_carried_out" and "LL" in ev["text"]


def test_M12_detain_fishing_boat(sc):
    """Russia detains a Japanese fishing boat (M12): T(JPN,RUS) +6 and the victim Japan's D −3."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("RUS", "M12", "JPN")])
    assert attr(res, "JPN-RUS", "direct") == APPROX(6)
    assert dvar(res, ctrl, "JPN", "D") == APPROX(-3)
    assert res.state.dyads["JPN-RUS"].rung == 3


def test_M13_reinterpret_mandate(sc):
    """Japan extends its defence mandate (M13): LL +8 and T(JPN,CHN) +3, which spills onto Russia."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "M13")])
    assert dvar(res, ctrl, "JPN", "LL") == APPROX(8)
    assert attr(res, "CHN-JPN", "direct") == APPROX(3)
    assert attr(res, "JPN-RUS", "spillover") == APPROX(spill(sc, st, "JPN", "RUS", 3, 0.6))


def test_D1_two_plus_two(sc):
    """Japan and Russia both order the 2+2 (D1, unlocked): C +8, IL −1 to +4 on a roll (a 2+2 may achieve
    much or little), T −4, and C(JPN,USA) −2."""
    st = calm(sc, unlock={"D1"})
    res, ctrl = turn(sc, st, [O("JPN", "D1", "RUS"), O("RUS", "D1", "JPN")])
    assert ddy(res, ctrl, "JPN-RUS", "C") == APPROX(8)
    roll = [d for d in res.draws if d["event"] == "t1:order:JPN+RUS:D1"][0]["result"][0]
    assert ddy(res, ctrl, "JPN-RUS", "IL") == APPROX(-1 + roll - 1)
    assert attr(res, "JPN-RUS", "direct") == APPROX(-4)
    assert ddy(res, ctrl, "JPN-USA", "C") == APPROX(-2)


def test_D1_alone_does_not_happen(sc):
    """Japan alone orders D1 with Russia; Russia orders nothing. The 2+2 does not happen; no RP is spent."""
    st = calm(sc, unlock={"D1"})
    res, ctrl = turn(sc, st, [O("JPN", "D1", "RUS")])
    assert ddy(res, ctrl, "JPN-RUS", "C") == 0
    assert res.state.rp["JPN"] == ctrl.state.rp["JPN"]
    assert "did not happen" in event(res, "t1:order:JPN:D1")["text"]


def test_D2_leaders_summit(sc):
    """Japan and Russia hold a leaders' summit (D2): C +5, IL +4, each side's D moves ±3 on a roll, and
    C(RUS,CHN) −1 because the summit is Japan–Russia."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "D2", "RUS"), O("RUS", "D2", "JPN")])
    assert ddy(res, ctrl, "JPN-RUS", "C") == APPROX(5)
    assert ddy(res, ctrl, "JPN-RUS", "IL") == APPROX(4)
    assert abs(dvar(res, ctrl, "JPN", "D")) == APPROX(3)
    assert abs(dvar(res, ctrl, "RUS", "D")) == APPROX(3)
    assert ddy(res, ctrl, "CHN-RUS", "C") == APPROX(-1)
    other, ctrl2 = turn(sc, st, [O("CHN", "D2", "KOR"), O("KOR", "D2", "CHN")])
    assert ddy(other, ctrl2, "CHN-RUS", "C") == 0


def test_D3_protocol_review(sc):
    """Japan and Russia review their INCSEA protocol (D3): C +4 and a lasting −0.03 on incident chance."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "D3", "RUS"), O("RUS", "D3", "JPN")])
    assert ddy(res, ctrl, "JPN-RUS", "C") == APPROX(4)
    assert res.state.dyads["JPN-RUS"].inc_mod == APPROX(-0.03)


def test_D4_hotline(sc):
    """Japan and China set up a maritime and air hotline (D4): HOTLINE is set and C +10."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "D4", "CHN"), O("CHN", "D4", "JPN")])
    assert "HOTLINE" in res.state.dyads["CHN-JPN"].flags
    assert ddy(res, ctrl, "CHN-JPN", "C") == APPROX(10)


def test_D5_parallel_track(sc):
    """With IL 40 and C 45 reached and D5 unlocked, Japan and Russia agree the parallel track: the flag is set,
    IL +3 and the structural IL₀ +3 (the agreement ratchets it), T₀ −3, C(JPN,USA) −2 and C(RUS,CHN) −1. From
    then on the islands grievance is halved; D5 cannot be agreed twice."""
    st = calm(sc, unlock={"D5"})
    st.dyads["JPN-RUS"].IL = 40.0
    st.dyads["JPN-RUS"].C = 45.0
    res, ctrl = turn(sc, st, [O("JPN", "D5", "RUS"), O("RUS", "D5", "JPN")])
    assert "PARALLEL_TRACK" in res.state.dyads["JPN-RUS"].flags
    # IL +3, and this turn's drift already pulls toward the raised IL₀: k_IL × 3
    assert ddy(res, ctrl, "JPN-RUS", "IL") == APPROX(3 + sc.params.il_k * 3)
    assert res.state.dyads["JPN-RUS"].IL0 == APPROX(38 + 3) and res.state.dyads["JPN-RUS"].T0 == APPROX(35 - 3)
    assert ddy(res, ctrl, "JPN-USA", "C") == APPROX(-2)
    assert ddy(res, ctrl, "CHN-RUS", "C") == APPROX(-1)
    # drift: the grievance is halved (−0.5), and T is pulled toward the lowered T₀: −k_T × 3 × (0.5 + C/100)
    assert attr(res, "JPN-RUS", "drift") - attr(ctrl, "JPN-RUS", "drift") == APPROX(
        -0.5 - sc.params.drift_k * 3 * (0.5 + 0.45))
    again, _ = turn(sc, res.state, [O("JPN", "D5", "RUS"), O("RUS", "D5", "JPN")])
    assert "prerequisite unmet" in event(again, "t2:order:JPN:D5")["text"]


def test_D5_prerequisites(sc):
    """At baseline (IL 38, C 35) the parallel track cannot be agreed even when unlocked."""
    st = calm(sc, unlock={"D5"})
    res, _ = turn(sc, st, [O("JPN", "D5", "RUS"), O("RUS", "D5", "JPN")])
    assert "prerequisite unmet" in event(res, "t1:order:JPN:D5")["text"]
    assert "PARALLEL_TRACK" not in res.state.dyads["JPN-RUS"].flags


def test_D6_protest(sc):
    """Japan protests Russia's claim (D6): T(JPN,RUS) rises by a roll of 2 to 5, Japan's D +2."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "D6", "RUS")])
    assert attr(res, "JPN-RUS", "direct") in (2, 3, 4, 5)
    assert dvar(res, ctrl, "JPN", "D") == APPROX(2)


def test_D7_notify_exercises(sc):
    """Russia notifies Japan of its exercises and invites observers (D7): T −3, C +3, Japan sees Russia's true
    N this turn, and the dyad's incident chance is 0.02 lower this turn."""
    from wargame.engine import perceive

    st = calm(sc)
    res, ctrl = turn(sc, st, [O("RUS", "D7", "JPN")])
    assert attr(res, "JPN-RUS", "direct") == APPROX(-3)
    assert ddy(res, ctrl, "JPN-RUS", "C") == APPROX(3)
    view = perceive(sc, res.state, "JPN", seed=3)
    assert view["actors"]["RUS"]["N"] == {"value": res.state.actors["RUS"].vars["N"], "estimate": False, "noise": 0.0}


def test_D8_joint_statement(sc):
    """Russia and China issue a joint statement (D8) naming Japan: IL(RUS,CHN) +3, and Japan gets T +2 with both,
    as Japan reads each partner (the one spillover rule)."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("RUS", "D8", "CHN", "JPN"), O("CHN", "D8", "RUS")])
    assert ddy(res, ctrl, "CHN-RUS", "IL") == APPROX(3)
    assert attr(res, "JPN-RUS", "spillover") == APPROX(2 * reading(sc, st, "RUS", "JPN"))
    assert attr(res, "CHN-JPN", "spillover") == APPROX(2 * reading(sc, st, "CHN", "JPN"))


def test_D9_coordinate_on_north_korea(sc):
    """Japan and Russia coordinate after a North Korean test (D9): C +4, IL +2."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "D9", "RUS"), O("RUS", "D9", "JPN")])
    assert ddy(res, ctrl, "JPN-RUS", "C") == APPROX(4)
    assert ddy(res, ctrl, "JPN-RUS", "IL") == APPROX(2)


def test_E1_economic_package(sc):
    """Japan offers the 8-point economic package (E1): E +6, IL +1, Russia's D +2, C(JPN,USA) −2,
    IL(RUS,CHN) −1; it costs 3 RP."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "E1", "RUS")])
    assert ddy(res, ctrl, "JPN-RUS", "E") == APPROX(6)
    assert ddy(res, ctrl, "JPN-RUS", "IL") == APPROX(1)
    assert dvar(res, ctrl, "RUS", "D") == APPROX(2)
    assert ddy(res, ctrl, "JPN-USA", "C") == APPROX(-2)
    assert ddy(res, ctrl, "CHN-RUS", "IL") == APPROX(-1)
    assert ctrl.state.rp["JPN"] - res.state.rp["JPN"] == 3


def test_E2_joint_economic_activity(sc):
    """Japan and Russia start joint economic activity on the islands (E2): E +5, IL +3 (and IL₀ +2, a lasting
    ratchet), and Japan's D −3 — but no D loss under PARALLEL_TRACK."""
    st = calm(sc, unlock={"E2"})
    res, ctrl = turn(sc, st, [O("JPN", "E2", "RUS"), O("RUS", "E2", "JPN")])
    assert ddy(res, ctrl, "JPN-RUS", "E") == APPROX(5)
    assert ddy(res, ctrl, "JPN-RUS", "IL") == APPROX(3 + sc.params.il_k * 2)  # drift toward the raised IL₀
    assert res.state.dyads["JPN-RUS"].IL0 == APPROX(38 + 2)
    assert dvar(res, ctrl, "JPN", "D") == APPROX(-3)
    st.dyads["JPN-RUS"].flags = st.dyads["JPN-RUS"].flags | {"PARALLEL_TRACK"}
    res, ctrl = turn(sc, st, [O("JPN", "E2", "RUS"), O("RUS", "E2", "JPN")])
    assert dvar(res, ctrl, "JPN", "D") == 0


def test_E3_sanctions(sc):
    """The United States sanctions Russia (E3): E(RUS,USA) −6, T +4, IL −3, Russia's SP +5, and IL(RUS,CHN) +3
    as Russia turns to China."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("USA", "E3", "RUS")])
    assert ddy(res, ctrl, "RUS-USA", "E") == APPROX(-6)
    assert attr(res, "RUS-USA", "direct") == APPROX(4)
    assert ddy(res, ctrl, "RUS-USA", "IL") == APPROX(-3)
    assert dvar(res, ctrl, "RUS", "SP") == APPROX(5)
    assert ddy(res, ctrl, "CHN-RUS", "IL") == APPROX(3)


def test_E4_energy_deal(sc):
    """Russia and China sign an energy deal (E4): E +5, IL +2, and T(JPN,RUS) +1 as spillover, as Japan reads
    Russia (× 0.825 × 1.41)."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("RUS", "E4", "CHN"), O("CHN", "E4", "RUS")])
    assert ddy(res, ctrl, "CHN-RUS", "E") == APPROX(5)
    assert ddy(res, ctrl, "CHN-RUS", "IL") == APPROX(2)
    assert attr(res, "JPN-RUS", "spillover") == APPROX(1 * 0.825 * JPN_READS_RUS)


def test_E5_fisheries_agreement(sc):
    """Japan and Russia sign a fisheries agreement (E5): E +2, T −2, and the FISHERIES flag that stops NT7."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "E5", "RUS"), O("RUS", "E5", "JPN")])
    assert ddy(res, ctrl, "JPN-RUS", "E") == APPROX(2)
    assert attr(res, "JPN-RUS", "direct") == APPROX(-2)
    assert "FISHERIES" in res.state.dyads["JPN-RUS"].flags


def test_I1_narrative_campaign(sc):
    """Japan publishes China's activity (I1): Japan's D +3 and T(JPN,CHN) +2."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("JPN", "I1", "CHN")])
    assert dvar(res, ctrl, "JPN", "D") == APPROX(3)
    assert attr(res, "CHN-JPN", "direct") == APPROX(2)


def test_I2_posture_transparency(sc):
    """Russia is transparent about its posture towards China (I2, C 70 ≥ 35): C +2, and ω from Russia is halved
    this turn, so its buildup against China spills half as much onto Japan — its catalogue spillover terms
    (M4's) too. I2 is usable from the baseline: Japan–Russia's C 35 meets the threshold."""
    st = calm(sc)
    res, ctrl = turn(sc, st, [O("RUS", "I2", "CHN")])
    assert ddy(res, ctrl, "CHN-RUS", "C") == APPROX(2)
    plain, _ = turn(sc, st, [O("RUS", "M1", "CHN")])
    halved, _ = turn(sc, st, [O("RUS", "M1", "CHN"), O("RUS", "I2", "CHN")])
    assert attr(halved, "JPN-RUS", "spillover") == APPROX(attr(plain, "JPN-RUS", "spillover") / 2)
    patrol, _ = turn(sc, st, [O("RUS", "M4")])
    calm_patrol, _ = turn(sc, st, [O("RUS", "M4"), O("RUS", "I2", "CHN")])
    assert attr(calm_patrol, "JPN-RUS", "spillover") == APPROX(attr(patrol, "JPN-RUS", "spillover") / 2)
    usable, _ = turn(sc, st, [O("RUS", "I2", "JPN")])  # C(JPN,RUS) 35 ≥ 35
    assert not kinds(usable, "not_carried_out")
    st.dyads["JPN-RUS"].C = 30.0
    blocked, _ = turn(sc, st, [O("RUS", "I2", "JPN")])
    assert "prerequisite unmet" in event(blocked, "t1:order:RUS:I2")["text"]


def test_I3_cyber_probe_covert_or_detected(sc):
    """Russia probes Japan's sensors (I3): Japan's intelligence worsens for the turn. The probe is detected
    when 2d6 ≥ 8 + C/25; then T +6 and the event becomes public, otherwise only Russia hears of it."""
    from wargame.engine.perception import intel_mult

    st = calm(sc)
    seen = set()
    for seed in range(40):
        res, _ = turn(sc, st, [O("RUS", "I3", "JPN")], seed=seed)
        ev = event(res, "t1:order:RUS:I3")
        roll = [d for d in res.draws if d["event"] == "t1:order:RUS:I3"][0]
        det = roll["total"] >= 8 + 35 / 25
        assert ev["detected"] is det
        assert attr(res, "JPN-RUS", "direct") == (APPROX(6) if det else 0)
        assert ev["audience"] == ("all" if det else ["RUS"])
        assert intel_mult(res.state, "JPN", "CHN") == 1.5
        seen.add(det)
    assert seen == {True, False}


def test_two_action_limit_and_budget(sc):
    """Japan orders three actions; only two (in action-key order) are carried out. Korea (4 RP) orders
    M1 (3) and M6 (2): the second exceeds the budget and is dropped."""
    st = calm(sc)
    res, _ = turn(sc, st, [O("JPN", "M1", "CHN"), O("JPN", "M2"), O("JPN", "I1", "CHN")])
    assert len([e for e in kinds(res, "action") if "JPN" in e["teams"]]) == 2
    res, _ = turn(sc, st, [O("KOR", "M1", "PRK"), O("KOR", "M6", "PRK")])
    ev = event(res, "t1:order:KOR:M6")
    assert "over RP budget (5 > 4)" in ev["text"]


def test_opposed_roll_asw_versus_borei(sc):
    """Japan patrols (M2) while Russia sails a Borei (M4): an opposed roll 2d6 + ASW gap/10 decides; the loser's
    action takes effect at half strength."""
    st = calm(sc)
    outcomes = set()
    for seed in range(30):
        res, ctrl = turn(sc, st, [O("JPN", "M2"), O("RUS", "M4")], seed=seed)
        ev = event(res, "t1:opposed:M2:JPN-M4:RUS")
        a, b = sum(ev["rolls"][0]) + 2.5, sum(ev["rolls"][1])
        bs = dvar(res, ctrl, "RUS", "BS")
        if a > b:
            assert bs == APPROX(-6 + 1.5)
        elif b > a:
            assert bs == APPROX(-3 + 3)
        outcomes.add(ev["winner"])
    assert {"JPN", "RUS"} <= outcomes
