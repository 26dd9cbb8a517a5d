"""Simulation policies and the management commands (`simulate`, `scenario_check`)."""
import ast
import json
import os
import subprocess
import sys

import pytest

from wargame.engine.simulate import PolicyError, format_table, parse_policy, simulate

from .helpers import NT, scen

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(scope="module")
def nt():
    return scen(NT)


@pytest.mark.parametrize("policy,msg", [
    ('{"JPN": ["M2"', "not valid JSON"),
    ('["M2"]', "JSON object"),
    ('{"XXX": ["M2"]}', "unknown team 'XXX'"),
    ('{"PRK": ["M1:JPN"]}', "unknown team 'PRK'"),
    ('{"JPN": ["M99"]}', "unknown action M99"),
    ('{"JPN": ["M3"]}', "M3 is not an action JPN can take"),
    ('{"JPN": ["M2", "M1:CHN", "D6:RUS"]}', "at most 2 actions"),
    ('{"JPN": ["D1:CHN"]}', "D1 cannot target CHN"),
    ('{"JPN": ["M1"]}', "M1 needs a target"),
    ('{"CHN": ["M7:atlantis"]}', "M7 needs a zone"),
    ('{"JPN": ["M2", "M2"]}', "listed twice"),
    ('{"JPN": [3]}', "list of action names"),
])
def test_policy_that_can_never_be_valid(nt, policy, msg):
    """A policy that no turn could ever carry out is refused with a one-line reason."""
    with pytest.raises(PolicyError, match=msg) as ei:
        parse_policy(nt, policy)
    assert "\n" not in str(ei.value)


def test_policy_forms(nt):
    """Targets after a colon, a third party for D8, a zone for M7; locked actions are fine in a policy."""
    p = parse_policy(nt, {"JPN": ["M2", "D1:rus"], "RUS": ["D8:CHN:JPN"], "CHN": ["M7:okhotsk", "D8:RUS"]})
    assert p["JPN"][1].target == "RUS" and p["RUS"][0].third == "JPN" and p["CHN"][0].target == "okhotsk"
    assert parse_policy(nt, None) == {}


def test_simulate_report_shape(nt):
    """simulate prints one object: scenario, seed, and per turn (0 = baseline) the actors, the dyads in
    alphabetical key order with IL/T/C/E/rung/band/flags, the ΔT attribution and the events. An order whose
    prerequisites are unmet (E2 before NT5, which fires in turn 2) is logged and the run goes on."""
    rep = simulate(nt, '{"JPN": ["M2", "E2:RUS"], "RUS": ["M4", "E2:JPN"], "CHN": ["M7"]}', turns=3, seed=7)
    assert (rep["scenario"], rep["seed"], len(rep["turns"])) == ("northern-territories", 7, 4)
    t0, t1, t2 = rep["turns"][:3]
    assert t0["turn"] == 0 and t0["events"] == [] and t0["dyads"]["JPN-RUS"]["rung"] == 1
    assert list(t1["dyads"]) == sorted(t1["dyads"])
    assert set(t1["dyads"]["JPN-RUS"]) == {"IL", "T", "C", "E", "rung", "band", "flags"}
    assert set(t1["attribution"]["JPN-RUS"]) >= {"direct", "spillover", "incident", "drift"}
    assert any("E2 not carried out" in e["text"] for e in t1["events"])
    assert any(e["text"].startswith("JPN and RUS: E2") for e in t2["events"])
    json.dumps(rep)
    assert "== Turn 1 (Q3 2016)" in format_table(rep)


def test_no_policy_means_nobody_acts(nt):
    """Without a policy nobody orders anything."""
    rep = simulate(nt, None, turns=2, seed=1)
    assert not [e for t in rep["turns"] for e in t["events"] if e["kind"] == "action"]


def _manage(*args):
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


needs_django = pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, "wargame", "settings.py")),
                                  reason="Django settings not written yet")


@needs_django
def test_simulate_command(tmp_path):
    """`manage.py simulate --json` prints one JSON object; a bad policy exits non-zero with one line, no traceback."""
    pol = tmp_path / "policy.json"
    pol.write_text('{"JPN": ["M2", "D1:RUS"], "RUS": ["M4", "D1:JPN"], "CHN": ["M7"]}')
    r = _manage("simulate", "--scenario", "northern-territories", "--turns", "8", "--seed", "7",
                "--policy", str(pol), "--json")
    if r.returncode and "Traceback" in r.stderr:
        pytest.skip("Django settings not importable here: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["seed"] == 7 and rep["turns"][0]["turn"] == 0
    assert rep == json.loads(json.dumps(simulate(scen(NT), pol.read_text(), turns=8, seed=7)))
    r = _manage("simulate", "--turns", "2", "--policy", '{"JPN": ["M2"]}')
    assert r.returncode == 0 and "== Turn 2" in r.stdout
    r = _manage("simulate", "--policy", '{"JPN": ["M3"]}')
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "M3 is not an action JPN can take" in r.stderr
    r = _manage("simulate", "--policy", str(tmp_path / "missing.json"))
    assert r.returncode != 0 and "Traceback" not in r.stderr


@needs_django
def test_scenario_check_command(tmp_path):
    """`manage.py scenario_check FILE` prints OK for a good file and the problem (non-zero) for a bad one."""
    r = _manage("scenario_check", "wargame/scenarios/northern-territories.yaml")
    if r.returncode and "Traceback" in r.stderr:
        pytest.skip("Django settings not importable here: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0 and r.stdout.startswith("OK northern-territories")
    bad = tmp_path / "bad.yaml"
    bad.write_text(open(os.path.join(ROOT, "wargame/scenarios/northern-territories.yaml")).read()
                   .replace("    cost: 2\n    rung: 2\n    who: [JPN]", "    cost: two\n    rung: 2\n    who: [JPN]", 1))
    r = _manage("scenario_check", str(bad))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "bad.yaml: actions.M2.cost: expected an integer >= 0, got 'two'" in r.stderr


def test_engine_never_imports_django():
    """No file in wargame/engine (nor the scenario loader) imports django, at any depth of the code."""
    for sub in ("engine", "scenarios"):
        base = os.path.join(ROOT, "wargame", sub)
        files = [os.path.join(d, f) for d, _, fs in os.walk(base) for f in fs if f.endswith(".py")]
        assert files
        for path in files:
            tree = ast.parse(open(path, encoding="utf-8").read(), path)
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
                    names = [getattr(node.args[0], "value", "")] if node.args else []
                assert not any(str(n).split(".")[0] == "django" for n in names), path


def test_engine_uses_no_clock_io_or_global_random():
    """The engine reads no clock, does no file I/O and never touches the global random generator."""
    base = os.path.join(ROOT, "wargame", "engine")
    for f in os.listdir(base):
        if not f.endswith(".py"):
            continue
        tree = ast.parse(open(os.path.join(base, f), encoding="utf-8").read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(m.split(".")[0] in ("time", "datetime", "os", "io", "pathlib", "django")
                               for m in mods), f
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "open", f
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "random":
                assert node.attr == "Random", f"{f}: random.{node.attr}"
