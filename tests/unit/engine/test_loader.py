"""Scenario loader: validation errors name the file, the path inside it and the problem; text merge."""
import copy
import os
import shutil

import pytest
import yaml

from wargame.scenarios import ScenarioError, load_scenario, load_scenario_file, scenario_slugs
from wargame.scenarios.loader import HERE
from wargame.engine.spec import ACTION_KEYS, OPTIONAL_ACTION_KEYS, TEAM_CODES


_RAW = {}
_L = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_D = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def rules(slug="northern-territories"):
    if slug not in _RAW:
        with open(os.path.join(HERE, f"{slug}.yaml"), encoding="utf-8") as f:
            _RAW[slug] = yaml.load(f, Loader=_L)
    return copy.deepcopy(_RAW[slug])


def write(tmp_path, data, name="northern-territories.yaml", text=None):
    p = tmp_path / name
    p.write_text(yaml.dump(data, Dumper=_D, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if text is not None:
        (tmp_path / name.replace(".yaml", ".text.yaml")).write_text(
            yaml.dump(text, Dumper=_D, allow_unicode=True), encoding="utf-8")
    return str(p)


def problem(tmp_path, data, text=None):
    with pytest.raises(ScenarioError) as ei:
        load_scenario_file(write(tmp_path, data, text=text))
    return str(ei.value), ei.value.problems


def test_shipped_scenarios_load():
    """Both scenarios load with all 30 actions (the Sea of Okhotsk adds S1, S2, H1), their 10 injects each, five
    teams and three objectives each (the Sea of Okhotsk adds JPN4, RUS4, CHN4)."""
    assert scenario_slugs() == ["northern-territories", "practice", "sea-of-okhotsk"]
    for slug, prefix in (("northern-territories", "NT"), ("sea-of-okhotsk", "SO")):
        sc = load_scenario(slug)
        sea = slug == "sea-of-okhotsk"
        assert tuple(sc.actions) == ACTION_KEYS + (OPTIONAL_ACTION_KEYS if sea else ())
        assert [i.id for i in sc.injects] == [f"{prefix}{n}" for n in range(1, 11)]
        assert sc.team_codes == TEAM_CODES
        assert [len(t.objectives) for t in sc.teams] == ([4, 4, 4, 3, 3] if sea else [3] * 5)
        assert (sc.start_year, sc.start_quarter, sc.turns) == (2016, 3, 8)
        assert [t.code for t in sc.teams if t.played_by_default] == ["JPN", "RUS", "CHN"]
        assert load_scenario(slug) is sc  # cached


def test_practice_scenario_is_short_and_opens_a_crisis_whatever_is_ordered():
    """The practice game: two turns, three teams, seven actions in every category but information, and the air
    incident of turn 1 (P1) leaves Japan–Russia at rung 4 under calm, tense or no orders."""
    from wargame.engine import Order, resolve_turn

    sc = load_scenario("practice")
    assert (sc.turns, [t.code for t in sc.teams if t.played_by_default]) == (2, ["JPN", "RUS", "CHN"])
    assert len(sc.actions) == 7 and {a.category for a in sc.actions.values()} == {"military", "diplomatic",
                                                                                  "economic"}
    assert any(a.bilateral for a in sc.actions.values())
    calm = [Order("JPN", "D7", "RUS"), Order("JPN", "D4", "RUS"), Order("RUS", "D7", "JPN"), Order("RUS", "D4", "JPN")]
    tense = [Order("JPN", "M6", "RUS"), Order("RUS", "M6", "JPN"), Order("CHN", "M7", "tsugaru")]
    for seed in range(1, 21):
        for orders in ([], calm, tense):
            state = resolve_turn(sc, sc.initial_state(), orders, seed=seed).state
            assert state.crisis == ("JPN-RUS",) or "JPN-RUS" in state.crisis, (seed, orders)
            assert state.dyads["JPN-RUS"].rung == 4


def test_cost_not_an_integer(tmp_path):
    """actions.M2.cost: 'two' is refused with the file, the path and the problem."""
    d = rules()
    d["actions"]["M2"]["cost"] = "two"
    msg, _ = problem(tmp_path, d)
    assert msg.startswith("northern-territories.yaml: actions.M2.cost: expected an integer >= 0, got 'two'")


@pytest.mark.parametrize("mutate,expect", [
    (lambda d: d["actions"]["M1"]["effects"].append({"var": "XX", "of": "self", "delta": 1}),
     "actions.M1.effects[2].var: unknown variable 'XX'"),
    (lambda d: d["actions"]["M1"]["effects"].append({"var": "T", "dyad": ["self", "MARS"], "delta": 1}),
     "actions.M1.effects[2].dyad"),
    (lambda d: d["actions"].__setitem__("M99", {"name": "x"}), "actions.M99: unknown action key"),
    (lambda d: d["dyads"].pop("JPN-RUS"), "dyads.JPN-RUS: missing"),
    (lambda d: d["dyads"]["JPN-RUS"].__setitem__("T", 140), "dyads.JPN-RUS.T: expected a number 0-100, got 140"),
    (lambda d: d["dyads"]["JPN-RUS"].__setitem__("flags", ["NOPE"]), "dyads.JPN-RUS.flags[0]: unknown flag"),
    (lambda d: d["injects"]["NT4"]["trigger"].__setitem__("turn", "three"), "injects.NT4.trigger.turn"),
    (lambda d: d["injects"]["NT7"]["trigger"].__setitem__("when", {"var": "T", "dyad": ["JPN"], "ge": 45}),
     "injects.NT7.trigger.when.dyad"),
    (lambda d: d["actions"]["M11"].__setitem__("prereq", {"var": "LL", "of": "self"}), "actions.M11.prereq"),
    (lambda d: d["presence"].__setitem__("atlantis", {"JPN": 1}), "presence.atlantis: unknown zone"),
    (lambda d: d["actors"].pop("KOR"), "actors.KOR: missing"),
    (lambda d: d["omega"].__setitem__("JPN>RUS", 5), "omega.JPN>RUS"),
    (lambda d: d["objectives"].__setitem__("JPN9", {"team": "JPN", "cond": {"var": "N", "of": "JPN", "ge": 1}}),
     "objectives.JPN9: unknown objective id"),
    (lambda d: d["actions"]["D1"].__setitem__("who", ["JPN", "PRK"]), "actions.D1.who"),
    (lambda d: d["injects"]["NT1"]["effects"].append({"op": "unlock", "actions": ["Z9"]}),
     "injects.NT1.effects[1].actions"),
    (lambda d: d["incidents"]["table"][-1].__setitem__("below", 20), "incidents.table[3].below"),
])
def test_rules_validation_paths(tmp_path, mutate, expect):
    """Each kind of mistake in the rules file is reported with its path inside the file."""
    d = rules()
    mutate(d)
    msg, probs = problem(tmp_path, d)
    assert any(expect in p for p in probs), probs
    assert all(p.startswith("northern-territories.yaml: ") for p in probs)


def test_text_file_validation(tmp_path):
    """The text file is validated too: a number where text belongs, or an unknown id, is named."""
    d = rules()
    msg, probs = problem(tmp_path, d, text={"actions": {"M2": {"help": 5}}, "injects": {"NT99": {"title": "x"}}})
    assert "northern-territories.text.yaml: actions.M2.help: expected text, got int" in probs
    assert any(p.startswith("northern-territories.text.yaml: injects.NT99: unknown id") for p in probs)


def test_text_merge_and_fallback(tmp_path):
    """Without a text file the scenario still loads with fallback text (names, effects and prerequisite text
    written from the data); with one, its prose wins."""
    d = rules()
    sc = load_scenario_file(write(tmp_path, d))
    assert sc.title == "Northern Territories"
    assert sc.actions["M11"].prereq_text == "own LL >= 40"
    assert "T" in sc.actions["M1"].effects_text
    assert sc.inject("NT4").title == d["injects"]["NT4"]["name"]
    assert sc.inject("NT7").trigger_text == "when T(JPN,RUS) >= 45"
    assert all(t.public_briefing for t in sc.teams)
    text = {"title": "T", "teams": {"JPN": {"name": "Japan (Blue)"}}, "actions": {"M2": {"help": "Help."}},
            "injects": {"NT4": {"title": "Missiles", "text": "Body"}}, "objectives": {"JPN1": {"text": "Keep calm"}},
            "sources": {"rinna": "Rinna"}}
    sc = load_scenario_file(write(tmp_path, d, text=text))
    assert (sc.title, sc.team("JPN").name, sc.actions["M2"].help) == ("T", "Japan (Blue)", "Help.")
    assert sc.inject("NT4").text == "Body" and sc.team("JPN").objectives[0].text == "Keep calm"
    assert sc.sources == ("Rinna",)


def test_check_text_file_path(tmp_path):
    """Pointing the checker at the .text.yaml checks it together with its rules file."""
    shutil.copy(os.path.join(HERE, "sea-of-okhotsk.yaml"), tmp_path / "sea-of-okhotsk.yaml")
    shutil.copy(os.path.join(HERE, "sea-of-okhotsk.text.yaml"), tmp_path / "sea-of-okhotsk.text.yaml")
    assert load_scenario_file(str(tmp_path / "sea-of-okhotsk.text.yaml")).slug == "sea-of-okhotsk"


def test_bad_yaml_and_missing(tmp_path):
    """Broken YAML is reported with its line; a missing file and an unknown slug are named."""
    p = tmp_path / "broken.yaml"
    p.write_text("slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken.yaml: not valid YAML \(line"):
        load_scenario_file(str(p))
    with pytest.raises(ScenarioError, match="nothing.yaml: file not found"):
        load_scenario_file(str(tmp_path / "nothing.yaml"))
    with pytest.raises(ScenarioError, match="unknown scenario"):
        load_scenario("atlantis")
