"""Load, validate and deep-merge `<slug>.yaml` (rules) with `<slug>.text.yaml` (prose).

Every problem is reported as "file: path.inside: problem" through ScenarioError.
"""
from __future__ import annotations

import copy
import os
import re
import string
import threading

import yaml

from wargame.engine.conditions import cond_text, validate_cond
from wargame.engine.effects import effects_text, validate_effect
from wargame.engine.spec import (ACTION_KEYS, CATEGORIES, OPTIONAL_ACTION_KEYS, TEAM_CODES, ZONES, ActionSpec, InjectSpec, ObjectiveSpec,
                                 Params, Scenario, TeamSpec)
from wargame.engine.state import ACTOR_VARS, FLAGS, REQUIRED_ACTOR_VARS, dyad_key

HERE = os.path.dirname(os.path.abspath(__file__))
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10× faster
OBJECTIVE_IDS = tuple(f"{t}{i}" for t in TEAM_CODES for i in (1, 2, 3, 4))
TARGET_KINDS = ("none", "any", "teams")


class ScenarioError(Exception):
    """str(e) names the file, the path inside it and the problem. `problems` lists them all."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        msg = self.problems[0] if self.problems else "invalid scenario"
        if len(self.problems) > 1:
            msg += f" (and {len(self.problems) - 1} more problem{'s' if len(self.problems) > 2 else ''})"
        super().__init__(msg)


def shipped_slugs() -> list[str]:
    # Not the prose files: <slug>.text.yaml, nor its languages <slug>.text.<lang>.yaml.
    return sorted(f[:-5] for f in os.listdir(HERE) if f.endswith(".yaml") and ".text." not in f[:-4])


def scenario_slugs() -> list[str]:
    """The shipped scenarios, then those a registered source holds (the app's uploaded scenarios)."""
    shipped = shipped_slugs()
    return shipped + [s for src in _sources for s in src[0]() if s not in shipped]


# Where scenarios that are not files come from: (slugs() -> [slug], texts(slug) -> (rules_yaml, text_yaml) or
# None). The Django app registers its uploaded scenarios here (AppConfig.ready); the engine stays Django-free.
_sources: list = []


def register_source(slugs, texts) -> None:
    if (slugs, texts) not in _sources:
        _sources.append((slugs, texts))


def source_texts(slug: str) -> tuple | None:
    """(rules_yaml, text_yaml) of a scenario a registered source holds, or None (a shipped one, or unknown)."""
    for _slugs, texts in _sources:
        found = texts(slug)
        if found is not None:
            return found
    return None


def _load_from_sources(slug: str) -> Scenario | None:
    """A registered source's scenario, parsed once per content (a replaced upload is read afresh)."""
    for _slugs, texts in _sources:
        found = texts(slug)
        if found is not None:
            key = ("source", slug)
            with _lock:
                hit = _cache.get(key)
            if hit is not None and hit[0] == found:
                return hit[1]
            sc = loads(found[0], found[1] or None, name=f"{slug}.yaml")
            with _lock:
                _cache[key] = (found, sc)
            return sc
    return None


_cache: dict = {}
_lock = threading.Lock()


def text_language(lang: str | None) -> str:
    """The language code of a prose overlay for ``lang`` ("ja", "ru", "ja-jp" -> "ja"); "" for English or none."""
    code = (lang or "").split("-")[0].split("_")[0].lower()
    return "" if code in ("", "en") or not code.isalpha() else code


def overlay_text(base: dict, overlay: dict) -> dict:
    """The English text with a language's overlay on top, field by field: mappings merge key by key (a team,
    an action, an inject, a pack section), anything else (a text, a list) is replaced whole."""
    out = dict(base)
    for k, v in overlay.items():
        out[k] = overlay_text(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_scenario(slug: str, lang: str | None = None) -> Scenario:
    """Cached load of a shipped scenario by slug. With ``lang`` (pages pass the reader's language), its prose in
    that language where `<slug>.text.<lang>.yaml` has it and English elsewhere; the rules are the same in every
    language. The engine's own runs ask without ``lang``: English."""
    if _sources and slug not in shipped_slugs() and (sc := _load_from_sources(slug)) is not None:
        return sc  # an uploaded scenario: its one language
    if code := text_language(lang):
        with _lock:
            sc = _cache.get((slug, code))
        if sc is None:
            english = load_scenario(slug)
            rules_path = os.path.join(HERE, f"{slug}.yaml")
            overlay = os.path.join(HERE, f"{slug}.text.{code}.yaml")
            sc = (load_scenario_file(rules_path, lang=code) if os.path.exists(overlay) and os.path.exists(rules_path)
                  else english)
            with _lock:
                sc = _cache.setdefault((slug, code), sc)
        return sc
    with _lock:
        sc = _cache.get(slug)
        if sc is None:
            if slug not in scenario_slugs():
                raise ScenarioError(f"{slug}: unknown scenario (known: {', '.join(scenario_slugs())})")
            sc = _cache[slug] = load_scenario_file(os.path.join(HERE, f"{slug}.yaml"))
        return sc


def _read_yaml(path: str):
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=_Loader)
    except FileNotFoundError:
        raise ScenarioError(f"{name}: file not found") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ScenarioError(f"{name}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{name}: top level: expected a mapping, got {type(data).__name__}")
    return data


_LANG_FILE = re.compile(r"\.text\.([a-z]{2,3})\.yaml$")


def load_scenario_file(path: str, lang: str | None = None) -> Scenario:
    """Load a rules file (or a .text.yaml, whose rules file sits beside it), with its text file if present;
    with ``lang`` (or given a `<slug>.text.<lang>.yaml`), that language's prose over the English."""
    path = os.path.abspath(path)
    if m := _LANG_FILE.search(path):
        lang, path = m.group(1), path[: m.start()] + ".text.yaml"
    if path.endswith(".text.yaml"):
        rules_path = path[: -len(".text.yaml")] + ".yaml"
        text_path = path
    else:
        rules_path = path
        text_path = path[: -len(".yaml")] + ".text.yaml" if path.endswith(".yaml") else path + ".text.yaml"
    rules = _read_yaml(rules_path)
    rname = os.path.basename(rules_path)
    errs = validate_rules(rules, rname)
    if errs:
        raise ScenarioError(errs)
    text = {}
    tname = os.path.basename(text_path)
    if os.path.exists(text_path):
        text = _read_yaml(text_path)
        errs = validate_text(text, rules, tname)
        if errs:
            raise ScenarioError(errs)
    if code := text_language(lang):
        overlay_path = text_path[: -len(".text.yaml")] + f".text.{code}.yaml"
        if os.path.exists(overlay_path):
            text = _with_overlay(text, _read_yaml(overlay_path), rules, os.path.basename(overlay_path))
    return build(rules, text, source=rules_path)


def _with_overlay(text: dict, overlay: dict, rules: dict, name: str) -> dict:
    """text with a language's overlay merged in; every problem names the language's file (``name``)."""
    errs = validate_text(overlay, rules, name)
    if not errs:  # what only the whole shows: a cited source the overlay's text names but neither file has
        merged = overlay_text(text, overlay)
        errs = validate_text(merged, rules, name)
    if errs:
        raise ScenarioError(errs)
    return merged


def loads(rules_yaml: str, text_yaml: str | None = None, name: str = "scenario.yaml",
          overlay: str | None = None, lang: str = "xx") -> Scenario:
    """Build a scenario from YAML strings (tests); ``overlay``: a language's text over ``text_yaml``."""
    rules = yaml.load(rules_yaml, Loader=_Loader)
    if not isinstance(rules, dict):
        raise ScenarioError(f"{name}: top level: expected a mapping")
    errs = validate_rules(rules, name)
    if errs:
        raise ScenarioError(errs)
    text = yaml.load(text_yaml, Loader=_Loader) if text_yaml else {}
    if text:
        errs = validate_text(text, rules, name.replace(".yaml", ".text.yaml"))
        if errs:
            raise ScenarioError(errs)
    if overlay:
        over = yaml.load(overlay, Loader=_Loader)
        oname = name.replace(".yaml", f".text.{lang}.yaml")
        if not isinstance(over, dict):
            raise ScenarioError(f"{oname}: top level: expected a mapping")
        text = _with_overlay(text or {}, over, rules, oname)
    return build(rules, text or {}, source=name)


# ------------------------------------------------------------------ validation

def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def validate_rules(r: dict, name: str) -> list[str]:
    E: list[str] = []

    def err(path, msg):
        E.append(f"{name}: {path}: {msg}")

    def need(d, key, path, kind, check=None, msg=None):
        if key not in d:
            err(f"{path}{key}" if path else key, "missing")
            return None
        v = d[key]
        if kind == "int" and not _is_int(v):
            err(f"{path}{key}", msg or f"expected an integer, got {v!r}")
            return None
        if kind == "num" and not _is_num(v):
            err(f"{path}{key}", msg or f"expected a number, got {v!r}")
            return None
        if kind == "str" and not isinstance(v, str):
            err(f"{path}{key}", f"expected text, got {v!r}")
            return None
        if kind == "dict" and not isinstance(v, dict):
            err(f"{path}{key}", f"expected a mapping, got {type(v).__name__}")
            return None
        if kind == "list" and not isinstance(v, list):
            err(f"{path}{key}", f"expected a list, got {type(v).__name__}")
            return None
        if check is not None and not check(v):
            err(f"{path}{key}", msg or f"invalid value {v!r}")
            return None
        return v

    need(r, "slug", "", "str")
    need(r, "name", "", "str")
    st = need(r, "start", "", "dict")
    if st is not None:
        need(st, "year", "start.", "int", lambda v: 1900 <= v <= 2100, "expected a year")
        need(st, "quarter", "start.", "int", lambda v: 1 <= v <= 4, "expected an integer 1-4")
    if "turns" in r:
        need(r, "turns", "", "int", lambda v: 1 <= v <= 40, f"expected an integer 1-40, got {r.get('turns')!r}")
    actors = need(r, "actors", "", "dict") or {}
    codes = tuple(actors)
    for code in TEAM_CODES:
        if code not in actors:
            err(f"actors.{code}", "missing (every scenario has the teams JPN RUS CHN USA KOR)")
    for code, a in actors.items():
        p = f"actors.{code}."
        if not (isinstance(code, str) and code.isupper() and len(code) == 3):
            err(f"actors.{code}", "actor codes are three capital letters")
        if not isinstance(a, dict):
            err(f"actors.{code}", "expected a mapping")
            continue
        need(a, "name", p, "str")
        if "team" in a and not isinstance(a["team"], bool):
            err(p + "team", "expected true/false")
        if code in TEAM_CODES and a.get("team") is False:
            err(p + "team", f"{code} is always a team")
        if a.get("team", True) and code not in TEAM_CODES:
            err(p + "team", f"{code} cannot be a team (teams: {', '.join(TEAM_CODES)})")
        need(a, "rp", p, "int", lambda v: 0 <= v <= 50, f"expected an integer >= 0, got {a.get('rp')!r}")
        if "colour" in a and not (isinstance(a["colour"], str) and a["colour"].startswith("#") and len(a["colour"]) in (4, 7)):
            err(p + "colour", f"expected a css hex colour, got {a['colour']!r}")
        vs = need(a, "vars", p, "dict") or {}
        for req in REQUIRED_ACTOR_VARS:
            if req not in vs:
                err(f"{p}vars.{req}", "missing")
        ranges = r.get("ranges", {}) if isinstance(r.get("ranges"), dict) else {}
        for var, v in vs.items():
            lo, hi = ranges.get(var, (0, 100))
            if var not in ACTOR_VARS:
                err(f"{p}vars.{var}", "unknown variable")
            elif not _is_num(v) or not lo <= v <= hi:
                err(f"{p}vars.{var}", f"expected a number {lo}-{hi}, got {v!r}")
    core = r.get("core", ["JPN", "RUS", "CHN"])
    if not (isinstance(core, list) and all(c in codes for c in core)):
        err("core", f"expected a list of actor codes, got {core!r}")
    if "ranges" in r:
        for var, v in (r["ranges"] or {}).items():
            if not (isinstance(v, list) and len(v) == 2 and all(_is_num(x) for x in v) and v[0] < v[1]):
                err(f"ranges.{var}", f"expected [low, high], got {v!r}")
    dyads = need(r, "dyads", "", "dict") or {}
    seen = {}
    for k, d in dyads.items():
        p = f"dyads.{k}"
        parts = k.split("-") if isinstance(k, str) else []
        if len(parts) != 2 or not all(x in codes for x in parts) or parts[0] == parts[1]:
            err(p, "expected a key 'A-B' of two different actor codes")
            continue
        dk = dyad_key(*parts)
        if dk in seen:
            err(p, f"duplicate of dyads.{seen[dk]}")
        seen[dk] = k
        if not isinstance(d, dict):
            err(p, "expected a mapping")
            continue
        for var in ("IL", "T", "C", "E"):
            v = d.get(var)
            if not _is_num(v) or not 0 <= v <= 100:
                err(f"{p}.{var}", f"expected a number 0-100, got {v!r}")
        for i, f in enumerate(d.get("flags", []) or []):
            if f not in FLAGS:
                err(f"{p}.flags[{i}]", f"unknown flag {f!r} (known: {', '.join(FLAGS)})")
        if "g" in d and not (_is_num(d["g"]) and -10 <= d["g"] <= 10):
            err(f"{p}.g", f"expected a number -10..10, got {d['g']!r}")
        for lvl in ("T0", "IL0"):  # structural levels (drift targets); default: the baseline T / IL
            if lvl in d and not (_is_num(d[lvl]) and 0 <= d[lvl] <= 100):
                err(f"{p}.{lvl}", f"expected a number 0-100, got {d[lvl]!r}")
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            if dyad_key(a, b) not in seen:
                err(f"dyads.{dyad_key(a, b)}", "missing (every pair of actors needs a dyad)")
    for k, w in (r.get("omega") or {}).items():
        if not (isinstance(k, str) and k.count(">") == 1 and all(x in codes for x in k.split(">"))):
            err(f"omega.{k}", "expected a key 'A>O' of actor codes")
        elif not (_is_num(w) and 0 <= w <= 2):
            err(f"omega.{k}", f"expected a number 0-2, got {w!r}")
    for k, v in (r.get("alignment") or {}).items():
        if not (isinstance(k, str) and k.count(">") == 1 and all(x in codes for x in k.split(">"))):
            err(f"alignment.{k}", "expected a key 'A>O' of actor codes")
        # one term {dyad, k}, or named terms {alignment: {dyad, k}, alliance: {dyad, k}}
        terms = {"": v} if isinstance(v, dict) and "dyad" in v else v if isinstance(v, dict) else {"": v}
        for term, t in terms.items():
            p = f"alignment.{k}" + (f".{term}" if term else "")
            if not (isinstance(t, dict) and isinstance(t.get("dyad"), str) and len(t["dyad"].split("-")) == 2
                    and all(x in codes for x in t["dyad"].split("-"))):
                err(f"{p}.dyad", "expected a dyad key 'A-B'")
            if not (isinstance(t, dict) and _is_num(t.get("k")) and 0 <= t["k"] <= 3):
                err(f"{p}.k", f"expected a number 0-3, got {t.get('k') if isinstance(t, dict) else t!r}")
    for i, s in enumerate(r.get("spillover_side_effects") or []):
        p = f"spillover_side_effects[{i}]"
        if not isinstance(s, dict) or not all(s.get(x) in codes for x in ("from", "onto", "of")):
            err(p, "expected {from, onto, of} actor codes")
        elif not _is_num(s.get("per_T")) or not isinstance(s.get("var"), str):
            err(p, "expected var and a number per_T")
    dyn = r.get("dynamics") or {}
    for k in ("drift_k", "il_k", "il_cap", "comm_k", "parallel_track_grievance_factor",
              "parallel_track_island_factor", "d_reversion", "rp_carry_cap_mult", "drift_c_base", "il_ct_k"):
        if k in dyn and not (_is_num(dyn[k]) and 0 <= dyn[k] <= 10):
            err(f"dynamics.{k}", f"expected a number 0-10, got {dyn[k]!r}")
    for k in ("drift_k", "il_k"):  # a pull of more than 1 a turn would overshoot the structural level
        if _is_num(dyn.get(k)) and (dyn[k] * (dyn.get("drift_c_base", 0.5) + 1) > 1 if k == "drift_k" else dyn[k] > 1):
            err(f"dynamics.{k}", f"too large: the pull toward the structural level would overshoot it, got {dyn[k]!r}")
    cr = r.get("crisis") or {}
    for k in ("rung", "tension_cap", "force_rung"):
        if k in cr and not (_is_int(cr[k]) and 0 <= cr[k] <= 7):
            err(f"crisis.{k}", f"expected an integer 0-7, got {cr[k]!r}")
    for k in ("call_base", "call_bonus", "c_min"):
        if k in cr and not (_is_num(cr[k]) and 0 <= cr[k] <= 100):
            err(f"crisis.{k}", f"expected a number 0-100, got {cr[k]!r}")
    for k in ("call_dT", "call_dD", "force_dT", "war_dT"):
        if k in cr and not (_is_num(cr[k]) and -30 <= cr[k] <= 30):
            err(f"crisis.{k}", f"expected a number -30..30, got {cr[k]!r}")
    for i, pen in enumerate(dyn.get("rp_penalties") or []):
        if not (isinstance(pen, dict) and pen.get("actor") in codes and isinstance(pen.get("var"), str)
                and _is_num(pen.get("ge")) and _is_int(pen.get("delta"))):
            err(f"dynamics.rp_penalties[{i}]", "expected {actor, var, ge, delta}")
    rt = r.get("rung_thresholds")
    if rt is not None and not (isinstance(rt, list) and len(rt) == 7 and all(_is_num(x) for x in rt)
                               and all(rt[i] < rt[i + 1] for i in range(6))):
        err("rung_thresholds", f"expected seven increasing numbers, got {rt!r}")
    zones = r.get("zones", list(ZONES))
    if not (isinstance(zones, list) and all(z in ZONES for z in zones)):
        err("zones", f"expected zone ids among {', '.join(ZONES)}, got {zones!r}")
        zones = list(ZONES)
    for z, forces in (r.get("presence") or {}).items():
        if z not in zones:
            err(f"presence.{z}", "unknown zone")
            continue
        for c, n in (forces or {}).items():
            if c not in codes:
                err(f"presence.{z}.{c}", "unknown actor")
            elif not (_is_int(n) and 0 <= n <= 20):
                err(f"presence.{z}.{c}", f"expected a number of task groups 0-20, got {n!r}")
    _validate_sea(r, zones, codes, teams_of(actors), err)
    inc = need(r, "incidents", "", "dict") or {}
    for k in ("base", "per_N", "per_T", "floor", "high_T", "high_T_mult", "scale"):
        if k in inc and not _is_num(inc[k]):
            err(f"incidents.{k}", f"expected a number, got {inc[k]!r}")
    if _is_num(inc.get("scale")) and not 0 <= inc["scale"] <= 2:
        err("incidents.scale", f"expected a number 0-2, got {inc['scale']!r}")
    table = inc.get("table")
    if not (isinstance(table, list) and table):
        err("incidents.table", "expected a list of severity rows")
    else:
        for i, row in enumerate(table):
            p = f"incidents.table[{i}]"
            if not isinstance(row, dict):
                err(p, "expected a mapping")
                continue
            if not isinstance(row.get("name"), str):
                err(p + ".name", "missing")
            if not (_is_int(row.get("rung")) and 0 <= row["rung"] <= 7):
                err(p + ".rung", f"expected an integer 0-7, got {row.get('rung')!r}")
            if not _is_num(row.get("dT")):
                err(p + ".dT", f"expected a number, got {row.get('dT')!r}")
            if row.get("below") is not None and not _is_num(row.get("below")):
                err(p + ".below", f"expected a number or null, got {row.get('below')!r}")
            if i < len(table) - 1 and row.get("below") is None:
                err(p + ".below", "only the last row may have below: null")
        if table and isinstance(table[-1], dict) and table[-1].get("below") is not None:
            err(f"incidents.table[{len(table) - 1}].below", "the last row must have below: null")
    adj = r.get("adjudication") or {}
    if adj.get("mode", "weighted_2d6") not in ("estimative", "weighted_2d6", "umpire"):
        err("adjudication.mode", f"expected estimative, weighted_2d6 or umpire, got {adj.get('mode')!r}")
    if "cap" in adj and not (_is_num(adj["cap"]) and 0 < adj["cap"] <= 50):
        err("adjudication.cap", f"expected a number 1-50, got {adj['cap']!r}")
    for o, v in (adj.get("outcomes") or {}).items():
        if o not in ("yes_and", "yes_but", "no_but", "no_and"):
            err(f"adjudication.outcomes.{o}", "unknown outcome")
        elif not (isinstance(v, dict) and _is_num(v.get("scale", 1)) and 0 <= v.get("scale", 1) <= 1.5):
            err(f"adjudication.outcomes.{o}.scale", "expected a number 0-1.5")
        else:
            for i, e in enumerate(v.get("extra") or []):
                E.extend(f"{name}: {m}" for m in validate_effect(e, f"adjudication.outcomes.{o}.extra[{i}]", codes,
                                                                 zones=zones))
    action_keys = tuple((r.get("actions") or {}).keys()) if isinstance(r.get("actions"), dict) else ()
    for i, e in enumerate(((r.get("triggers") or {}).get("domestic_pressure") or {}).get("effects") or []):
        E.extend(f"{name}: {m}" for m in validate_effect(e, f"triggers.domestic_pressure.effects[{i}]", codes,
                                                         actions=action_keys, zones=zones))
    treaty = (r.get("end") or {}).get("treaty")
    if treaty is not None:
        if not isinstance(treaty, dict):
            err("end.treaty", "expected {inject, teams, outcomes, text}")
        else:
            inject_ids = tuple((r.get("injects") or {}).keys()) if isinstance(r.get("injects"), dict) else ()
            if treaty.get("inject") is not None and treaty["inject"] not in inject_ids:
                err("end.treaty.inject", f"unknown inject {treaty.get('inject')!r}")
            t = treaty.get("teams", ["JPN", "RUS"])
            if not (isinstance(t, list) and t and all(x in codes for x in t)):
                err("end.treaty.teams", f"expected a list of team codes, got {t!r}")
            o = treaty.get("outcomes", ["yes_and", "yes_but"])
            if not (isinstance(o, list) and all(x in ("yes_and", "yes_but", "no_but", "no_and") for x in o)):
                err("end.treaty.outcomes", f"expected argued outcomes (yes_and, yes_but, ...), got {o!r}")
            if not isinstance(treaty.get("text"), str):
                err("end.treaty.text", "missing")
    for i, c in enumerate((r.get("end") or {}).get("conditions") or []):
        if not isinstance(c, dict) or not isinstance(c.get("text"), str):
            err(f"end.conditions[{i}].text", "missing")
        else:
            E.extend(f"{name}: {m}" for m in validate_cond(c.get("cond"), f"end.conditions[{i}].cond", codes))
    for i, o in enumerate(r.get("opposed") or []):
        if not (isinstance(o, dict) and o.get("a") in action_keys and o.get("b") in action_keys):
            err(f"opposed[{i}]", "expected {a, b} naming this scenario's actions")
        elif not (_is_num(o.get("loser_scale", 0.5)) and 0 <= o.get("loser_scale", 0.5) <= 1):
            err(f"opposed[{i}].loser_scale", "expected a number 0-1")
    acts = need(r, "actions", "", "dict") or {}
    teams = tuple(c for c, a in actors.items() if isinstance(a, dict) and a.get("team", True))
    for key, a in acts.items():
        p = f"actions.{key}"
        if key not in ACTION_KEYS and key not in OPTIONAL_ACTION_KEYS:
            err(p, "unknown action key (known: M1-M13, D1-D9, E1-E5, I1-I3, S1, S2, H1)")
            continue
        if not isinstance(a, dict):
            err(p, "expected a mapping")
            continue
        need(a, "name", p + ".", "str")
        need(a, "category", p + ".", "str", lambda v: v in CATEGORIES,
             f"expected one of {', '.join(CATEGORIES)}, got {a.get('category')!r}")
        need(a, "cost", p + ".", "int", lambda v: 0 <= v <= 20, f"expected an integer >= 0, got {a.get('cost')!r}")
        need(a, "rung", p + ".", "int", lambda v: -1 <= v <= 7, f"expected an integer -1..7, got {a.get('rung')!r}")
        who = need(a, "who", p + ".", "list", lambda v: v and all(x in teams for x in v),
                   f"expected a list of team codes, got {a.get('who')!r}") or []
        tg = a.get("target", "none")
        if isinstance(tg, str):
            if tg not in TARGET_KINDS:
                err(p + ".target", f"expected none, any, teams, a list or a per-team mapping, got {tg!r}")
        elif isinstance(tg, list):
            if not all(x in codes for x in tg):
                err(p + ".target", f"unknown actor in {tg!r}")
        elif isinstance(tg, dict):
            for t, lst in tg.items():
                if t not in who or not (isinstance(lst, list) and all(x in codes for x in lst)):
                    err(f"{p}.target.{t}", "expected a team from who: and a list of actor codes")
        else:
            err(p + ".target", f"invalid target {tg!r}")
        for flag in ("bilateral", "locked", "island", "hidden", "surface"):
            if flag in a and not isinstance(a[flag], bool):
                err(f"{p}.{flag}", "expected true/false")
        ops = {e.get("op") for e in (a.get("effects") or []) if isinstance(e, dict)}
        if a.get("hidden") and not ("zones" in a and "place_sub" in ops):
            err(f"{p}.hidden", "a hidden action places a submarine: it needs zones: and a {op: place_sub} effect")
        if "place_sub" in ops and not a.get("hidden"):
            err(f"{p}.hidden", "a submarine placement must be hidden: true")
        if ops & {"place_sub", "hunt"} and not isinstance(r.get("subs"), dict):
            err(p, "submarine placements and hunts need a subs: section")
        if ops & {"transit", "barrier"} and not r.get("straits"):
            err(p, "transits and barriers need a straits: list")
        if a.get("surface") and "zones" not in a:
            err(f"{p}.surface", "a surface action the ice can refuse needs zones:")
        if a.get("bilateral") and tg == "none":
            err(p + ".target", "a bilateral action needs a partner target")
        if "zones" in a:
            if not (isinstance(a["zones"], list) and all(z in zones for z in a["zones"])):
                err(p + ".zones", f"expected zone ids, got {a['zones']!r}")
            elif a.get("default_zone") not in a["zones"]:
                err(p + ".default_zone", "expected one of the action's zones")
        if "prereq" in a:
            E.extend(f"{name}: {m}" for m in validate_cond(a["prereq"], p + ".prereq", codes))
        effs = need(a, "effects", p + ".", "list") or []
        for i, e in enumerate(effs):
            E.extend(f"{name}: {m}" for m in validate_effect(e, f"{p}.effects[{i}]", codes, actions=action_keys,
                                                             zones=zones))
        if "joint" in a:
            j = a["joint"]
            if not (isinstance(j, dict) and isinstance(j.get("teams"), list) and all(t in who for t in j["teams"])):
                err(p + ".joint.teams", "expected a list of teams from who:")
            else:
                for i, e in enumerate(j.get("effects") or []):
                    E.extend(f"{name}: {m}" for m in validate_effect(e, f"{p}.joint.effects[{i}]", codes,
                                                                     actions=action_keys, zones=zones))
        allowed = {"name", "category", "cost", "rung", "who", "target", "bilateral", "locked", "island", "zones",
                   "default_zone", "prereq", "effects", "joint", "help", "effects_text", "prereq_text", "hidden",
                   "surface"}
        for k in a:
            if k not in allowed:
                err(f"{p}.{k}", "unknown key")
    injs = r.get("injects") or {}
    if not isinstance(injs, dict):
        err("injects", "expected a mapping of inject id to inject")
        injs = {}
    for iid, inj in injs.items():
        p = f"injects.{iid}"
        if not isinstance(inj, dict):
            err(p, "expected a mapping")
            continue
        need(inj, "name", p + ".", "str")
        trig = need(inj, "trigger", p + ".", "dict") or {}
        if trig and "turn" not in trig and "when" not in trig:
            err(p + ".trigger", "needs turn: and/or when:")
        if "turn" in trig and not (_is_int(trig["turn"]) and 1 <= trig["turn"] <= 40):
            err(p + ".trigger.turn", f"expected a turn number, got {trig['turn']!r}")
        if "when" in trig:
            E.extend(f"{name}: {m}" for m in validate_cond(trig["when"], p + ".trigger.when", codes, extra_refs=()))
        if "unless" in inj:
            E.extend(f"{name}: {m}" for m in validate_cond(inj["unless"], p + ".unless", codes, extra_refs=()))
        aud = inj.get("audience", "all")
        if aud != "all" and not (isinstance(aud, list) and all(x in teams for x in aud)):
            err(p + ".audience", f"expected 'all' or a list of team codes, got {aud!r}")
        for i, e in enumerate(inj.get("effects") or []):
            E.extend(f"{name}: {m}" for m in validate_effect(e, f"{p}.effects[{i}]", codes, actions=action_keys,
                                                             zones=zones, refs=()))
        if "decision" in inj and not isinstance(inj["decision"], str):
            err(p + ".decision", "expected text")
    objs = r.get("objectives") or {}
    for oid, o in objs.items():
        p = f"objectives.{oid}"
        if oid not in OBJECTIVE_IDS:
            err(p, f"unknown objective id (known: {', '.join(OBJECTIVE_IDS)})")
            continue
        if not isinstance(o, dict) or o.get("team") != oid[:3]:
            err(p + ".team", f"expected {oid[:3]}")
            continue
        E.extend(f"{name}: {m}" for m in validate_cond(o.get("cond"), p + ".cond", codes, extra_refs=()))
    return E


def teams_of(actors) -> tuple:
    return tuple(c for c, a in actors.items() if isinstance(a, dict) and a.get("team", True))


def _probability_block(d, path, err, keys=("base", "per_point", "min", "max")):
    if not isinstance(d, dict):
        err(path, "expected a mapping")
        return
    for k, v in d.items():
        if k not in keys:
            err(f"{path}.{k}", f"unknown key (allowed: {', '.join(keys)})")
        elif k in ("base", "min", "max", "ice", "extra_hunt") and not (_is_num(v) and 0 <= v <= 1):
            err(f"{path}.{k}", f"expected a probability 0-1, got {v!r}")
        elif k == "per_point" and not (_is_num(v) and 0 <= v <= 0.1):
            err(f"{path}.{k}", f"expected a number 0-0.1 (chance per point), got {v!r}")
        elif k == "reveal_margin" and not (_is_num(v) and 0 <= v <= 100):
            err(f"{path}.{k}", f"expected a number of d100 points 0-100, got {v!r}")
    if _is_num(d.get("min")) and _is_num(d.get("max")) and d["min"] > d["max"]:
        err(f"{path}.min", "min is above max")


def _sizes(d, path, err, keys):
    if not isinstance(d, dict):
        err(path, f"expected a mapping of {', '.join(keys)} to numbers")
        return
    for k, v in d.items():
        if k not in keys:
            err(f"{path}.{k}", f"unknown key (allowed: {', '.join(keys)})")
        elif not (_is_num(v) and -20 <= v <= 20):
            err(f"{path}.{k}", f"expected a number -20..20, got {v!r}")


def _validate_sea(r, zones, codes, teams, err):
    """subs: (hidden submarines), straits:, transits: and ice: (Sea of Okhotsk); all optional."""
    if "straits" in r:
        st = r["straits"]
        if not (isinstance(st, list) and st and all(z in zones for z in st)):
            err("straits", f"expected a list of this scenario's zones, got {st!r}")
    if "transits" in r:
        tr = r["transits"]
        if not isinstance(tr, dict):
            err("transits", "expected a mapping {watch, block, blocked}")
        else:
            for k in tr:
                if k not in ("watch", "block", "blocked"):
                    err(f"transits.{k}", "unknown key (allowed: watch, block, blocked)")
            w = tr.get("watch", [])
            acts = r.get("actions") if isinstance(r.get("actions"), dict) else {}
            if not (isinstance(w, list) and all(x in acts for x in w)):
                err("transits.watch", f"expected a list of this scenario's action keys, got {w!r}")
            if "block" in tr:
                _probability_block(tr["block"], "transits.block", err)
            if "blocked" in tr:
                _sizes(tr["blocked"], "transits.blocked", err, ("AX", "T"))
    if "subs" in r:
        sb = r["subs"]
        if not isinstance(sb, dict):
            err("subs", "expected a mapping {quieting, start, detection, contact, trail}")
        else:
            for k in sb:
                if k not in ("quieting", "start", "detection", "contact", "trail"):
                    err(f"subs.{k}", "unknown key (allowed: quieting, start, detection, contact, trail)")
            q = sb.get("quieting")
            if not isinstance(q, dict) or not q:
                err("subs.quieting", "expected a mapping of team code to a quieting number 0-100")
            else:
                for c, v in q.items():
                    if c not in teams:
                        err(f"subs.quieting.{c}", "unknown team")
                    elif not (_is_num(v) and 0 <= v <= 100):
                        err(f"subs.quieting.{c}", f"expected a number 0-100, got {v!r}")
            for c, zs in (sb.get("start") or {}).items():
                if c not in (q or {}):
                    err(f"subs.start.{c}", "a team with no quieting number has no submarine")
                elif not (isinstance(zs, list) and all(z in zones for z in zs)):
                    err(f"subs.start.{c}", f"expected a list of zones, got {zs!r}")
            if "detection" in sb:
                _probability_block(sb["detection"], "subs.detection", err,
                                   ("base", "per_point", "min", "max", "extra_hunt", "ice", "reveal_margin"))
            for k in ("contact", "trail"):
                if k in sb:
                    _sizes(sb[k], f"subs.{k}", err, ("BS", "T"))
    if "ice" in r:
        ice = r["ice"]
        if not isinstance(ice, dict):
            err("ice", "expected a mapping {quarters, zones, bs}")
            return
        for k in ice:
            if k not in ("quarters", "zones", "bs"):
                err(f"ice.{k}", "unknown key (allowed: quarters, zones, bs)")
        qs = ice.get("quarters")
        if not (isinstance(qs, list) and qs and all(_is_int(x) and 1 <= x <= 4 for x in qs)):
            err("ice.quarters", f"expected a list of quarters 1-4, got {qs!r}")
        zs = ice.get("zones")
        if not (isinstance(zs, list) and zs and all(z in zones for z in zs)):
            err("ice.zones", f"expected a list of this scenario's zones, got {zs!r}")
        if "bs" in ice and not (_is_num(ice["bs"]) and -20 <= ice["bs"] <= 20):
            err("ice.bs", f"expected a number -20..20, got {ice['bs']!r}")


def validate_text(t: dict, rules: dict, name: str) -> list[str]:
    E: list[str] = []

    def err(path, msg):
        E.append(f"{name}: {path}: {msg}")

    def s(d, key, path):
        if key in d and not isinstance(d[key], str):
            err(path, f"expected text, got {type(d[key]).__name__}")

    allowed = {"title", "summary", "public_briefing", "sources", "teams", "objectives", "actions", "injects", "pack"}
    if "pack" in t:
        src_keys = tuple(t["sources"]) if isinstance(t.get("sources"), dict) else None
        E.extend(validate_pack(t["pack"], rules, name, src_keys))
    for k in t:
        if k not in allowed:
            err(k, f"unknown key (allowed: {', '.join(sorted(allowed))})")
    for k in ("title", "summary", "public_briefing"):
        s(t, k, k)
    src = t.get("sources", [])
    if isinstance(src, dict):
        for k, x in src.items():
            if not isinstance(x, str):
                err(f"sources.{k}", f"expected text, got {type(x).__name__}")
    elif not isinstance(src, list):
        err("sources", "expected a list or a mapping of source id to text")
    else:
        for i, x in enumerate(src):
            if not isinstance(x, (str, dict)):
                err(f"sources[{i}]", "expected text")
            elif isinstance(x, dict) and not all(isinstance(v, str) for v in x.values()):
                err(f"sources[{i}]", "expected text fields")
    sections = {
        "teams": ([c for c, a in rules["actors"].items() if a.get("team", True)], ("name", "public_briefing", "private_briefing")),
        "objectives": (list((rules.get("objectives") or {}).keys()), ("text",)),
        "actions": (list(rules["actions"].keys()), ("name", "help", "effects_text", "prereq_text")),
        "injects": (list((rules.get("injects") or {}).keys()), ("title", "text")),
    }
    for sec, (ids, fields) in sections.items():
        block = t.get(sec, {})
        if block is None:
            continue
        if not isinstance(block, dict):
            err(sec, "expected a mapping")
            continue
        for k, v in block.items():
            if k not in ids:
                err(f"{sec}.{k}", f"unknown id (this scenario has: {', '.join(map(str, ids))})")
                continue
            if not isinstance(v, dict):
                err(f"{sec}.{k}", "expected a mapping")
                continue
            for f, x in v.items():
                if f not in fields:
                    err(f"{sec}.{k}.{f}", f"unknown field (allowed: {', '.join(fields)})")
                elif not isinstance(x, str):
                    err(f"{sec}.{k}.{f}", f"expected text, got {type(x).__name__}")
    return E


# ------------------------------------------------------------------ the facilitator's pack

PACK_KEYS = ("learning_objectives", "hot_wash", "sub_roles", "rules_summary")
_CITE = re.compile(r"\[([a-z0-9][a-z0-9-]*)\]")


def pack_numbers(rules: dict) -> dict:
    """The numbers the pack's prose may name as {placeholder}: read from the rules, so the text stays true."""
    from wargame.engine.orders import MAX_ORDERS

    start = rules.get("start") or {}
    year, quarter = start.get("year", 2016), start.get("quarter", 1)
    turns = rules.get("turns", 8)

    def date(turn):
        idx = (quarter - 1) + (turn - 1)
        return f"Q{idx % 4 + 1} {year + idx // 4}"

    cr = rules.get("crisis") or {}
    dyn = rules.get("dynamics") or {}
    inc = rules.get("incidents") or {}
    adj = rules.get("adjudication") or {}
    dom = (rules.get("triggers") or {}).get("domestic_pressure") or {}

    def n(x):
        return f"{abs(x):g}" if isinstance(x, (int, float)) else str(x)

    return {
        "turns": str(turns), "first_quarter": date(1), "last_quarter": date(turns), "orders": str(MAX_ORDERS),
        "carry_cap": n(dyn.get("rp_carry_cap_mult", 2)),
        "crisis_rung": n(cr.get("rung", 4)), "tension_cap": n(cr.get("tension_cap", 5)),
        "force_rung": n(cr.get("force_rung", 6)), "war_rung": n((rules.get("end") or {}).get("rung", 7)),
        "call_chance": n(cr.get("call_base", 50)), "call_bonus": n(cr.get("call_bonus", 20)),
        "call_c_min": n(cr.get("c_min", 50)), "call_dT": n(cr.get("call_dT", -5)), "call_dD": n(cr.get("call_dD", -1)),
        "force_dT": n(cr.get("force_dT", 10)), "war_dT": n(cr.get("war_dT", 20)),
        "high_T": n(inc.get("high_T", 80)), "domestic_below": n(dom.get("below", 30)),
        "argued_target": n(adj.get("twod6_target", 7)), "argued_cap": n(adj.get("cap", 10)),
    }


def _placeholders(text: str):
    """The {names} in a text; raises ValueError for a stray brace or a format spec."""
    out = []
    for _lit, field_name, spec, conv in string.Formatter().parse(text):
        if field_name is None:
            continue
        if spec or conv or not field_name.isidentifier():
            raise ValueError(f"got {{{field_name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}}")
        out.append(field_name)
    return out


def validate_pack(pack, rules: dict, name: str, source_keys=None) -> list[str]:
    """The text file's `pack:` (learning objectives, hot-wash guide, sub-roles, rules summary)."""
    E: list[str] = []

    def err(path, msg):
        E.append(f"{name}: pack{'.' + path if path else ''}: {msg}")

    numbers = pack_numbers(rules)

    def text(x, path):
        if not isinstance(x, str) or not x.strip():
            err(path, f"expected text, got {x!r}" if not isinstance(x, str) else "empty text")
            return
        try:
            names = _placeholders(x)
        except ValueError as e:
            err(path, f"braces hold a number from the rules, written {{name}}; write {{{{ for a literal brace ({e})")
            names = []
        for ph in names:
            if ph not in numbers:
                err(path, f"unknown number {{{ph}}} (known: {', '.join(sorted(numbers))})")
        if source_keys is not None:
            for key in _CITE.findall(x):
                if key not in source_keys:
                    err(path, f"unknown source [{key}] (sources: {', '.join(source_keys)})")

    def texts(v, path, lo, hi):
        if not isinstance(v, list):
            err(path, f"expected a list of texts, got {type(v).__name__}")
            return
        if not lo <= len(v) <= hi:
            err(path, f"expected {lo}-{hi} items, got {len(v)}")
        for i, x in enumerate(v):
            text(x, f"{path}[{i}]")

    if pack is None:
        return E
    if not isinstance(pack, dict):
        err("", f"expected a mapping with {', '.join(PACK_KEYS)}, got {type(pack).__name__}")
        return E
    for k in pack:
        if k not in PACK_KEYS:
            err(str(k), f"unknown key (allowed: {', '.join(PACK_KEYS)})")
    if "learning_objectives" in pack:
        texts(pack["learning_objectives"], "learning_objectives", 3, 5)
    hw = pack.get("hot_wash")
    if hw is not None:
        if not isinstance(hw, dict):
            err("hot_wash", "expected a mapping {general: [...], turns: {1: [...], ...}}")
        else:
            for k in hw:
                if k not in ("general", "turns"):
                    err(f"hot_wash.{k}", "unknown key (allowed: general, turns)")
            if "general" in hw:
                texts(hw["general"], "hot_wash.general", 1, 12)
            turns = hw.get("turns")
            if turns is not None:
                if not isinstance(turns, dict):
                    err("hot_wash.turns", "expected a mapping of turn number to prompts")
                else:
                    last = rules.get("turns", 8)
                    for k, v in turns.items():
                        if not (_is_int(k) and 1 <= k <= last):
                            err(f"hot_wash.turns.{k}", f"expected a turn number 1-{last}")
                            continue
                        if isinstance(v, str):
                            text(v, f"hot_wash.turns.{k}")
                        else:
                            texts(v, f"hot_wash.turns.{k}", 1, 8)
    sr = pack.get("sub_roles")
    if sr is not None:
        teams = [c for c, a in rules["actors"].items() if a.get("team", True)]
        if not isinstance(sr, dict):
            err("sub_roles", "expected a mapping of team code to a list of {name, text}")
        else:
            for code, roles in sr.items():
                p = f"sub_roles.{code}"
                if code not in teams:
                    err(p, f"unknown team (this scenario has: {', '.join(teams)})")
                    continue
                if not (isinstance(roles, list) and len(roles) >= 2):
                    err(p, "expected a list of at least two sub-roles, each {name, text}")
                    continue
                for i, r in enumerate(roles):
                    if not isinstance(r, dict):
                        err(f"{p}[{i}]", "expected {name, text}")
                        continue
                    for f in r:
                        if f not in ("name", "text"):
                            err(f"{p}[{i}].{f}", "unknown field (allowed: name, text)")
                    for f in ("name", "text"):
                        if f not in r:
                            err(f"{p}[{i}].{f}", "missing")
                        else:
                            text(r[f], f"{p}[{i}].{f}")
    rs = pack.get("rules_summary")
    if rs is not None:
        if not (isinstance(rs, list) and 1 <= len(rs) <= 12):
            err("rules_summary", "expected a list of 1-12 sections, each {heading, text}")
        else:
            for i, sec in enumerate(rs):
                if not isinstance(sec, dict):
                    err(f"rules_summary[{i}]", "expected {heading, text}")
                    continue
                for f in sec:
                    if f not in ("heading", "text"):
                        err(f"rules_summary[{i}].{f}", "unknown field (allowed: heading, text)")
                for f in ("heading", "text"):
                    if f not in sec:
                        err(f"rules_summary[{i}].{f}", "missing")
                    else:
                        text(sec[f], f"rules_summary[{i}].{f}")
    return E


def build_pack(pack, rules: dict) -> dict:
    """The validated `pack:` with its {numbers} filled in from the rules and every part present."""
    pack = pack or {}
    numbers = pack_numbers(rules)

    def fill(x):
        return x.format_map(numbers).strip()

    hw = pack.get("hot_wash") or {}
    turns = {}
    for k, v in (hw.get("turns") or {}).items():
        turns[k] = [fill(v)] if isinstance(v, str) else [fill(x) for x in v]
    return {
        "learning_objectives": [fill(x) for x in pack.get("learning_objectives") or ()],
        "hot_wash": {"general": [fill(x) for x in hw.get("general") or ()], "turns": dict(sorted(turns.items()))},
        "sub_roles": {code: [{"name": fill(r["name"]), "text": fill(r["text"])} for r in roles]
                      for code, roles in (pack.get("sub_roles") or {}).items()},
        "rules_summary": [{"heading": fill(s["heading"]), "text": fill(s["text"])}
                          for s in pack.get("rules_summary") or ()],
    }


# ------------------------------------------------------------------ building

def _targets(a, who, actors, teams):
    tg = a.get("target", "none")
    out = {}
    for t in who:
        if tg == "none":
            out[t] = ()
        elif tg == "any":
            out[t] = tuple(c for c in actors if c != t)
        elif tg == "teams":
            out[t] = tuple(c for c in teams if c != t)
        elif isinstance(tg, list):
            out[t] = tuple(c for c in tg if c != t)
        else:
            out[t] = tuple(tg.get(t, ()))
    return out


def _trigger_text(trig: dict) -> str:
    parts = []
    if "turn" in trig:
        parts.append(f"turn {trig['turn']}")
    if "when" in trig:
        parts.append(("when " if not parts else "") + cond_text(trig["when"]))
    return " and ".join(parts)


def _src(x):
    if isinstance(x, str):
        return x
    return " — ".join(str(v) for v in x.values())


def build(rules: dict, text: dict, source: str = "") -> Scenario:
    """Scenario from validated rules and text dicts (text deep-merged over rules)."""
    rules = copy.deepcopy(rules)
    actors = rules["actors"]
    teams = tuple(c for c, a in actors.items() if a.get("team", True))
    tteams = text.get("teams") or {}
    tobj = text.get("objectives") or {}
    tact = text.get("actions") or {}
    tinj = text.get("injects") or {}
    objectives = []
    for oid, o in (rules.get("objectives") or {}).items():
        txt = (tobj.get(oid) or {}).get("text") or cond_text(o["cond"])
        objectives.append(ObjectiveSpec(oid, txt, o["team"], o["cond"]))
    team_specs = []
    for code in teams:
        a = actors[code]
        tt = tteams.get(code) or {}
        team_specs.append(TeamSpec(
            code=code,
            name=tt.get("name") or a.get("name", code),
            cell=a.get("cell", ""),
            colour=a.get("colour", "#888888"),
            played_by_default=bool(a.get("played_by_default", code in ("JPN", "RUS", "CHN"))),
            public_briefing=tt.get("public_briefing") or f"{a.get('name', code)}: briefing to follow.",
            private_briefing=tt.get("private_briefing") or f"{a.get('name', code)}: private briefing to follow.",
            objectives=tuple(o for o in objectives if o.team == code),
        ))
    actions = {}
    for key, a in rules["actions"].items():
        who = tuple(a["who"])
        targets = _targets(a, who, tuple(actors), teams)
        zones = tuple(a.get("zones", ()))
        needs_target = not zones and any(len(v) > 1 for v in targets.values())
        ta = tact.get(key) or {}
        effects = tuple(a.get("effects", ()))
        actions[key] = ActionSpec(
            key=key, name=ta.get("name") or a["name"], category=a["category"], cost=a["cost"], rung=a["rung"], who=who,
            bilateral=bool(a.get("bilateral", False)), needs_target=needs_target, argued=False,
            effects_text=ta.get("effects_text") or effects_text(effects),
            prereq_text=ta.get("prereq_text") or cond_text(a.get("prereq")),
            help=ta.get("help") or (ta.get("name") or a["name"]) + ".",
            locked_until_unlocked=bool(a.get("locked", False)),
            targets=targets, zones=zones, default_zone=a.get("default_zone", ""),
            prereq=a.get("prereq"), effects=effects, joint=a.get("joint"), island=bool(a.get("island", False)),
            hidden=bool(a.get("hidden", False)), surface=bool(a.get("surface", False)),
        )
    injects = []
    for iid, inj in (rules.get("injects") or {}).items():
        ti = tinj.get(iid) or {}
        aud = inj.get("audience", "all")
        injects.append(InjectSpec(
            id=iid, title=ti.get("title") or inj["name"], text=ti.get("text") or "",
            audience=aud if aud == "all" else tuple(aud), trigger_text=_trigger_text(inj["trigger"]),
            trigger=inj["trigger"], effects=tuple(inj.get("effects") or ()), decision=inj.get("decision", ""),
            unless=inj.get("unless"), name=inj["name"],
        ))
    start = rules["start"]
    return Scenario(
        slug=rules["slug"],
        title=text.get("title") or rules["name"],
        summary=text.get("summary") or "",
        start_year=start["year"],
        start_quarter=start["quarter"],
        turns=rules.get("turns", 8),
        teams=tuple(team_specs),
        public_briefing=text.get("public_briefing") or "",
        actions=actions,
        injects=tuple(injects),
        sources=tuple(_src(x) for x in (text.get("sources") or {}).values()) if isinstance(text.get("sources"), dict)
        else tuple(_src(x) for x in text.get("sources") or ()),
        source_refs=dict(text.get("sources") or {}) if isinstance(text.get("sources"), dict) else {},
        objectives=tuple(objectives),
        rules=rules,
        params=Params(rules),
        source_file=source,
        pack=build_pack(text.get("pack"), rules),
    )
