"""A tiny condition language used by prerequisites, triggers and objectives.

  {var: LL, of: self, ge: 40}                actor variable
  {var: IL, dyad: [self, target], ge: 40}    dyad variable (IL T C E rung)
  {var: turn, ge: 8}                         the turn being resolved / reported
  {var: max_rung, involving: JPN, lt: 5}     highest rung among dyads (involving one actor)
  {var: detections, of: JPN, ge: 2}         a running count (state.tally): detections (made by),
                                             detected (times found), trails, transits (through a strait,
                                             not blocked), blocked (transits turned back)
  {flag: PARALLEL_TRACK, dyad: [JPN, RUS]}   a dyad flag is set
  {all: [...]}, {any: [...]}, {not: {...}}
References: actor codes, or self / target (resolved from the acting order).
"""
from __future__ import annotations

from .state import DYAD_VARS, FLAGS, dyad_key

COMPARATORS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "eq": "="}
REFS = ("self", "target")
TALLY_VARS = ("detections", "detected", "trails", "transits", "blocked")


def _ref(r, ctx):
    if r == "self":
        return ctx.get("self") if ctx else None
    if r == "target":
        return ctx.get("target") if ctx else None
    return r


def cond_value(c: dict, st, ctx=None, turn=None):
    var = c["var"]
    if var == "turn":
        return st.turn if turn is None else turn
    if var == "max_rung":
        who = _ref(c.get("involving"), ctx) if c.get("involving") else None
        best = 0
        for k, d in st.dyads.items():
            if who is None or who in k.split("-"):
                if d.rung > best:
                    best = d.rung
        return best
    if var in TALLY_VARS:
        code = _ref(c.get("of", "self"), ctx)
        return st.tally.get(f"{var}:{code}", 0) if code else None
    if "dyad" in c:
        a, b = (_ref(x, ctx) for x in c["dyad"])
        if a is None or b is None or a == b:
            return None
        d = st.dyads.get(dyad_key(a, b))
        if d is None:
            return None
        return getattr(d, var)
    code = _ref(c.get("of", "self"), ctx)
    a = st.actors.get(code)
    if a is None:
        return None
    return a.vars.get(var)


def eval_cond(c: dict | None, st, ctx=None, turn=None) -> bool:
    """True when the condition holds in state `st`."""
    if not c:
        return True
    if "all" in c:
        return all(eval_cond(x, st, ctx, turn) for x in c["all"])
    if "any" in c:
        return any(eval_cond(x, st, ctx, turn) for x in c["any"])
    if "not" in c:
        return not eval_cond(c["not"], st, ctx, turn)
    if "flag" in c:
        a, b = (_ref(x, ctx) for x in c["dyad"])
        if a is None or b is None or a == b:
            return False
        d = st.dyads.get(dyad_key(a, b))
        return d is not None and c["flag"] in d.flags
    v = cond_value(c, st, ctx, turn)
    if v is None:
        return False
    for op, lim in c.items():
        if op == "ge" and not v >= lim:
            return False
        if op == "gt" and not v > lim:
            return False
        if op == "le" and not v <= lim:
            return False
        if op == "lt" and not v < lim:
            return False
        if op == "eq" and not v == lim:
            return False
    return True


def failing_parts(c: dict | None, st, ctx=None) -> list[str]:
    """Human text of the unmet parts of a condition (for 'prerequisite unmet' reasons)."""
    if not c or eval_cond(c, st, ctx):
        return []
    if "all" in c:
        out = []
        for x in c["all"]:
            out += failing_parts(x, st, ctx)
        return out
    text = cond_text(c, ctx)
    if "var" in c and "all" not in c:
        v = cond_value(c, st, ctx)
        if v is not None:
            text += f" (now {round(v, 1):g})"
    return [text]


def _name(r, ctx=None):
    if ctx and r in REFS and ctx.get(r):
        return ctx[r]
    return {"self": "own", "target": "target"}.get(r, r)


def cond_text(c: dict | None, ctx=None) -> str:
    """Plain words for a condition."""
    if not c:
        return ""
    if "all" in c:
        return " and ".join(cond_text(x, ctx) for x in c["all"])
    if "any" in c:
        return "(" + " or ".join(cond_text(x, ctx) for x in c["any"]) + ")"
    if "not" in c:
        return "not " + cond_text(c["not"], ctx)
    if "flag" in c:
        a, b = (_name(x, ctx) for x in c["dyad"])
        return f"{c['flag']} in force between {a} and {b}"
    var = c["var"]
    if var == "turn":
        subj = "turn"
    elif var == "max_rung":
        subj = f"highest rung{' involving ' + _name(c['involving'], ctx) if c.get('involving') else ''}"
    elif "dyad" in c:
        a, b = (_name(x, ctx) for x in c["dyad"])
        subj = f"{var}({a},{b})"
    else:
        who = _name(c.get("of", "self"), ctx)
        subj = f"{who} {var}" if who != "own" else f"own {var}"
    parts = [f"{subj} {COMPARATORS[op]} {c[op]:g}" for op in COMPARATORS if op in c]
    return " and ".join(parts)


def validate_cond(c, path: str, actors, extra_refs=REFS) -> list[str]:
    """Problems with a condition, each "path: problem"."""
    errs: list[str] = []
    if not isinstance(c, dict) or not c:
        return [f"{path}: expected a condition mapping, got {c!r}"]
    if "all" in c or "any" in c:
        key = "all" if "all" in c else "any"
        if not isinstance(c[key], list) or not c[key]:
            return [f"{path}.{key}: expected a non-empty list of conditions"]
        for i, x in enumerate(c[key]):
            errs += validate_cond(x, f"{path}.{key}[{i}]", actors, extra_refs)
        return errs
    if "not" in c:
        return validate_cond(c["not"], f"{path}.not", actors, extra_refs)

    def ref_ok(r):
        return r in actors or r in extra_refs

    if "flag" in c:
        if c["flag"] not in FLAGS:
            errs.append(f"{path}.flag: unknown flag {c['flag']!r} (known: {', '.join(FLAGS)})")
        d = c.get("dyad")
        if not (isinstance(d, list) and len(d) == 2 and all(ref_ok(x) for x in d)):
            errs.append(f"{path}.dyad: expected two actor codes, got {d!r}")
        return errs
    var = c.get("var")
    if not isinstance(var, str):
        return [f"{path}: a condition needs 'var', 'flag', 'all', 'any' or 'not'"]
    ops = [op for op in COMPARATORS if op in c]
    if not ops:
        errs.append(f"{path}: needs a comparison (one of {', '.join(COMPARATORS)})")
    for op in ops:
        if isinstance(c[op], bool) or not isinstance(c[op], (int, float)):
            errs.append(f"{path}.{op}: expected a number, got {c[op]!r}")
    allowed = set(COMPARATORS) | {"var", "of", "dyad", "involving"}
    for k in c:
        if k not in allowed:
            errs.append(f"{path}.{k}: unknown key in a condition")
    if var in ("turn",):
        return errs
    if var == "max_rung":
        if "involving" in c and not ref_ok(c["involving"]):
            errs.append(f"{path}.involving: unknown actor {c['involving']!r}")
        return errs
    if var in DYAD_VARS or var == "rung":
        d = c.get("dyad")
        if not (isinstance(d, list) and len(d) == 2 and all(ref_ok(x) for x in d)):
            errs.append(f"{path}.dyad: expected two actor codes, got {d!r}")
        return errs
    if "of" in c and not ref_ok(c["of"]):
        errs.append(f"{path}.of: unknown actor {c['of']!r}")
    return errs
