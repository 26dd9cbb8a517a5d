"""The text file's `pack:` (the facilitator's pack): validated like the rest, errors naming file and path."""
import copy
import os

import pytest
import yaml

from wargame.scenarios import ScenarioError, load_scenario, load_scenario_file, scenario_slugs
from wargame.scenarios.loader import HERE, pack_numbers

_L = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_D = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_RAW = {}


def raw(name):
    if name not in _RAW:
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            _RAW[name] = yaml.load(f, Loader=_L)
    return copy.deepcopy(_RAW[name])


def write(tmp_path, text, slug="northern-territories"):
    (tmp_path / f"{slug}.yaml").write_text(
        yaml.dump(raw(f"{slug}.yaml"), Dumper=_D, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / f"{slug}.text.yaml").write_text(
        yaml.dump(text, Dumper=_D, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(tmp_path / f"{slug}.yaml")


def problems(tmp_path, pack):
    text = raw("northern-territories.text.yaml")
    text["pack"] = pack
    with pytest.raises(ScenarioError) as ei:
        load_scenario_file(write(tmp_path, text))
    return ei.value.problems


def good_pack():
    return copy.deepcopy(raw("northern-territories.text.yaml")["pack"])


@pytest.mark.parametrize("slug", scenario_slugs())
def test_shipped_packs_load_filled_from_the_rules(slug):
    sc = load_scenario(slug)
    pack = sc.pack
    assert 3 <= len(pack["learning_objectives"]) <= 5
    assert pack["hot_wash"]["general"] and set(pack["hot_wash"]["turns"]) == set(range(1, sc.turns + 1))
    assert {"RUS", "JPN"} <= set(pack["sub_roles"]) and all(len(r) >= 2 for r in pack["sub_roles"].values())
    summary = " ".join(s["text"] for s in pack["rules_summary"])
    assert "{" not in summary and "}" not in summary
    cap = sc.rules["crisis"]["tension_cap"]
    assert f"Tension alone climbs no higher than rung {cap}" in summary


def test_a_scenario_without_a_pack_has_an_empty_one(tmp_path):
    text = raw("northern-territories.text.yaml")
    del text["pack"]
    sc = load_scenario_file(write(tmp_path, text))
    assert sc.pack == {"learning_objectives": [], "hot_wash": {"general": [], "turns": {}}, "sub_roles": {},
                       "rules_summary": []}


def test_numbers_come_from_the_rules(tmp_path):
    rules = raw("northern-territories.yaml")
    rules["crisis"]["tension_cap"] = 4
    rules["turns"] = 6
    n = pack_numbers(rules)
    assert (n["tension_cap"], n["turns"], n["last_quarter"], n["call_dT"]) == ("4", "6", "Q4 2017", "5")


def test_pack_not_a_mapping(tmp_path):
    assert problems(tmp_path, ["a"]) == [
        "northern-territories.text.yaml: pack: expected a mapping with learning_objectives, hot_wash, sub_roles, "
        "rules_summary, got list"]


def test_unknown_key(tmp_path):
    pack = good_pack()
    pack["handouts"] = []
    assert problems(tmp_path, pack) == [
        "northern-territories.text.yaml: pack.handouts: unknown key "
        "(allowed: learning_objectives, hot_wash, sub_roles, rules_summary)"]


def test_too_few_learning_objectives_and_one_not_text(tmp_path):
    pack = good_pack()
    pack["learning_objectives"] = ["One.", 2]
    assert problems(tmp_path, pack) == [
        "northern-territories.text.yaml: pack.learning_objectives: expected 3-5 items, got 2",
        "northern-territories.text.yaml: pack.learning_objectives[1]: expected text, got 2"]


def test_hot_wash_turn_out_of_range_and_unknown_key(tmp_path):
    pack = good_pack()
    pack["hot_wash"]["turns"][9] = ["After the end?"]
    pack["hot_wash"]["turns"]["two"] = ["Not a number"]
    pack["hot_wash"]["later"] = []
    got = problems(tmp_path, pack)
    assert "northern-territories.text.yaml: pack.hot_wash.later: unknown key (allowed: general, turns)" in got
    assert "northern-territories.text.yaml: pack.hot_wash.turns.9: expected a turn number 1-8" in got
    assert "northern-territories.text.yaml: pack.hot_wash.turns.two: expected a turn number 1-8" in got
    assert len(got) == 3


def test_sub_roles_need_a_team_two_roles_and_name_and_text(tmp_path):
    pack = good_pack()
    pack["sub_roles"]["PRK"] = [{"name": "a", "text": "b"}, {"name": "c", "text": "d"}]
    pack["sub_roles"]["CHN"] = [{"name": "Alone", "text": "One voice is not a split."}]
    pack["sub_roles"]["RUS"][1] = {"name": "Defence", "txt": "typo"}
    got = problems(tmp_path, pack)
    assert got == [
        "northern-territories.text.yaml: pack.sub_roles.RUS[1].txt: unknown field (allowed: name, text)",
        "northern-territories.text.yaml: pack.sub_roles.RUS[1].text: missing",
        "northern-territories.text.yaml: pack.sub_roles.CHN: expected a list of at least two sub-roles, each {name, text}",
        "northern-territories.text.yaml: pack.sub_roles.PRK: unknown team (this scenario has: JPN, RUS, CHN, USA, KOR)"]


def test_rules_summary_numbers_must_be_known_and_braces_balanced(tmp_path):
    pack = good_pack()
    pack["rules_summary"][0]["text"] = "Play lasts {turn} turns."
    pack["rules_summary"][1]["text"] = "A lone } brace."
    pack["rules_summary"][2]["text"] = "Formatted {turns:>3}."
    pack["rules_summary"].append({"heading": "No text"})
    got = problems(tmp_path, pack)
    assert got[0].startswith("northern-territories.text.yaml: pack.rules_summary[0].text: unknown number {turn} "
                             "(known: ")
    assert "tension_cap" in got[0]
    assert got[1].startswith("northern-territories.text.yaml: pack.rules_summary[1].text: braces hold a number from "
                             "the rules, written {name}; write {{ for a literal brace")
    assert got[2].startswith("northern-territories.text.yaml: pack.rules_summary[2].text: braces hold a number")
    assert "{turns:>3}" in got[2]
    assert got[3] == "northern-territories.text.yaml: pack.rules_summary[7].text: missing"
    assert len(got) == 4


def test_an_unknown_citation_key_is_named(tmp_path):
    pack = good_pack()
    pack["hot_wash"]["general"][0] += " [no-such-source]"
    got = problems(tmp_path, pack)
    assert len(got) == 1
    assert got[0].startswith("northern-territories.text.yaml: pack.hot_wash.general[0]: unknown source "
                             "[no-such-source] (sources: rinna, ")
