"""The resolver's phase modules: importable on their own, pure, and run in §4 order."""
import ast
import importlib
import os
import pkgutil

import wargame.engine.phases as phases
from wargame.engine import ArguedOrder, InjectInput, Order, resolve_turn
from wargame.engine.effects import Buffer, Interpreter, Scope, expand

from .helpers import NT, calm, scen

PHASES_DIR = os.path.dirname(phases.__file__)
MODULES = sorted(m.name for m in pkgutil.iter_modules([PHASES_DIR]))


def test_every_phase_module_imports():
    assert {"inputs", "pending", "injects", "orders", "opposed", "actions", "argued", "incidents", "update",
            "triggers", "end", "turn"} <= set(MODULES)
    for name in MODULES:
        importlib.import_module(f"wargame.engine.phases.{name}")


def test_phase_modules_are_pure():
    """No Django, clock, file I/O or global random generator in any phase module."""
    for name in MODULES + ["__init__"]:
        path = os.path.join(PHASES_DIR, f"{name}.py")
        tree = ast.parse(open(path, encoding="utf-8").read(), path)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(m.split(".")[0] in ("time", "datetime", "os", "io", "pathlib", "django", "random")
                               for m in mods), f"{name}: {mods}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("open", "__import__"), name


def test_phases_run_in_model_order():
    """Events come out in §4 order: injects, orders, opposed, actions by category, argued, incidents, triggers."""
    sc = scen(NT)
    st = sc.initial_state()
    orders = [Order("JPN", "M2"), Order("RUS", "M4"), Order("JPN", "D2", "RUS"), Order("RUS", "D2", "JPN"),
              Order("CHN", "M5", "JPN"), ArguedOrder("CHN", "Coast-guard surge", nearest_action="M6", target="JPN")]
    res = resolve_turn(sc, st, orders, seed=5, injects=(InjectInput("X1", "Flash", "News"),))
    rank = {p: i for i, p in enumerate(("injects", "orders", "opposed", "diplomatic", "economic", "military",
                                        "argued", "incidents", "triggers"))}
    seen = [rank[e["phase"]] for e in res.events]
    assert seen == sorted(seen)
    assert {"injects", "opposed", "diplomatic", "military", "argued"} <= {e["phase"] for e in res.events}


def test_interpreter_runs_effects_into_a_buffer_without_touching_the_state():
    sc = scen(NT)
    st = calm(sc)
    before = st.to_dict()
    interpreter = Interpreter(sc, st, 1, dice=None, ordered=set())
    buffer = Buffer()
    changes = []
    effects = ({"var": "T", "dyad": ["self", "target"], "delta": 4},
               {"op": "flag", "dyad": ["self", "target"], "set": "HOTLINE"})
    interpreter.run(effects, Scope(actor="JPN", target="RUS", rung=2), 1.0, buffer, changes, "t1:test", "military")
    assert buffer.tparts == {"JPN-RUS": [4.0, 0.0, 0.0, 0.0, 0.0]}
    assert len(buffer.ops) == 1
    assert [c[:3] for c in changes] == [("JPN-RUS", "T", 4.0), ("JPN-RUS", "flag", "HOTLINE")]
    assert interpreter.rungs_seen == {"JPN-RUS": 2}
    assert st.to_dict() == before


def test_references_expand_from_the_scope():
    core = ("JPN", "RUS", "CHN", "USA")
    pair = Scope(actor="JPN", target="RUS", partners=("JPN", "RUS"), third=("USA",))
    assert expand("self", pair, core) == ("JPN",)
    assert expand("each", pair, core) == ("JPN", "RUS")
    assert expand("excluded", pair, core) == ("CHN", "USA")
    assert expand("third", pair, core) == ("USA",)
    assert expand("target", Scope(), core) == ()
    assert expand("each", Scope(actor="CHN"), core) == ("CHN",)
