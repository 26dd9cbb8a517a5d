"""Declarative effects: validation, plain-words text and the interpreter.

An effect is a mapping. Numeric ones move one variable:
  {var: N, of: self, delta: 6, delay: 1}                  actor var, next turn
  {var: T, dyad: [self, target], delta: 4, spill: true}   dyad var; spill applies the ω rule
  {var: T, dyad: [JPN, RUS], delta: 5, attr: spillover}   attribution part (direct/spillover/incident)
  {var: D, of: each, pick: [-3, 3]}                       random choice  ({range: [2, 5]} = integer range)
  optional: temporary (revert next turn), if: <condition>
References: actor codes, self, target, each (both partners), excluded (core actors not
partners), third (named third party).
Operations ({op: ...}): flag, presence, intel, incident, omega_mult, align_add, align_mult,
unlock, cost, act, force_incident, rung, rp, if_ordered_both, covert_detect.
"""
from __future__ import annotations

import math

from .conditions import cond_text, eval_cond, validate_cond
from .state import DYAD_VARS, FLAGS

ACTOR_VARS = ("N", "ASW", "D", "LL", "BS", "SP", "KM", "AX")
EFFECT_REFS = ("self", "target", "each", "excluded", "third")
ATTRS = ("direct", "spillover", "incident")
ATTR_INDEX = {"direct": 0, "spillover": 1, "incident": 2, "drift": 3}
ATTR_NAMES = ("direct", "spillover", "incident", "drift")
TURN_MOD_OPS = ("omega_mult", "align_add", "align_mult")
OPS = ("flag", "presence", "intel", "incident", "omega_mult", "align_add", "align_mult", "unlock",
       "cost", "act", "force_incident", "rung", "rp", "if_ordered_both", "covert_detect")


def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def validate_effect(e, path: str, actors, *, actions=(), zones=(), cap=None, refs=EFFECT_REFS) -> list[str]:
    """Problems with one effect, each "path: problem". `cap` bounds every delta (ad-hoc injects)."""
    if not isinstance(e, dict):
        return [f"{path}: expected a mapping, got {e!r}"]
    errs: list[str] = []

    def ref_ok(r):
        return r in actors or r in refs

    def check_dyad(d, p):
        if not (isinstance(d, list) and len(d) == 2 and all(isinstance(x, str) and ref_ok(x) for x in d)):
            errs.append(f"{p}: expected two actor codes (or self/target/each/excluded/third), got {d!r}")
        elif d[0] == d[1] and d[0] in actors:
            errs.append(f"{p}: a dyad needs two different actors, got {d!r}")

    def check_cap(v, p):
        if _num(v) and not math.isfinite(v):  # nan passes every comparison, so test it first
            errs.append(f"{p}: {v!r} is not a finite number")
        elif cap is not None and _num(v) and abs(v) > cap:
            errs.append(f"{p}: {v:g} is beyond the cap of ±{cap:g} per variable")

    if "if" in e:
        errs += validate_cond(e["if"], f"{path}.if", actors)
    op = e.get("op")
    if op is None:
        var = e.get("var")
        if var in DYAD_VARS:
            check_dyad(e.get("dyad"), f"{path}.dyad")
        elif var in ACTOR_VARS:
            if not (isinstance(e.get("of"), str) and ref_ok(e["of"])):
                errs.append(f"{path}.of: expected an actor code or self/target/each/excluded/third, got {e.get('of')!r}")
        else:
            return errs + [f"{path}.var: unknown variable {var!r} (actor: {', '.join(ACTOR_VARS)}; dyad: {', '.join(DYAD_VARS)})"]
        amounts = [k for k in ("delta", "pick", "range") if k in e]
        if len(amounts) != 1:
            errs.append(f"{path}: needs exactly one of delta, pick or range")
        elif amounts[0] == "delta":
            if not _num(e["delta"]):
                errs.append(f"{path}.delta: expected a number, got {e['delta']!r}")
            check_cap(e["delta"], f"{path}.delta")
        else:
            v = e[amounts[0]]
            if not (isinstance(v, list) and v and all(_num(x) for x in v)) or (amounts[0] == "range" and (len(v) != 2 or not all(isinstance(x, int) for x in v) or v[0] > v[1])):
                errs.append(f"{path}.{amounts[0]}: expected a list of numbers ({'two integers low, high' if amounts[0] == 'range' else 'choices'}), got {v!r}")
            else:
                for x in v:
                    check_cap(x, f"{path}.{amounts[0]}")
        if "attr" in e and e["attr"] not in ATTRS:
            errs.append(f"{path}.attr: expected one of {', '.join(ATTRS)}, got {e['attr']!r}")
        if "attr" in e and var != "T":
            errs.append(f"{path}.attr: only tension (T) changes carry an attribution")
        if "spill" in e and (not isinstance(e["spill"], bool) or var != "T"):
            errs.append(f"{path}.spill: expected true/false on a T effect")
        if "delay" in e and not (isinstance(e["delay"], int) and not isinstance(e["delay"], bool) and 0 <= e["delay"] <= 8):
            errs.append(f"{path}.delay: expected an integer 0-8, got {e['delay']!r}")
        if "temporary" in e and not isinstance(e["temporary"], bool):
            errs.append(f"{path}.temporary: expected true/false")
        allowed = {"var", "of", "dyad", "delta", "pick", "range", "attr", "spill", "delay", "temporary", "if",
                   "if_pair", "if_zone"}
        if "if_pair" in e and not (isinstance(e["if_pair"], list) and len(e["if_pair"]) == 2
                                   and all(x in actors for x in e["if_pair"])):
            errs.append(f"{path}.if_pair: expected two actor codes, got {e['if_pair']!r}")
        if "if_zone" in e and e["if_zone"] not in zones:
            errs.append(f"{path}.if_zone: unknown zone {e['if_zone']!r}")
        errs += [f"{path}.{k}: unknown key" for k in e if k not in allowed]
        return errs
    if op not in OPS:
        return errs + [f"{path}.op: unknown operation {op!r} (known: {', '.join(OPS)})"]
    if op == "flag":
        check_dyad(e.get("dyad"), f"{path}.dyad")
        fl = e.get("set", e.get("clear"))
        if fl not in FLAGS:
            errs.append(f"{path}: flag needs set: or clear: one of {', '.join(FLAGS)}, got {fl!r}")
    elif op == "presence":
        if e.get("zone") not in zones and e.get("zone") != "target":
            errs.append(f"{path}.zone: unknown zone {e.get('zone')!r}")
        if not (isinstance(e.get("of"), str) and ref_ok(e["of"])):
            errs.append(f"{path}.of: unknown actor {e.get('of')!r}")
        if not isinstance(e.get("delta"), int) or isinstance(e.get("delta"), bool):
            errs.append(f"{path}.delta: expected an integer number of task groups, got {e.get('delta')!r}")
    elif op == "intel":
        for k in ("viewer", "of"):
            if not (isinstance(e.get(k), str) and (ref_ok(e[k]) or (k == "of" and e[k] == "all"))):
                errs.append(f"{path}.{k}: unknown actor {e.get(k)!r}")
        if not (_num(e.get("mult")) and 0 <= e["mult"] <= 5):
            errs.append(f"{path}.mult: expected a number 0-5, got {e.get('mult')!r}")
        t = e.get("turns", 1)
        if t is not None and not (isinstance(t, int) and t >= 1):
            errs.append(f"{path}.turns: expected a positive integer or null (for good), got {t!r}")
    elif op == "incident":
        check_dyad(e.get("dyad"), f"{path}.dyad")
        for k in ("chance_add", "chance_mult"):
            if k in e and not _num(e[k]):
                errs.append(f"{path}.{k}: expected a number, got {e[k]!r}")
        if "chance_add" in e and abs(e["chance_add"]) > 0.5:
            errs.append(f"{path}.chance_add: must lie within ±0.5, got {e['chance_add']!r}")
    elif op in ("omega_mult",):
        if not (isinstance(e.get("of"), str) and ref_ok(e["of"])):
            errs.append(f"{path}.of: unknown actor {e.get('of')!r}")
        if not (_num(e.get("mult")) and 0 <= e["mult"] <= 3):
            errs.append(f"{path}.mult: expected a number 0-3, got {e.get('mult')!r}")
    elif op in ("align_add", "align_mult"):
        pair = e.get("pair")
        if not (isinstance(pair, str) and pair.count(">") == 1 and all(x in actors for x in pair.split(">"))):
            errs.append(f"{path}.pair: expected 'A>O' with actor codes, got {pair!r}")
        k = "add" if op == "align_add" else "mult"
        if not (_num(e.get(k)) and abs(e[k]) <= 3):
            errs.append(f"{path}.{k}: expected a number within ±3, got {e.get(k)!r}")
    elif op == "unlock":
        acts = e.get("actions")
        if not (isinstance(acts, list) and acts and all(a in actions for a in acts)):
            errs.append(f"{path}.actions: expected a list of this scenario's action keys, got {acts!r}")
    elif op == "cost":
        if e.get("action") not in actions:
            errs.append(f"{path}.action: unknown action {e.get('action')!r}")
        if not isinstance(e.get("delta"), int) or isinstance(e.get("delta"), bool):
            errs.append(f"{path}.delta: expected an integer, got {e.get('delta')!r}")
    elif op == "act":
        if e.get("action") not in actions:
            errs.append(f"{path}.action: unknown action {e.get('action')!r}")
        if e.get("self") not in actors:
            errs.append(f"{path}.self: unknown actor {e.get('self')!r}")
        if e.get("target") is not None and e.get("target") not in actors:
            errs.append(f"{path}.target: unknown actor {e.get('target')!r}")
    elif op == "force_incident":
        check_dyad(e.get("dyad"), f"{path}.dyad")
    elif op == "rung":
        check_dyad(e.get("dyad"), f"{path}.dyad")
        if not (isinstance(e.get("rung"), int) and 0 <= e["rung"] <= 7):
            errs.append(f"{path}.rung: expected an integer 0-7, got {e.get('rung')!r}")
    elif op == "rp":
        if not (isinstance(e.get("of"), str) and ref_ok(e["of"])):
            errs.append(f"{path}.of: unknown actor {e.get('of')!r}")
        if not isinstance(e.get("delta"), int) or isinstance(e.get("delta"), bool):
            errs.append(f"{path}.delta: expected an integer, got {e.get('delta')!r}")
        check_cap(e.get("delta"), f"{path}.delta")
    elif op == "if_ordered_both":
        if e.get("action") not in actions:
            errs.append(f"{path}.action: unknown action {e.get('action')!r}")
        t = e.get("teams")
        if not (isinstance(t, list) and len(t) == 2 and all(x in actors for x in t)):
            errs.append(f"{path}.teams: expected two actor codes, got {t!r}")
        for k in ("then", "else"):
            for i, x in enumerate(e.get(k) or []):
                errs += validate_effect(x, f"{path}.{k}[{i}]", actors, actions=actions, zones=zones, cap=cap, refs=refs)
    elif op == "covert_detect":
        check_dyad(e.get("dyad"), f"{path}.dyad")
        for k in ("base", "c_div"):
            if not _num(e.get(k)) or (k == "c_div" and e[k] <= 0):
                errs.append(f"{path}.{k}: expected a positive number, got {e.get(k)!r}")
        for i, x in enumerate(e.get("then") or []):
            errs += validate_effect(x, f"{path}.then[{i}]", actors, actions=actions, zones=zones, cap=cap, refs=refs)
    return errs


# ---------------------------------------------------------------- plain words

_WHO = {"self": "own", "target": "the target's", "each": "each side's", "excluded": "each excluded neighbour's",
        "third": "the third party's"}


def _dy(d):
    def n(x):
        return {"self": "self", "target": "target", "each": "each", "excluded": "excluded", "third": "third"}.get(x, x)
    if d == ["self", "target"] or d == ["target", "self"]:
        return ""
    return f"({n(d[0])},{n(d[1])})"


def _amt(e):
    if "delta" in e:
        return f"{e['delta']:+g}"
    if "pick" in e:
        return "/".join(f"{x:+g}" for x in e["pick"]) + " (roll)"
    lo, hi = e["range"]
    return f"{lo:+g} to {hi:+g} (roll)"


def effect_text(e) -> str:
    op = e.get("op")
    s = ""
    if op is None:
        if e["var"] in DYAD_VARS:
            s = f"{e['var']}{_dy(e['dyad'])} {_amt(e)}"
            if e.get("spill"):
                s += " (ω spillover)"
        else:
            s = f"{_WHO.get(e['of'], e['of'] + ' ')}{' ' if e['of'] in _WHO else ''}{e['var']} {_amt(e)}".replace("  ", " ")
        if e.get("delay"):
            s += " next turn" if e["delay"] == 1 else f" in {e['delay']} turns"
        if e.get("temporary"):
            s += " this turn"
    elif op == "flag":
        s = f"sets {e['set']}" if "set" in e else f"ends {e['clear']}"
    elif op == "presence":
        s = f"{e['delta']:+d} task group in {e['zone']}" + (" this turn" if e.get("temporary") else "")
    elif op == "intel":
        s = "better intelligence" if e["mult"] < 1 else "worse intelligence"
        s += f" for {_WHO.get(e['viewer'], e['viewer']).replace(chr(39) + 's', '')}"
    elif op == "incident":
        bits = []
        if "chance_add" in e:
            bits.append(f"incident chance {e['chance_add']:+g}")
        if "chance_mult" in e:
            bits.append(f"incident chance ×{e['chance_mult']:g}")
        s = ", ".join(bits) or "forces contact"
    elif op == "omega_mult":
        s = f"ω from the actor ×{e['mult']:g} this turn"
    elif op == "align_add":
        s = f"m_align {e['pair']} {e['add']:+g} this turn"
    elif op == "align_mult":
        s = f"m_align {e['pair']} ×{e['mult']:g} this turn"
    elif op == "unlock":
        s = "unlocks " + ", ".join(e["actions"])
    elif op == "cost":
        s = f"{e['action']} costs {abs(e['delta'])} RP {'less' if e['delta'] < 0 else 'more'}"
    elif op == "act":
        s = f"forced {e['action']} by {e['self']}" + (f" against {e['target']}" if e.get("target") else "")
    elif op == "force_incident":
        s = f"forced incident roll {e['dyad'][0]}–{e['dyad'][1]}"
    elif op == "rung":
        s = f"rung {e['rung']} for {e['dyad'][0]}–{e['dyad'][1]}"
    elif op == "rp":
        s = f"{e['of']} RP {e['delta']:+d} next turn"
    elif op == "if_ordered_both":
        a, b = e["teams"]
        s = f"if {a} and {b} both order {e['action']}: " + ("; ".join(effect_text(x) for x in e.get("then") or []) or "it proceeds")
        if e.get("else"):
            s += "; otherwise " + "; ".join(effect_text(x) for x in e["else"])
    elif op == "covert_detect":
        s = f"detected if 2d6 ≥ {e['base']:g} + C/{e['c_div']:g}: " + "; ".join(effect_text(x) for x in e.get("then") or [])
    if "if" in e:
        s += f" if {cond_text(e['if'])}"
    if "if_pair" in e:
        s += f" if the pair is {e['if_pair'][0]}–{e['if_pair'][1]}"
    if "if_zone" in e:
        s += f" if it enters {e['if_zone']}"
    return s


def effects_text(effects) -> str:
    return "; ".join(effect_text(e) for e in effects)


# ---------------------------------------------------------------- interpreter


class Buffer:
    """Changes of one category, computed from one snapshot and applied together."""

    __slots__ = ("actor", "dyad", "tparts", "ops")

    def __init__(self):
        self.actor: dict = {}
        self.dyad: dict = {}
        self.tparts: dict = {}
        self.ops: list = []

    def add_actor(self, code, var, x):
        k = (code, var)
        self.actor[k] = self.actor.get(k, 0.0) + x

    def add_dyad(self, key, var, x, attr=0):
        if var == "T":
            parts = self.tparts.get(key)
            if parts is None:
                parts = self.tparts[key] = [0.0, 0.0, 0.0, 0.0]
            parts[attr] += x
        else:
            k = (key, var)
            self.dyad[k] = self.dyad.get(k, 0.0) + x


def expand(ref, ctx, core):
    if ref == "self":
        return (ctx["self"],) if ctx.get("self") else ()
    if ref == "target":
        return (ctx["target"],) if ctx.get("target") else ()
    if ref == "each":
        return ctx.get("partners") or ((ctx["self"],) if ctx.get("self") else ())
    if ref == "excluded":
        parts = ctx.get("partners") or (ctx.get("self"), ctx.get("target"))
        return tuple(c for c in core if c not in parts)
    if ref == "third":
        return tuple(ctx.get("third") or ())
    return (ref,)


class Eff:
    """A compiled effect: the dict's fields as attributes (the interpreter's hot path)."""

    __slots__ = ("raw", "op", "var", "dyad", "of", "delta", "pick", "range", "spill", "attr", "attr_name",
                 "later", "cond", "if_pair", "if_zone")

    def __init__(self, e: dict):
        self.raw = e
        self.op = e.get("op")
        self.var = e.get("var")
        self.dyad = tuple(e["dyad"]) if "dyad" in e else None
        self.of = e.get("of")
        self.delta = e.get("delta") if self.op is None else None
        self.pick = tuple(e["pick"]) if "pick" in e else None
        self.range = tuple(e["range"]) if "range" in e else None
        self.spill = bool(e.get("spill"))
        self.attr_name = e.get("attr", "direct")
        self.attr = ATTR_INDEX[self.attr_name]
        self.later = bool(e.get("delay") or e.get("temporary"))
        self.cond = e.get("if")
        self.if_pair = frozenset(e["if_pair"]) if "if_pair" in e else None
        self.if_zone = e.get("if_zone")


_COMPILED: dict = {}


def compiled(effects) -> tuple:
    """Compiled form of an effects tuple, memoised by identity (spec tuples live as long as the scenario)."""
    key = id(effects)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is effects:
        return hit[1]
    comp = tuple(Eff(e) for e in effects)
    if isinstance(effects, tuple) and len(_COMPILED) < 4096:  # bounded: ad-hoc effects are compiled afresh
        _COMPILED[key] = (effects, comp)
    return comp


def eval_effects(tc, effects, ctx, scale, buf: Buffer, changes: list, event: str, phase: str):
    """Interpret effects for one event into `buf`. `tc` is the resolver's turn context."""
    st = tc.st
    core = tc.p.core
    dyads = st.dyads
    for e in compiled(effects):
        if e.cond is not None and not eval_cond(e.cond, st, ctx, tc.turn):
            continue
        if e.if_pair is not None and set(ctx.get("partners") or (ctx.get("self"), ctx.get("target"))) != e.if_pair:
            continue
        if e.if_zone is not None and ctx.get("zone") != e.if_zone:
            continue
        if e.op is not None:
            tc.op(e.raw, e.op, ctx, scale, buf, changes, event, phase)
            continue
        var = e.var
        base = e.delta
        if base is None:
            k = ctx["_k"]
            ctx["_k"] = k + 1
            if e.pick is not None:
                opts = e.pick
                base = opts[tc.dice.dice(phase, event, k, 1, len(opts))[0] - 1]
            else:
                lo, hi = e.range
                base = lo + tc.dice.dice(phase, event, k, 1, hi - lo + 1)[0] - 1
        amount = base * scale
        if amount == 0:
            continue
        if e.dyad is not None:
            x0, y0 = e.dyad
            for a in expand(x0, ctx, core):
                for b in expand(y0, ctx, core):
                    if a == b:
                        continue
                    key = a + "-" + b if a < b else b + "-" + a
                    d = dyads.get(key)
                    if d is None:
                        continue
                    amt = amount
                    if var in ("IL", "E") and ctx.get("island") and "PARALLEL_TRACK" in d.flags:
                        amt *= tc.p.island_factor
                    if e.later:
                        tc.delayed(e.raw, "dyad", key, var, amt, buf)
                    else:
                        buf.add_dyad(key, var, amt, e.attr)
                        if var == "T":
                            tc.seen_by(key, ctx.get("rung"))
                            if e.spill and amt > 0:
                                src = ctx.get("self")
                                if src == a or src == b:
                                    tc.spill(src, b if a == src else a, amt, buf, changes)
                    changes.append((key, var, amt, e.attr_name))
        else:
            for c in expand(e.of, ctx, core):
                a = st.actors.get(c)
                if a is None or var not in a.vars:
                    continue
                if e.later:
                    tc.delayed(e.raw, "actor", c, var, amount, buf)
                else:
                    buf.add_actor(c, var, amount)
                changes.append((c, var, amount, ""))
