"""Forecast chunks and their merge: the figures depend on the runs only, never on the chunking."""

import json
import random

import pytest

from wargame.engine.forecast import merge, run_chunk, run_seed
from wargame.scenarios import load_scenario

SCENARIO = load_scenario("northern-territories")
STATE = SCENARIO.initial_state().to_dict()
BUILDUP = {"JPN": ["M1:CHN", "M2"], "RUS": ["M1:CHN", "M4"]}
RUNS = 120


def seeds(n=RUNS, number=1):
    return [run_seed(7, number, i) for i in range(n)]


@pytest.fixture(scope="module")
def whole():
    return run_chunk(SCENARIO, STATE, BUILDUP, turns=3, seeds=seeds())


def test_the_merged_result_is_the_same_whatever_the_chunk_size_and_order(whole):
    """Both sides build up for three turns: 120 runs, in one chunk, in chunks of 7 shuffled and in chunks of 50
    (summaries through JSON, as the database stores them) give the identical forecast."""
    expected = merge([whole], dyads=["JPN-RUS"])
    s = seeds()
    for size in (7, 50):
        parts = [json.loads(json.dumps(run_chunk(SCENARIO, STATE, BUILDUP, turns=3, seeds=s[i:i + size])))
                 for i in range(0, RUNS, size)]
        random.Random(size).shuffle(parts)
        assert merge(parts, dyads=["JPN-RUS"]) == expected


def test_a_forecast_reruns_to_the_same_figures_and_another_number_differs(whole):
    """The same exercise seed, forecast number and runs give the same summary; forecast 2's runs differ."""
    assert run_chunk(SCENARIO, STATE, BUILDUP, turns=3, seeds=seeds()) == whole
    assert run_seed(7, 1, 0) == run_seed(7, 1, 0) != run_seed(7, 2, 0) != run_seed(8, 1, 0)
    other = run_chunk(SCENARIO, STATE, BUILDUP, turns=3, seeds=seeds(number=2))
    assert other["hist"] != whole["hist"]


def test_the_bands_are_ordered_and_tension_rises_under_a_buildup(whole):
    """Under a buildup every turn's 5% ≤ 25% ≤ median ≤ 75% ≤ 95%, and Japan–Russia tension ends above its start."""
    result = merge([whole], dyads=["JPN-RUS", "CHN-JPN"])
    assert result["runs"] == RUNS and result["turns"] == 3 and result["charted"] == ["JPN-RUS", "CHN-JPN"]
    for d in result["dyads"].values():
        assert [r["turn"] for r in d["turns"]] == [1, 2, 3]
        for r in d["turns"]:
            assert r["p05"] <= r["p25"] <= r["p50"] <= r["p75"] <= r["p95"]
            assert 0 <= r["crisis"] <= d["crisis"] <= 1 and 0 <= r["high"] <= d["high"] <= 1
    jr = result["dyads"]["JPN-RUS"]
    assert jr["turns"][-1]["p50"] > jr["start"]
    chances = [i["chance"] for i in result["incidents"]]
    assert chances == sorted(chances, reverse=True) and all(0 < c <= 1 for c in chances)


def test_merge_adds_counts_exactly(whole):
    """Two halves' histograms add up to the whole's, bin by bin; crisis and incident counts too."""
    s = seeds()
    a = run_chunk(SCENARIO, STATE, BUILDUP, turns=3, seeds=s[:60])
    b = run_chunk(SCENARIO, STATE, BUILDUP, turns=3, seeds=s[60:])
    for k in whole["hist"]:
        for i in range(3):
            bins = set(a["hist"][k][i]) | set(b["hist"][k][i])
            assert {x: a["hist"][k][i].get(x, 0) + b["hist"][k][i].get(x, 0) for x in bins} == whole["hist"][k][i]
            assert sum(whole["hist"][k][i].values()) == RUNS
        assert a["crisis_any"][k] + b["crisis_any"][k] == whole["crisis_any"][k]
    for name, n in whole["incidents"].items():
        assert a["incidents"].get(name, 0) + b["incidents"].get(name, 0) == n


def test_summaries_of_different_forecasts_do_not_merge(whole):
    one_turn = run_chunk(SCENARIO, STATE, BUILDUP, turns=1, seeds=seeds(5))
    with pytest.raises(ValueError):
        merge([whole, one_turn])


def test_a_bot_team_orders_by_its_policy_in_every_run_as_simulate_plays_it():
    """China handed to a hawk: each run plays exactly what `simulate.play` plays with the same bot, seed and
    orders (so its crisis choices too), its repeated orders are ignored, and the forecast differs from one in
    which China repeats its orders."""
    from wargame.engine.simulate import play

    runs = seeds(12)
    orders = {"JPN": ["M2"], "RUS": ["M4"], "CHN": ["D7"]}
    with_bot = run_chunk(SCENARIO, STATE, orders, turns=3, seeds=runs, bots={"CHN": "hawk"})
    assert run_chunk(SCENARIO, STATE, {**orders, "CHN": ["M1:JPN"]}, turns=3, seeds=runs,
                     bots={"CHN": "hawk"}) == with_bot  # the bot's own repeated orders play no part
    assert with_bot != run_chunk(SCENARIO, STATE, orders, turns=3, seeds=runs)
    policy = {"JPN": ["M2"], "RUS": ["M4"], "bots": {"CHN": "hawk"}}
    expected = {}
    for seed in runs:
        states = [r.state for r in play(SCENARIO, policy, turns=3, seed=seed, state=SCENARIO.initial_state())]
        for i, st in enumerate(states):
            b = str(int(round(st.dyads["CHN-JPN"].T / 0.5)))
            expected.setdefault(i, {}).setdefault(b, 0)
            expected[i][b] += 1
    assert {i: h for i, h in enumerate(with_bot["hist"]["CHN-JPN"])} == expected
