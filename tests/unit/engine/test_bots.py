"""Bots: every policy of every actor gives legal orders within RP on both scenarios, deterministically; crisis
choices per policy; simulate with bots."""

import pytest

from wargame.engine import BOT_POLICIES, BOT_POLICY_NAMES, Order, bot_crisis_choice, bot_orders, check_orders
from wargame.engine.resolve import resolve_turn
from wargame.engine.simulate import PolicyError, read_policy, simulate
from wargame.scenarios import load_scenario

SCENARIOS = ("northern-territories", "sea-of-okhotsk")


@pytest.mark.parametrize("slug", SCENARIOS)
def test_every_policy_of_every_actor_gives_legal_orders_over_many_seeds_and_turns(slug):
    scenario = load_scenario(slug)
    for seed in range(1, 7):
        state = scenario.initial_state()
        last = []
        for _turn in range(6):
            if state.ended:
                break
            given = []
            for team in scenario.team_codes:
                for policy in BOT_POLICY_NAMES:
                    orders = bot_orders(scenario, state, team, policy, seed=seed, last_orders=last)
                    assert len(orders) <= 2
                    assert check_orders(scenario, state, team, orders) == [], (team, policy, orders)
                # the game moves on with a mix of policies, so later turns see other states
                given += bot_orders(scenario, state, team, BOT_POLICY_NAMES[(seed + len(team)) % 4], seed=seed,
                                    last_orders=last)
            state = resolve_turn(scenario, state, given, seed=seed).state
            last = given


def test_orders_are_deterministic_from_the_seed():
    scenario = load_scenario("northern-territories")
    state = scenario.initial_state()
    for policy in BOT_POLICY_NAMES:
        a = bot_orders(scenario, state, "CHN", policy, seed=3, turn=1)
        assert a == bot_orders(scenario, state, "CHN", policy, seed=3, turn=1)


def test_each_policy_has_words_for_the_console_and_orders_in_its_spirit():
    scenario = load_scenario("northern-territories")
    state = scenario.initial_state()
    for code in scenario.team_codes:
        assert set(BOT_POLICIES[code]) >= {"status_quo", "hawk", "dove", "mirror"}
        assert all(len(words) > 40 for words in BOT_POLICIES[code].values())
    hawk = bot_orders(scenario, state, "CHN", "hawk", seed=1)
    assert hawk and all(scenario.actions[o.action].rung >= 1 for o in hawk)
    dove = bot_orders(scenario, state, "CHN", "dove", seed=1)
    assert dove and all(scenario.actions[o.action].rung <= 0 for o in dove)
    assert [o.action for o in bot_orders(scenario, state, "CHN", "status_quo", seed=1)] == ["M7"]


def test_mirror_answers_in_kind():
    scenario = load_scenario("northern-territories")
    state = scenario.initial_state()
    military = bot_orders(scenario, state, "CHN", "mirror", seed=1, last_orders=[Order("JPN", "M9", "CHN")])
    assert [scenario.actions[o.action].category for o in military] == ["military"]
    assert military[0].target == "JPN" and scenario.actions[military[0].action].rung <= 2
    offer = bot_orders(scenario, state, "CHN", "mirror", seed=1, last_orders=[Order("JPN", "D3", "CHN")])
    assert offer == [Order("CHN", "D3", "JPN")]  # the same offer: the bilateral action is agreed
    quiet = bot_orders(scenario, state, "CHN", "mirror", seed=1, last_orders=[])
    assert quiet == bot_orders(scenario, state, "CHN", "status_quo", seed=1)


def test_crisis_choices_per_policy():
    scenario = load_scenario("northern-territories")
    state = scenario.initial_state()
    dyad = "CHN-JPN"
    assert bot_crisis_choice(scenario, state, "CHN", "dove", dyad) == "deescalate"
    assert bot_crisis_choice(scenario, state, "CHN", "status_quo", dyad) == "hold"
    assert bot_crisis_choice(scenario, state, "CHN", "mirror", dyad) == "hold"
    assert bot_crisis_choice(scenario, state, "CHN", "mirror", dyad, other_choice="escalate") == "escalate"
    assert bot_crisis_choice(scenario, state, "CHN", "hawk", dyad) == "hold"  # rung 4 or less: holds
    brink = state.copy()
    brink.dyads[dyad].rung = 5
    assert bot_crisis_choice(scenario, brink, "CHN", "hawk", dyad) == "hold"  # Japan's navy is stronger
    brink.actors["CHN"].vars["N"] = 80
    assert bot_crisis_choice(scenario, brink, "CHN", "hawk", dyad) == "escalate"
    brink.actors["CHN"].vars["D"] = 40
    assert bot_crisis_choice(scenario, brink, "CHN", "hawk", dyad) == "hold"  # no backing at home


@pytest.mark.parametrize("slug", SCENARIOS)
def test_simulate_with_bots(slug):
    scenario = load_scenario(slug)
    report = simulate(scenario, {"bots": {"CHN": "hawk", "JPN": "mirror"}, "RUS": ["M4"]}, turns=4, seed=2)
    assert report["bots"] == {"CHN": "hawk", "JPN": "mirror"}
    texts = [e["text"] for t in report["turns"] for e in t["events"]]
    assert any(x.startswith("CHN: ") for x in texts) and any(x.startswith("JPN: ") for x in texts)
    assert report == simulate(scenario, {"bots": {"CHN": "hawk", "JPN": "mirror"}, "RUS": ["M4"]}, turns=4, seed=2)


def test_bad_bot_policies_are_refused_in_one_line():
    scenario = load_scenario("northern-territories")
    with pytest.raises(PolicyError, match="one of status_quo"):
        read_policy(scenario, {"bots": {"CHN": "berserk"}})
    with pytest.raises(PolicyError, match="unknown team"):
        read_policy(scenario, {"bots": {"XXX": "hawk"}})
    with pytest.raises(PolicyError, match="not both"):
        read_policy(scenario, {"bots": {"CHN": "hawk"}, "CHN": ["M7"]})
