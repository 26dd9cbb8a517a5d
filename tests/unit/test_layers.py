"""The layers stay where docs/ARCHITECTURE.md puts them: the rules only in the engine, and the write layer
never reaching up into the task layer."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "wargame" / "engine"
APP_DIRS = [ROOT / "wargame" / d for d in ("exercises", "scenarios", "maps")] + [ROOT / "wargame"]


def _literals(tree):
    """Every string constant, and the constant pieces of f-strings, outside docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def _engine_texts():
    """Phrases the engine writes for people: several words, as literals or the fixed parts of f-strings."""
    texts = set()
    for path in ENGINE.rglob("*.py"):
        for text in _literals(ast.parse(path.read_text())):
            text = text.strip(" :;,.()")
            if text.count(" ") >= 2 and len(text) >= 12:
                texts.add(text)
    return texts


def _app_comparisons(tree):
    """String literals the app compares with, searches for or splits on: the ways code matches text."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                if isinstance(operand, ast.Constant) and isinstance(operand.value, str):
                    yield node.lineno, operand.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "startswith", "endswith", "find", "index", "split", "rsplit", "partition", "search", "match"):
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield node.lineno, arg.value


def test_no_module_outside_the_engine_matches_engine_message_text():
    engine_texts = _engine_texts()
    assert "not yet unlocked" in engine_texts  # the phrase the app once matched: the scan must see it
    found = []
    for folder in APP_DIRS:
        paths = folder.rglob("*.py") if folder.name != "wargame" else folder.glob("*.py")
        for path in paths:
            if ENGINE in path.parents or "migrations" in path.parts:
                continue
            for line, text in _app_comparisons(ast.parse(path.read_text())):
                if " " in text.strip() and len(text) >= 8 and any(text in phrase for phrase in engine_texts):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not found, "the app matches the engine's words; ask the engine a typed question instead:\n" + "\n".join(found)


def test_the_write_layer_does_not_import_the_task_layer():
    code = ("import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wargame.settings'); "
            "django.setup(); import wargame.exercises.services; "
            "print('wargame.exercises.tasks' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_no_write_module_imports_the_task_layer_even_lazily():
    """Enqueueing goes through jobs.py by task name; an import inside a function would hide the cycle."""
    services = ROOT / "wargame" / "exercises" / "services"
    paths = list(services.rglob("*.py")) if services.is_dir() else [services.with_suffix(".py")]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = {a.name for a in node.names}
                assert "tasks" not in names and not (node.module or "").endswith("tasks"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.endswith(".tasks") for a in node.names), path
