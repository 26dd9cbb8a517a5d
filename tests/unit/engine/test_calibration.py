"""GAME_MODEL §12 calibration (`wargame.engine.calibrate`, `manage.py calibrate`) and §10 as medians over seeds.

The target functions are tested on synthetic series: an "ideal" set of runs passes every row, and one change
per row makes that row fail. The real §12 run must pass on both scenarios.
"""
import json
import os
import statistics
import subprocess
import sys

import pytest

from wargame.engine.calibrate import (ALL_POLICIES, CJ, JR, POLICIES, SEA_POLICIES, SEA_TARGETS, TARGETS, GameSeries, calibrate, end_kind,
                                      measure, play_game, run_policies)
from wargame.engine.orders import ArguedOrder, Order
from wargame.engine.simulate import (PolicyError, format_seeds, parse_policy, parse_seeds, read_policy, run,
                                     simulate)

from .helpers import NT, SO, scen

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

LIMIT = "turn limit reached (8 turns)"
WAR = "armed conflict between CHN and JPN (rung 7): play stops for a hotwash"
TREATY = "JPN–RUS institution level reached 75: a peace-treaty framework"
DYADS = (CJ, "CHN-RUS", JR)
DETENTE = next(p for p in POLICIES if p.key == "detente").orders


@pytest.fixture(scope="module")
def nt():
    return scen(NT)


@pytest.fixture(scope="module")
def so():
    return scen(SO)


# ------------------------------------------------------------------ synthetic series


def ramp(a, b, turns=8):
    return tuple(a + (b - a) * i / turns for i in range(turns + 1))


def flat(v, turns=8):
    return (v,) * (turns + 1)


def game(seed=1, *, T=None, IL=None, rung=None, incidents=2, ended=LIMIT, spill=0.0, turns=8):
    """A GameSeries with calm defaults; T/IL/rung override single dyads; spill is ΔT(JPN,RUS) spillover a turn."""
    series = {
        "T": {JR: flat(38.0, turns), CJ: flat(55.0, turns), "CHN-RUS": flat(12.0, turns)},
        "IL": {JR: flat(38.0, turns), CJ: flat(28.0, turns), "CHN-RUS": flat(65.0, turns)},
        "rung": {JR: flat(1, turns), CJ: flat(3, turns), "CHN-RUS": flat(0, turns)},
    }
    for name, given in (("T", T), ("IL", IL), ("rung", rung)):
        series[name].update({k: v[:turns + 1] for k, v in (given or {}).items()})
    t = series["T"][JR]
    rise = t[-1] - t[0]
    parts = {"direct": (0.0,) * turns, "spillover": (spill,) * turns, "incident": (0.0,) * turns,
             "drift": ((rise - spill * turns) / turns,) * turns}
    return GameSeries(seed, series["T"], series["IL"], series["rung"], incidents, ended, end_kind(ended), parts, {})


def ideal_runs():
    """Ten games a policy, every §12 target met."""
    n = range(1, 11)
    return {
        "quiet": [game(s) for s in n],
        "routine": [game(s, rung={CJ: ramp(3, 3)}) for s in n],
        "buildup": [game(s, T={JR: ramp(35, 60)}, rung={JR: (1, 1, 2, 2, 2, 3, 3, 3, 3)}, spill=3.0) for s in n],
        "buildup_talk": [game(s, T={JR: ramp(35, 45)}, spill=1.0) for s in n],
        "talk_control": [game(s, T={JR: ramp(35, 60)}, spill=3.0) for s in n],
        "buildup_align": [game(s, T={JR: ramp(35, 70)}, spill=4.0) for s in n],
        "align_control": [game(s, T={JR: ramp(35, 60)}, spill=3.0) for s in n],
        "detente": [game(s, IL={JR: ramp(38, 55) if s % 2 else flat(44.0)}) for s in n],
    }


def _set(key, first=None, every=None, count=1):
    """A change to runs[key]: the first `count` games become game(**first), or every game game(**every)."""
    def change(runs):
        for i, g in enumerate(runs[key]):
            if every is not None or i < count:
                runs[key][i] = game(g.seed, **(every if every is not None else first))
    return change


# One change per row of TARGETS, in the same order, that makes (at least) that row fail.
BREAK = [
    _set("quiet", {"ended": WAR, "turns": 5}),
    _set("quiet", {"rung": {CJ: (3, 3, 4, 5, 6, 5, 5, 5, 5)}}),
    _set("quiet", {"IL": {JR: ramp(38, 52)}}, count=2),
    _set("quiet", {"rung": {JR: ramp(1, 3)}}, count=2),
    _set("quiet", every={"IL": {"CHN-RUS": ramp(65, 80)}}),
    _set("quiet", every={"incidents": 12}),
    _set("routine", {"ended": WAR, "turns": 4}),
    _set("routine", every={"rung": {CJ: ramp(3, 7)}}),
    _set("buildup", every={"T": {JR: ramp(35, 96)}, "spill": 8.0}),
    _set("buildup", every={"T": {JR: ramp(35, 60)}, "rung": {JR: ramp(1, 5)}, "spill": 3.0}),
    _set("buildup", {"T": {JR: ramp(35, 60)}, "rung": {JR: (1, 2, 3, 4, 5, 6, 5, 4, 3)}, "spill": 3.0}),
    _set("buildup", every={"T": {JR: ramp(35, 60)}, "rung": {JR: ramp(1, 3)}, "spill": 0.5}),
    _set("buildup_talk", every={"T": {JR: ramp(35, 55)}, "spill": 1.0}),
    _set("buildup_talk", every={"T": {JR: ramp(35, 45)}, "spill": 3.0}),
    _set("buildup_align", every={"T": {JR: ramp(35, 62)}, "spill": 4.0}),
    _set("detente", every={"IL": {JR: ramp(38, 55)}}),
    _set("detente", {"ended": TREATY, "turns": 6, "IL": {JR: ramp(38, 75, 6)}}, count=2),
]


def test_every_target_passes_on_ideal_series():
    rows = measure(ideal_runs())
    assert len(rows) == len(TARGETS) == len(BREAK)
    assert [r["target"] for r in rows] == [t[1] for t in TARGETS]
    for r in rows:
        assert r["passed"], r
        assert set(r) == {"policy", "target", "measured", "value", "passed"}
        assert any(ch.isdigit() for ch in r["measured"])


@pytest.mark.parametrize("index", range(len(BREAK)), ids=[t[1][:40] for t in TARGETS])
def test_every_target_can_fail(index):
    runs = ideal_runs()
    BREAK[index](runs)
    row = measure(runs)[index]
    assert not row["passed"], row
    assert row["policy"] == {p.key: p.name for p in ALL_POLICIES}[TARGETS[index][0]]


def test_target_edges():
    """Bounds are inclusive (95% coexistence, 3 incidents, +15 over quiet, 10% treaties); an odd median rung
    between bands fails; a rise of zero has nothing to attribute."""
    runs = ideal_runs()
    runs["quiet"] = [game(s, IL={JR: ramp(38, 52)} if s == 1 else None) for s in range(1, 21)]
    assert measure(runs)[2]["passed"] and measure(runs)[2]["value"] == 0.95
    runs = ideal_runs()
    runs["quiet"] = [game(s, incidents=3) for s in range(1, 11)]
    assert measure(runs)[5]["passed"]
    runs["quiet"] = [game(s, incidents=0) for s in range(1, 11)]
    assert not measure(runs)[5]["passed"]
    runs = ideal_runs()
    runs["buildup"] = [game(s, T={JR: ramp(35, 53)}, rung={JR: ramp(1, 3)}, spill=3.0) for s in range(1, 11)]
    row = measure(runs)[8]
    assert row["passed"] and row["value"] == 15.0
    runs["buildup"] = [game(s, T={JR: flat(35.0)}, rung={JR: ramp(1, 3)}, spill=3.0) for s in range(1, 11)]
    row = measure(runs)[11]
    assert not row["passed"] and row["value"] is None and "no rise" in row["measured"]
    runs = ideal_runs()
    runs["detente"][0] = game(1, ended=TREATY, turns=6)
    assert measure(runs)[16]["passed"]


def test_missing_data_fails_and_says_so():
    """A target whose data the games do not hold fails with "cannot be measured yet", never passes."""
    runs = ideal_runs()
    del runs["talk_control"]
    for g in runs["buildup"]:
        g.parts = {k: v for k, v in g.parts.items() if k != "spillover"}
    rows = measure(runs)
    for i in (11, 12, 13):
        assert not rows[i]["passed"] and rows[i]["measured"].startswith("cannot be measured yet"), rows[i]
    assert "spillover" in rows[11]["measured"] and "control" in rows[12]["measured"]


def test_end_kind():
    assert end_kind(LIMIT) == "limit" and end_kind(WAR) == "war" and end_kind(TREATY) == "treaty"
    assert end_kind(None) == "none" and end_kind("White ends the game") == "other"
    assert end_kind("a settlement is agreed", treaty_event=True) == "treaty"


# ------------------------------------------------------------------ policies: crisis key, steps, seeds


def test_crisis_key_is_validated_recorded_and_defaults_to_hold(nt):
    pol = read_policy(nt, {"JPN": ["M2"], "crisis": {"JPN": "deescalate", "RUS": "escalate"}})
    assert pol.crisis == {"JPN": "deescalate", "RUS": "escalate", "CHN": "hold", "USA": "hold", "KOR": "hold"}
    assert set(read_policy(nt, None).crisis.values()) == {"hold"}
    assert parse_policy(nt, {"JPN": ["M2"], "crisis": {"JPN": "escalate"}}) == {"JPN": (Order("JPN", "M2"),)}
    rep = simulate(nt, '{"crisis": {"CHN": "deescalate"}}', turns=1, seed=3)
    assert rep["crisis"]["CHN"] == "deescalate" and rep["crisis"]["JPN"] == "hold"
    for bad, msg in [({"crisis": {"JPN": "surrender"}}, "must be one of deescalate, hold, escalate"),
                     ({"crisis": {"PRK": "hold"}}, "crisis: unknown team 'PRK'"),
                     ({"crisis": ["JPN"]}, "crisis: expected an object")]:
        with pytest.raises(PolicyError, match=msg):
            read_policy(nt, bad)


@pytest.mark.parametrize("policy,msg", [
    ({"JPN": [{"order": "M2", "when": "sometimes"}]}, "\"when\" must be one of always, usable"),
    ({"JPN": [{"order": "M2", "turns": "weekends"}]}, "\"turns\" must be every, odd, even"),
    ({"JPN": [{"order": "M2", "turns": [0]}]}, "\"turns\" must be"),
    ({"JPN": [{"order": "M2", "why": "x"}]}, "unknown: why"),
    ({"JPN": [{"when": "usable"}]}, "needs \"order\""),
    ({"JPN": ["M2", "M1:CHN", {"order": "D6:RUS", "turns": "odd"}]}, "at most 2 actions a turn, got 3 on turn 1"),
    ({"JPN": [{"order": "M2", "turns": [2]}, {"order": "M2", "turns": "even"}]}, "M2 listed twice for turn 2"),
    ({"JPN": [{"order": "M3", "when": "usable"}]}, "M3 is not an action JPN can take"),
    ({"JPN": [{"argue": " "}]}, "an argued step needs \"argue\""),
    ({"JPN": [{"argue": "x", "when": "usable"}]}, "unknown: when"),
    ({"JPN": [{"argue": "x", "nearest": "M99"}]}, "unknown nearest action M99"),
    ({"JPN": [{"argue": "x", "target": "JPN"}]}, "cannot target JPN"),
    ({"JPN": [{"argue": "x"}, {"argue": "y", "turns": [3]}]}, "one argued action a turn, got two for turn 3"),
])
def test_policy_steps_that_can_never_be_valid(nt, policy, msg):
    with pytest.raises(PolicyError, match=msg) as ei:
        read_policy(nt, policy)
    assert "\n" not in str(ei.value)


def test_conditional_and_rotating_steps(nt):
    """A "usable" step is ordered only when the checks players see allow it, and takes the first of the two
    slots; odd/even steps alternate. Extra steps beyond two orders wait."""
    detente = read_policy(nt, DETENTE)
    st = nt.initial_state()
    assert detente.orders_for(nt, st) == [Order("JPN", "D1", "RUS"), Order("JPN", "E1", "RUS"),
                                          Order("RUS", "D1", "JPN")]
    ready = nt.initial_state()
    ready.unlocked = ready.unlocked | {"D1", "D5"}
    d = ready.dyads[JR]
    d.IL, d.C = 45.0, 50.0
    assert detente.orders_for(nt, ready) == [Order("JPN", "D5", "RUS"), Order("JPN", "D1", "RUS"),
                                             Order("RUS", "D5", "JPN"), Order("RUS", "D1", "JPN")]
    ready.rp["RUS"] = 2  # D5 (3 RP) does not fit: the usable step waits, the unconditional one is ordered
    assert [o.action for o in detente.orders_for(nt, ready) if o.team == "RUS"] == ["D1"]
    talk = read_policy(nt, next(p for p in POLICIES if p.key == "buildup_talk").orders)
    assert [o.action for o in talk.orders_for(nt, st) if o.team == "JPN"] == ["M2", "D3"]
    st.turn = 1
    assert [o.action for o in talk.orders_for(nt, st) if o.team == "JPN"] == ["M2", "D1"]
    assert not talk.fixed and read_policy(nt, {"JPN": ["M2"]}).fixed
    st.turn = 7  # turn 8: both argue for a settlement, outside the two orders
    argued = [o for o in detente.orders_for(nt, st) if isinstance(o, ArguedOrder)]
    assert [o.team for o in argued] == ["JPN", "RUS"] and argued[0].nearest_action is None
    assert len([o for o in detente.orders_for(nt, st) if isinstance(o, Order) and o.team == "JPN"]) == 2
    assert all(isinstance(o, Order) for o in parse_policy(nt, DETENTE)["JPN"])


def test_detente_agrees_the_parallel_track_in_play(nt):
    """In a played game the "usable" D5 step is taken once its prerequisites hold, and the flag is set."""
    turns = run(nt, DETENTE, turns=8, seed=1)[0]["turns"]
    assert any("PARALLEL_TRACK" in t["dyads"][JR]["flags"] for t in turns)


def test_parse_seeds():
    assert parse_seeds("1-5,9,12-13") == [1, 2, 3, 4, 5, 9, 12, 13]
    assert parse_seeds("7") == [7] and parse_seeds("3,1-3") == [3, 1, 2]
    assert format_seeds(parse_seeds("1-200,205")) == "1-200,205"
    for bad in ("x", "5-1", "-3", "1-", ""):
        with pytest.raises(PolicyError):
            parse_seeds(bad)


# ------------------------------------------------------------------ running calibrate


def test_same_seeds_same_report(so):
    """Same seeds → the same report, whatever the number of worker processes."""
    a = calibrate(so, 4, workers=1)
    assert json.dumps(a) == json.dumps(calibrate(so, 4, workers=1))
    assert json.dumps(a) == json.dumps(calibrate(so, [1, 2, 3, 4], workers=2))
    assert json.dumps(a) != json.dumps(calibrate(so, [5, 6, 7, 8], workers=1))


def test_run_policies_matches_simulate(nt):
    """A calibration game is the same game `simulate` plays with that policy and seed."""
    pol = next(p for p in POLICIES if p.key == "buildup_talk")
    games = run_policies(nt, (pol,), [3, 4], workers=2)[pol.key]
    for g in games:
        rep = simulate(nt, pol.orders, turns=8, seed=g.seed)
        assert [round(x, 4) for x in g.T[JR]] == [t["dyads"][JR]["T"] for t in rep["turns"]]
        assert [round(x, 4) for x in g.parts["spillover"]] == [t["attribution"][JR]["spillover"]
                                                              for t in rep["turns"][1:]]
        assert g.incidents == sum(e["kind"] == "incident" for t in rep["turns"] for e in t["events"])
        assert g.ended == rep["ended"]


@pytest.mark.parametrize("slug", [NT, SO])
def test_report_shape(slug):
    sc = scen(slug)
    rep = calibrate(sc, 3, workers=1)
    assert list(rep) == ["scenario", "seeds", "turns", "policies", "targets", "passed", "total", "objectives"]
    assert (rep["scenario"], rep["seeds"], rep["turns"]) == (slug, "1-3", 8)
    # the Sea of Okhotsk (hidden submarines) also plays SEA_POLICIES and measures SEA_TARGETS
    sea = SEA_POLICIES if slug == SO else ()
    assert [p["key"] for p in rep["policies"]] == [p.key for p in ALL_POLICIES + sea]
    assert all(p["games"] == 3 and sum(p["ends"].values()) == 3 for p in rep["policies"])
    assert rep["total"] == len(TARGETS) + (len(SEA_TARGETS) if sea else 0)
    assert rep["passed"] == sum(r["passed"] for r in rep["targets"])
    assert {r["policy"] for r in rep["targets"]} == {p.name for p in POLICIES + sea}
    for r in rep["targets"]:
        assert isinstance(r["passed"], bool) and r["measured"] and r["target"]
    ids = [o["id"] for o in rep["objectives"]]
    assert ids == [o.id for t in sc.team_codes for o in sc.team(t).objectives]
    for o in rep["objectives"]:
        assert set(o["met"]) == {p.key for p in POLICIES + sea}
        assert all(0 <= v <= 1 for v in o["met"].values())
    json.dumps(rep)


@pytest.mark.parametrize("slug", [NT, SO])
def test_section_12_targets_over_100_seeds(slug):
    """GAME_MODEL §12: every target holds over 100 seeds, 8 turns, injects on."""
    rep = calibrate(scen(slug), 100, workers=max(1, min(4, os.cpu_count() or 1)))
    failing = [f"{r['policy']}: {r['target']} — {r['measured']}" for r in rep["targets"] if not r["passed"]]
    assert not failing, "\n".join(failing)


# ------------------------------------------------------------------ §10 as medians over seeds

SEEDS = range(1, 101)
BUILDUP = {"JPN": ["M1:CHN", "M2"], "RUS": ["M1:CHN", "M4"]}


def _games(sc, policy):
    pol = read_policy(sc, policy)
    return [run(sc, pol, turns=8, seed=s)[0]["turns"] for s in SEEDS]


def _paired(a_runs, b_runs, f):
    """Median over seeds of f(a, b, k), k the last turn both runs of that seed are still in play."""
    return statistics.median(f(a, b, min(len(a), len(b)) - 1) for a, b in zip(a_runs, b_runs))


def _T(turns, k, key=JR):
    return turns[k]["dyads"][key]["T"]


def _sum(turns, k, part, key=JR):
    return sum(t["attribution"][key][part] for t in turns[1:k + 1])


@pytest.mark.parametrize("slug", [NT, SO])
def test_10_1_spillover_median(slug):
    """Both build up against China, nothing aimed at each other: the median seed's T(JPN,RUS) rises more than
    with no orders, and the difference is spillover."""
    sc = scen(slug)
    quiet, build = _games(sc, None), _games(sc, BUILDUP)
    assert _paired(build, quiet, lambda b, q, k: _T(b, k) - _T(q, k)) > 0
    assert statistics.median(_sum(b, len(b) - 1, "spillover") for b in build) > 0
    assert all(_sum(q, len(q) - 1, "spillover") == 0 for q in quiet)


@pytest.mark.parametrize("slug", [NT, SO])
@pytest.mark.parametrize("measure_key", ["D1", "D3"])
def test_10_2_factor_one_median(slug, measure_key):
    """The same buildups with Japan–Russia C raised (D1 or D3 every turn): higher C, a smaller rise in
    T(JPN,RUS) and less spillover, in the median seed."""
    sc = scen(slug)
    base = _games(sc, {"JPN": ["M2"], "RUS": ["M1:CHN"]})
    talk = _games(sc, {"JPN": ["M2", f"{measure_key}:RUS"], "RUS": ["M1:CHN", f"{measure_key}:JPN"]})
    assert _paired(talk, base, lambda t, b, k: t[k]["dyads"][JR]["C"] - b[k]["dyads"][JR]["C"]) > 0
    assert _paired(talk, base, lambda t, b, k: _T(t, k) - _T(b, k)) < 0
    assert _paired(talk, base, lambda t, b, k: _sum(t, k, "spillover") - _sum(b, k, "spillover")) < 0


@pytest.mark.parametrize("slug", [NT, SO])
def test_10_3_factor_two_median(slug):
    """Japan's buildup with Russia drawing close to China (M8 + E4 every turn): a closer Russia–China, and a
    larger rise in T(JPN,RUS) with more spillover, in the median seed."""
    sc = scen(slug)
    base = _games(sc, {"JPN": ["M1:CHN", "M2"]})
    close = _games(sc, {"JPN": ["M1:CHN", "M2"], "RUS": ["M8:CHN", "E4:CHN"], "CHN": ["M8:RUS", "E4:RUS"]})
    assert _paired(close, base, lambda c, b, k: c[k]["dyads"]["CHN-RUS"]["IL"] - b[k]["dyads"]["CHN-RUS"]["IL"]) > 0
    assert _paired(close, base, lambda c, b, k: _T(c, k) - _T(b, k)) > 0
    assert _paired(close, base, lambda c, b, k: _sum(c, k, "spillover") - _sum(b, k, "spillover")) > 0


def test_10_4_parallel_track_median():
    """With PARALLEL_TRACK set the islands drift in T(JPN,RUS) falls and IL does not lag; agreeing it in play
    (D5 beside the 2+2s) raises IL faster, in the median seed."""
    sc = scen(NT)
    flagged = sc.initial_state()
    flagged.dyads[JR].flags = flagged.dyads[JR].flags | {"PARALLEL_TRACK"}
    plain = _games(sc, None)
    par = [run(sc, None, turns=8, seed=s, state=flagged.copy())[0]["turns"] for s in SEEDS]
    assert _paired(par, plain, lambda p, q, k: _sum(p, k, "drift") - _sum(q, k, "drift")) < 0
    assert _paired(par, plain, lambda p, q, k: _T(p, k) - _T(q, k)) < 0
    assert _paired(par, plain, lambda p, q, k: p[k]["dyads"][JR]["IL"] - q[k]["dyads"][JR]["IL"]) >= 0
    talks = _games(sc, {"JPN": ["D1:RUS"], "RUS": ["D1:JPN"]})
    track = _games(sc, {"JPN": ["D1:RUS", "D5:RUS"], "RUS": ["D1:JPN", "D5:JPN"]})
    assert _paired(track, talks, lambda p, q, k: p[k]["dyads"][JR]["IL"] - q[k]["dyads"][JR]["IL"]) > 0


@pytest.mark.parametrize("slug", [NT, SO])
def test_10_5_quiet_baseline_median(slug):
    """No orders: in the median seed Japan–Russia spends no turn outside coexistence, and the median IL of
    every turn is in the coexistence band."""
    sc = scen(slug)
    quiet = _games(sc, None)
    assert statistics.median(sum(t["dyads"][JR]["band"] != "coexistence" for t in q) for q in quiet) == 0
    for k in range(9):
        ils = [q[k]["dyads"][JR]["IL"] for q in quiet if len(q) > k]
        assert 25 <= statistics.median(ils) < 50, k


def test_10_6_determinism_over_seeds(nt):
    """Every seed: the same orders give byte-identical histories; shuffling the order lists changes nothing."""
    pol = {"JPN": ["M2", "D1:RUS"], "RUS": ["M4", "D1:JPN"], "CHN": ["M7"]}
    shuffled = {"CHN": ["M7"], "RUS": ["D1:JPN", "M4"], "JPN": ["D1:RUS", "M2"]}
    for seed in range(1, 21):
        a = json.dumps(simulate(nt, pol, turns=8, seed=seed))
        assert a == json.dumps(simulate(nt, pol, turns=8, seed=seed)) == json.dumps(simulate(nt, shuffled, turns=8,
                                                                                              seed=seed))
        g1, g2 = play_game(nt, pol, seed), play_game(nt, shuffled, seed)
        assert (g1.T, g1.IL, g1.rung, g1.parts, g1.objectives) == (g2.T, g2.IL, g2.rung, g2.parts, g2.objectives)


@pytest.mark.parametrize("slug", [NT, SO])
def test_10_7_bounds_over_seeds(slug):
    """The most escalatory pair for every team, every turn, 50 seeds: nothing leaves its range."""
    sc = scen(slug)
    pol = read_policy(sc, {"JPN": ["M11", "M10:CHN"], "RUS": ["M3", "M10:JPN"], "CHN": ["M10:JPN", "M6:JPN"],
                           "USA": ["M10:CHN", "E3:RUS"], "KOR": ["M10:PRK", "M12:CHN"]})
    for seed in range(1, 51):
        for t in run(sc, pol, turns=8, seed=seed)[0]["turns"]:
            for code, vs in t["actors"].items():
                for var, v in vs.items():
                    lo, hi = (0, 5) if var == "KM" else (0, 10**6) if var == "RP" else (0, 100)
                    assert lo <= v <= hi, (seed, code, var, v)
            for key, d in t["dyads"].items():
                assert all(0 <= d[v] <= 100 for v in ("IL", "T", "C", "E")) and 0 <= d["rung"] <= 7


# ------------------------------------------------------------------ the commands


def _manage(*args):
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


needs_django = pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, "wargame", "settings.py")),
                                  reason="Django settings not written yet")


@needs_django
def test_simulate_seeds_jsonl():
    """`simulate --seeds 1-3,7 --jsonl`: one object a line, each the --json object of that seed."""
    r = _manage("simulate", "--seeds", "1-3,7", "--jsonl", "--turns", "2", "--policy", '{"JPN": ["M2"]}')
    if r.returncode and "Traceback" in r.stderr:
        pytest.skip("Django settings not importable here: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert [json.loads(x)["seed"] for x in lines] == [1, 2, 3, 7]
    one = _manage("simulate", "--seed", "7", "--json", "--turns", "2", "--policy", '{"JPN": ["M2"]}')
    assert json.loads(one.stdout) == json.loads(lines[-1])
    bad = _manage("simulate", "--seeds", "1-3", "--json")
    assert bad.returncode != 0 and "--jsonl" in bad.stderr and "Traceback" not in bad.stderr


@needs_django
def test_calibrate_command():
    """`calibrate` prints the table and "N of M targets pass" and exits 0 even when targets fail."""
    r = _manage("calibrate", "--scenario", SO, "--seeds", "3", "--workers", "1")
    if r.returncode and "Traceback" in r.stderr:
        pytest.skip("Django settings not importable here: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    # the Sea of Okhotsk adds its hidden-submarine rows (SEA_TARGETS) to §12's
    assert f"of {len(TARGETS) + len(SEA_TARGETS)} targets pass" in r.stdout.strip().splitlines()[-1]
    assert "Objectives met at the end" in r.stdout and ("PASS" in r.stdout or "FAIL" in r.stdout)
    j = _manage("calibrate", "--scenario", SO, "--seeds", "3", "--workers", "1", "--json")
    rep = json.loads(j.stdout)
    assert rep["seeds"] == "1-3" and rep["total"] == len(TARGETS) + len(SEA_TARGETS)
    bad = _manage("calibrate", "--scenario", "nowhere")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


@needs_django
def test_calibrate_says_plainly_when_a_scenario_has_no_targets():
    """The practice game lacks the actions §12's policies order: calibrate says so, names them, exits 0."""
    from wargame.engine.calibrate import NoCalibrationTargets, missing_actions

    with pytest.raises(NoCalibrationTargets, match=r"practice: no calibration targets .*\(D1, .*M2"):
        calibrate(scen("practice"), 2)
    assert missing_actions(scen(NT), ALL_POLICIES) == []
    r = _manage("calibrate", "--scenario", "practice", "--seeds", "2", "--workers", "1")
    if r.returncode and "Traceback" in r.stderr:
        pytest.skip("Django settings not importable here: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    assert "no calibration targets for this scenario" in r.stdout and r.stdout.strip().endswith("0 of 0 targets pass")
    j = json.loads(_manage("calibrate", "--scenario", "practice", "--seeds", "2", "--json").stdout)
    assert (j["scenario"], j["total"]) == ("practice", 0) and "M2" in j["note"]
