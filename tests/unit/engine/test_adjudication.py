"""Rule table: argued actions (§6) and White's overrides as inputs (§4.8)."""
import pytest

from wargame.engine import ArguedError, ArguedOrder, Override, OverrideError, resolve_turn

from .helpers import NT, O, all_inject_ids, attr, calm, event, scen

APPROX = pytest.approx


@pytest.fixture(scope="module")
def nt():
    return scen(NT)


def go(sc, orders, seed=4, **kw):
    kw.setdefault("skip_injects", all_inject_ids(sc))
    return resolve_turn(sc, calm(sc), orders, seed=seed, **kw)


SCALES = {"yes_and": 1.25, "yes_but": 0.75, "no_but": 0.0, "no_and": 0.0}


def test_weighted_2d6_outcome_bands(nt):
    """China argues that a coast-guard surge near the Senkakus intimidates Japan, nearest action M6. White runs
    weighted 2d6 and accepts two of China's reasons (+2) and one Japanese counter-argument (−1). 7+ succeeds;
    a margin of 3 or more makes it 'Yes, and' (or 'No, and'). The effect is M6 scaled by the outcome."""
    outs = set()
    for seed in range(40):
        ao = ArguedOrder("CHN", "Coast-guard surge", "Japan backs off", ("a", "b", "c"), ("T",), "M6",
                         target="JPN", accepted_reasons=2, accepted_counters=1)
        res = go(nt, [ao], seed=seed)
        ev = event(res, "t1:argued:CHN")
        adj = ev["adjudication"]
        total = sum(adj["roll"]) + 1
        assert adj["total"] == total
        exp = ("yes_and" if total >= 10 else "yes_but" if total >= 7 else "no_and" if total <= 4 else "no_but")
        assert adj["outcome"] == exp
        assert attr(res, "CHN-JPN", "direct") == APPROX(5 * SCALES[exp])
        outs.add(exp)
    assert {"yes_and", "yes_but", "no_but"} <= outs


def test_estimative_cards_median(nt):
    """Estimative mode: Japan, the US and White put down 30, 70 and 90%. The median, 70%, is rolled on d100;
    success by 20 or more is 'Yes, and'."""
    for seed in range(30):
        ao = ArguedOrder("RUS", "Matua base is purely defensive", cards={"JPN": 30, "USA": 70, "WHITE": 90},
                         nearest_action="M4")
        res = go(nt, [ao], seed=seed, argued_mode="estimative")
        adj = event(res, "t1:argued:RUS")["adjudication"]
        assert adj["probability"] == 70
        roll = adj["roll"]
        exp = "yes_and" if roll <= 50 else "yes_but" if roll <= 70 else "no_but" if roll < 90 else "no_and"
        assert adj["outcome"] == exp


def test_umpire_set_probability(nt):
    """Umpire-set mode: White enters 100% and the action always succeeds; 0% and it always fails."""
    for seed in range(10):
        yes = go(nt, [ArguedOrder("JPN", "x", probability=100, nearest_action="D6", target="RUS")], seed=seed,
                 argued_mode="umpire")
        assert event(yes, "t1:argued:JPN")["adjudication"]["success"] is True
        no = go(nt, [ArguedOrder("JPN", "x", probability=0, nearest_action="D6", target="RUS")], seed=seed,
                argued_mode="umpire")
        assert event(no, "t1:argued:JPN")["adjudication"]["success"] is False


def test_argued_cap_ten(nt):
    """Russia argues a Matua base (nearest M3, T(JPN,RUS) +8). White scales it ×1.5 (→ +12): no variable may move
    more than ±10 from one argued action, so tension rises by 10."""
    ao = ArguedOrder("RUS", "Matua base", probability=100, nearest_action="M3")
    res = go(nt, [ao], argued_mode="umpire",
             overrides=[Override("t1:argued:RUS", "scale", 1.5, "Realism", "strong case")])
    assert attr(res, "JPN-RUS", "direct") == APPROX(10)
    assert event(res, "t1:argued:RUS")["override"]["reason"] == "Realism"
    assert event(res, "t1:argued:RUS:override")["audience"] == "white"


def test_argued_input_errors(nt):
    """An argued action with four reasons, a card value not on the deck, or a probability of 120 is refused."""
    with pytest.raises(ArguedError, match="three reasons"):
        go(nt, [ArguedOrder("JPN", "x", reasons=("a", "b", "c", "d"))])
    with pytest.raises(ArguedError, match="card"):
        go(nt, [ArguedOrder("JPN", "x", cards={"RUS": 45})], argued_mode="estimative")
    with pytest.raises(ArguedError, match="0–100"):
        go(nt, [ArguedOrder("JPN", "x", probability=120)], argued_mode="umpire")


def test_override_scale_catalogue_action(nt):
    """White scales China's exercise near the Senkakus (M6, T +5) by ×1.5 for realism: T +7.5; the override is
    logged as an event with its reason."""
    res = go(nt, [O("CHN", "M6", "JPN")], overrides=[Override("t1:order:CHN:M6", "scale", 1.5, "Realism")])
    assert attr(res, "CHN-JPN", "direct") == APPROX(7.5)
    assert event(res, "t1:order:CHN:M6:override")["reason"] == "Realism"


def test_override_replace(nt):
    """White replaces the effects of Japan's protest (D6) with T(JPN,RUS) +1 only."""
    res = go(nt, [O("JPN", "D6", "RUS")],
             overrides=[Override("t1:order:JPN:D6", "replace", [{"var": "T", "dyad": ["JPN", "RUS"], "delta": 1}],
                                 "Pedagogy")])
    assert attr(res, "JPN-RUS", "direct") == APPROX(1)


@pytest.mark.parametrize("ovr,msg", [
    (Override("t1:order:CHN:M6", "scale", 1.8, "Realism"), "0.5–1.5"),
    (Override("t1:order:CHN:M6", "scale", 0.2, "Realism"), "0.5–1.5"),
    (Override("t1:order:CHN:M6", "replace", [{"var": "T", "dyad": ["CHN", "JPN"], "delta": 12}], "Error"), "±10"),
    (Override("t1:order:CHN:M6", "scale", 1.2, "Because"), "reason"),
    (Override("t1:order:CHN:M6", "sideways", 1.2, "Error"), "kind"),
    (Override("t1:order:XXX:M6", "scale", 1.2, "Error"), "names no event"),
])
def test_override_out_of_range(nt, ovr, msg):
    """Out-of-range overrides raise a ValueError subclass that names the limit."""
    with pytest.raises(OverrideError, match=msg) as ei:
        go(nt, [O("CHN", "M6", "JPN")], overrides=[ovr])
    assert isinstance(ei.value, ValueError)


def test_reroll_moves_only_that_draw(nt):
    """White re-rolls Japan's protest roll (D6) for an error: only that draw changes (it gets a new salt); every
    other draw of the turn, such as Korea's D6 roll, is identical."""
    st = calm(nt)
    orders = [O("JPN", "D6", "RUS"), O("KOR", "D6", "PRK")]
    skip = all_inject_ids(nt)
    base = resolve_turn(nt, st, orders, seed=9, skip_injects=skip)
    changed = False
    for salt in range(1, 8):
        rr = resolve_turn(nt, st, orders, seed=9, skip_injects=skip,
                          overrides=[Override("t1:order:JPN:D6", "reroll", salt, "Error")])
        a = {(d["event"], d["k"]): d for d in base.draws}
        b = {(d["event"], d["k"]): d for d in rr.draws}
        assert a.keys() == b.keys()
        for k in a:
            if k[0] != "t1:order:JPN:D6":
                assert a[k]["result"] == b[k]["result"]
            else:
                assert b[k]["salt"] == salt
                changed |= a[k]["result"] != b[k]["result"]
    assert changed


def test_manual_dice_recorded(nt):
    """White rolls physical dice for Korea's protest and enters a 4 (T +5): the draw is tagged manual."""
    res = go(nt, [O("KOR", "D6", "PRK")], overrides=[Override("t1:order:KOR:D6", "manual_dice", 4, "Pace")])
    d = [x for x in res.draws if x["event"] == "t1:order:KOR:D6"][0]
    assert d["manual"] is True and d["result"] == [4]
    assert attr(res, "KOR-PRK", "direct") == APPROX(5)
    with pytest.raises(OverrideError, match="between 1 and 4"):
        go(nt, [O("KOR", "D6", "PRK")], overrides=[Override("t1:order:KOR:D6", "manual_dice", 6, "Pace")])


def test_no_and_costs_support_and_white_can_rescue_a_no(nt):
    """Japan argues at 0%: always a failure by ≥ 20, 'No, and': nothing of the nearest action (D4, a hotline)
    happens, not even its flag, and Japan's D falls by 2. If White scales the failed action ×0.5 instead, half of
    it happens (C +5) and the hotline is set."""
    ao = ArguedOrder("JPN", "Hotline with Beijing", probability=0, nearest_action="D4", target="CHN")
    res = go(nt, [ao], argued_mode="umpire")
    assert event(res, "t1:argued:JPN")["adjudication"]["outcome"] == "no_and"
    ctrl = go(nt, [], argued_mode="umpire")
    assert res.state.actors["JPN"].vars["D"] - ctrl.state.actors["JPN"].vars["D"] == APPROX(-2)
    assert "HOTLINE" not in res.state.dyads["CHN-JPN"].flags
    res = go(nt, [ao], argued_mode="umpire", overrides=[Override("t1:argued:JPN", "scale", 0.5, "Pedagogy")])
    assert res.state.dyads["CHN-JPN"].C - ctrl.state.dyads["CHN-JPN"].C == APPROX(5)
    assert "HOTLINE" in res.state.dyads["CHN-JPN"].flags
