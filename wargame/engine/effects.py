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
unlock, cost, act, force_incident, rung, rp, if_ordered_both, covert_detect, structural,
and the hidden-submarine and strait ops (scenarios with `subs:` / `straits:`):
  {op: place_sub, zone: target}   the actor's submarine patrols this zone (secret; state.hidden)
  {op: hunt, zone: target}        the actor hunts submarines in this zone (detection rolls, phases/detection.py)
  {op: transit, zone: target}     a surface transit of this zone; through a strait it may be seen or
                                  blocked (phases/straits.py)
  {op: barrier, zone: target}     a barrier on this strait: transits through it roll to pass
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import dynamics
from .conditions import cond_text, eval_cond, validate_cond
from .state import ACTOR_VARS, DYAD_VARS, FLAGS, dyad_key

EFFECT_REFS = ("self", "target", "each", "excluded", "third")
ATTRS = ("direct", "spillover", "incident", "events")
# The five parts every change in T splits into (GAME_MODEL §3, §9): moves of the dyad's own members at each
# other, spillover of moves aimed at a third party, incidents, events (injects, White, triggers, crisis
# outcomes) and drift. They add up exactly to ΔT.
ATTR_INDEX = {"direct": 0, "spillover": 1, "incident": 2, "events": 3, "drift": 4}
ATTR_NAMES = ("direct", "spillover", "incident", "events", "drift")
# Phases whose "direct" T changes are events (nobody's move): injects, triggers, the crisis sub-turn.
EVENT_PHASES = frozenset(("injects", "triggers", "crisis"))
TURN_MOD_OPS = ("omega_mult", "align_add", "align_mult")
OPS = ("flag", "presence", "intel", "incident", "omega_mult", "align_add", "align_mult", "unlock",
       "cost", "act", "force_incident", "rung", "rp", "if_ordered_both", "covert_detect", "structural",
       "place_sub", "hunt", "transit", "barrier")
ZONE_OPS = ("place_sub", "hunt", "transit", "barrier")


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
    elif op in ZONE_OPS:
        if e.get("zone") not in zones and e.get("zone") != "target":
            errs.append(f"{path}.zone: unknown zone {e.get('zone')!r}")
        errs += [f"{path}.{k}: unknown key" for k in e if k not in ("op", "zone", "if")]
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
        if "term" in e and (op != "align_mult" or not isinstance(e["term"], str) or not e["term"]):
            errs.append(f"{path}.term: align_mult may name one term of m_align (e.g. alliance), got {e['term']!r}")
    elif op == "structural":
        check_dyad(e.get("dyad"), f"{path}.dyad")
        if not any(k in e for k in ("IL0", "T0")):
            errs.append(f"{path}: structural needs IL0 (raise, ≥ 0) and/or T0 (lower, ≤ 0)")
        if "IL0" in e and not (_num(e["IL0"]) and 0 <= e["IL0"] <= 10):
            errs.append(f"{path}.IL0: agreements ratchet IL0 up: expected a number 0-10, got {e['IL0']!r}")
        if "T0" in e and not (_num(e["T0"]) and -10 <= e["T0"] <= 0):
            errs.append(f"{path}.T0: agreements lower T0: expected a number -10-0, got {e['T0']!r}")
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
        s = f"m_align {e['pair']}{' ' + e['term'] + ' term' if e.get('term') else ''} ×{e['mult']:g} this turn"
    elif op == "structural":
        bits = []
        if e.get("IL0"):
            bits.append(f"structural IL {e['IL0']:+g} (lasting)")
        if e.get("T0"):
            bits.append(f"structural T {e['T0']:+g} (lasting)")
        s = ", ".join(bits)
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
    elif op == "place_sub":
        s = f"a submarine patrols {e['zone'] if e['zone'] != 'target' else 'the chosen zone'} (secret)"
    elif op == "hunt":
        s = f"hunts submarines in {e['zone'] if e['zone'] != 'target' else 'the chosen zone'}"
    elif op == "transit":
        s = "transits the chosen strait (seen if watched; rolls against a barrier)"
    elif op == "barrier":
        s = "bars the chosen strait: transits through it roll to pass"
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
        self.actor: dict = {}  # (code, var) -> delta
        self.dyad: dict = {}  # (dyad, var) -> delta, every dyad var but T
        self.tparts: dict = {}  # dyad -> ΔT split by ATTR_INDEX (direct, spillover, incident, events, drift)
        self.ops: list = []  # FlagChange, PresenceChange, IntelChange, LastingIncidentChange

    def add_actor(self, code, var, x):
        k = (code, var)
        self.actor[k] = self.actor.get(k, 0.0) + x

    def add_dyad(self, key, var, x, attr=0):
        if var == "T":
            parts = self.tparts.get(key)
            if parts is None:
                parts = self.tparts[key] = [0.0, 0.0, 0.0, 0.0, 0.0]
            parts[attr] += x
        else:
            k = (key, var)
            self.dyad[k] = self.dyad.get(k, 0.0) + x

    def absorb(self, other: "Buffer"):
        """Add another buffer's changes to this one."""
        for (code, var), x in other.actor.items():
            self.add_actor(code, var, x)
        for (key, var), x in other.dyad.items():
            self.add_dyad(key, var, x)
        for key, parts in other.tparts.items():
            for attr, x in enumerate(parts):
                if x:
                    self.add_dyad(key, "T", x, attr)
        self.ops.extend(other.ops)


@dataclass(slots=True)
class FlagChange:
    dyad: str
    set_flag: str | None
    clear_flag: str | None

    def apply(self, state):
        d = state.dyads[self.dyad]
        if self.set_flag:
            d.flags = d.flags | {self.set_flag}
        if self.clear_flag:
            d.flags = d.flags - {self.clear_flag}


@dataclass(slots=True)
class PresenceChange:
    zone: str
    actor: str
    delta: int

    def apply(self, state):
        forces = state.presence.setdefault(self.zone, {})
        n = forces.get(self.actor, 0) + self.delta
        if n > 0:
            forces[self.actor] = n
        else:
            forces.pop(self.actor, None)


@dataclass(slots=True)
class IntelChange:
    key: str  # "intel:{viewer}>{of}|{event id}"
    mult: float
    until: int | None  # last turn in force; None = for good

    def apply(self, state):
        state.mods[self.key] = [self.mult, self.until]


@dataclass(slots=True)
class StructuralChange:
    """An agreement's lasting change to a dyad's structural levels: IL₀ ratchets up, T₀ down."""

    dyad: str
    il0: float
    t0: float
    base_il0: float  # the scenario baseline, when the state still has None
    base_t0: float

    def apply(self, state):
        d = state.dyads[self.dyad]
        if self.il0:
            cur = d.IL0 if d.IL0 is not None else self.base_il0
            d.IL0 = max(0.0, min(100.0, cur + self.il0))
        if self.t0:
            cur = d.T0 if d.T0 is not None else self.base_t0
            d.T0 = max(0.0, min(100.0, cur + self.t0))


@dataclass(slots=True)
class LastingIncidentChange:
    dyad: str
    chance_add: float

    def apply(self, state):
        d = state.dyads[self.dyad]
        d.inc_mod = max(-0.2, min(0.2, d.inc_mod + self.chance_add))


def apply_buffer(state, ranges: dict, buffer: Buffer, attribution: dict):
    """Apply one category's changes, clamping every variable to its range.

    Each dyad's ΔT parts are added to `attribution`, scaled down together when the clamp cut the change.
    """
    for (code, var), x in buffer.actor.items():
        values = state.actors[code].vars
        lo, hi = ranges.get(var, (0.0, 100.0))
        new = values[var] + x
        values[var] = lo if new < lo else hi if new > hi else new
    for (key, var), x in buffer.dyad.items():
        d = state.dyads[key]
        new = getattr(d, var) + x
        setattr(d, var, 0.0 if new < 0 else 100.0 if new > 100 else new)
    for key, parts in buffer.tparts.items():
        d = state.dyads[key]
        total = parts[0] + parts[1] + parts[2] + parts[3] + parts[4]
        new = d.T + total
        new = 0.0 if new < 0 else 100.0 if new > 100 else new
        real = new - d.T
        if total and real != total:
            f = real / total
            parts = [x * f for x in parts]
        booked = attribution.get(key)
        if booked is None:
            attribution[key] = list(parts)
        else:
            booked[0] += parts[0]
            booked[1] += parts[1]
            booked[2] += parts[2]
            booked[3] += parts[3]
            booked[4] += parts[4]
        d.T = new
    for change in buffer.ops:
        change.apply(state)


@dataclass(slots=True)
class Scope:
    """Who one event's effects refer to, and what running them decided.

    actor, target, third and partners answer the references self, target, third, each and excluded;
    zone is where a zone-targeted action goes. next_draw is the k of the event's next die. detected and
    ordered_both stay None until a covert_detect / if_ordered_both op decides them.
    """

    actor: str | None = None
    target: str | None = None
    zone: str | None = None
    third: tuple = ()
    partners: tuple = ()
    island: bool = False
    rung: int | None = None
    next_draw: int = 0
    turn_mods_done: bool = False  # the action's turn modifiers were applied before its category ran
    detected: bool | None = None
    ordered_both: bool | None = None

    def get(self, ref, default=None):
        """A reference by name, as conditions.py reads it."""
        if ref == "self":
            return self.actor
        if ref == "target":
            return self.target
        return default


def expand(ref, scope: Scope, core) -> tuple:
    """The actor codes a reference names in this scope."""
    if ref == "self":
        return (scope.actor,) if scope.actor else ()
    if ref == "target":
        return (scope.target,) if scope.target else ()
    if ref == "each":
        return scope.partners or ((scope.actor,) if scope.actor else ())
    if ref == "excluded":
        involved = scope.partners or (scope.actor, scope.target)
        return tuple(c for c in core if c not in involved)
    if ref == "third":
        return tuple(scope.third or ())
    return (ref,)


def main_effects(spec) -> tuple:
    """An action's effects other than its turn modifiers (memoised on the spec)."""
    effects = getattr(spec, "_main", None)
    if effects is None:
        effects = tuple(e for e in spec.effects if e.get("op") not in TURN_MOD_OPS)
        object.__setattr__(spec, "_main", effects)
    return effects


def turn_modifier_effects(spec) -> tuple:
    """An action's turn modifiers (omega_mult, align_add, align_mult), memoised on the spec."""
    effects = getattr(spec, "_tm", None)
    if effects is None:
        effects = tuple(e for e in spec.effects if e.get("op") in TURN_MOD_OPS)
        object.__setattr__(spec, "_tm", effects)
    return effects


class CompiledEffect:
    """An effect's fields as attributes (the interpreter's hot path)."""

    __slots__ = ("source", "op", "var", "dyad", "of", "delta", "pick", "range", "spill", "attr_index",
                 "attr_name", "deferred", "cond", "if_pair", "if_zone")

    def __init__(self, e: dict):
        self.source = e
        self.op = e.get("op")
        self.var = e.get("var")
        self.dyad = tuple(e["dyad"]) if "dyad" in e else None
        self.of = e.get("of")
        self.delta = e.get("delta") if self.op is None else None
        self.pick = tuple(e["pick"]) if "pick" in e else None
        self.range = tuple(e["range"]) if "range" in e else None
        self.spill = bool(e.get("spill"))
        self.attr_name = e.get("attr", "direct")
        self.attr_index = ATTR_INDEX[self.attr_name]
        self.deferred = bool(e.get("delay") or e.get("temporary"))
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
    comp = tuple(CompiledEffect(e) for e in effects)
    if isinstance(effects, tuple) and len(_COMPILED) < 4096:  # bounded: ad-hoc effects are compiled afresh
        _COMPILED[key] = (effects, comp)
    return comp


@dataclass(slots=True)
class SpillModifiers:
    """This turn's changes to the spillover factors (omega_mult, align_add, align_mult ops)."""

    omega_mult: dict = field(default_factory=dict)  # actor -> factor on ω from it
    align_add: dict = field(default_factory=dict)  # (A, O) -> added to m_align
    align_mult: dict = field(default_factory=dict)  # (A, O) -> {term ("" = every term): factor}


@dataclass(slots=True)
class IncidentModifiers:
    """This turn's changes to incident rolls (incident and force_incident ops)."""

    chance_add: dict = field(default_factory=dict)  # dyad -> added to the chance
    chance_mult: dict = field(default_factory=dict)  # dyad -> factor on the chance
    contacts: set = field(default_factory=set)  # dyads that roll although no zone is shared
    forced: set = field(default_factory=set)  # dyads whose roll is a certain hit


_SPILLOVER = ATTR_INDEX["spillover"]
_DIRECT = ATTR_INDEX["direct"]
_EVENTS = ATTR_INDEX["events"]


class Interpreter:
    """Runs effects into a Buffer for one turn. Every op of the effect language is a method here.

    What the ops leave for later phases: rungs_seen (a dyad's rung holds at the actions it saw),
    spill_mods and incident_mods. unlock, cost, rp and delayed effects write the state directly.
    """

    def __init__(self, scenario, state, turn: int, dice, ordered):
        self.scenario = scenario
        self.params = scenario.params
        self.state = state
        self.turn = turn
        self.dice = dice
        self.ordered = ordered  # {(team, action, target)} as submitted
        self.rungs_seen: dict = {}  # dyad -> highest rung of the actions it saw this turn
        self.spill_mods = SpillModifiers()
        self.incident_mods = IncidentModifiers()
        self.placements: dict = {}  # team -> [zone, ...] placed this turn (place_sub)
        self.hunts: list = []  # (hunter, zone, event id) this turn (hunt)

    def run(self, effects, scope: Scope, scale, buffer: Buffer, changes: list, event_id: str, phase: str):
        """Interpret one event's effects into `buffer`; `changes` gets (target, var, delta, attribution)."""
        state = self.state
        core = self.params.core
        dyads = state.dyads
        event_phase = phase in EVENT_PHASES
        for e in compiled(effects):
            if e.cond is not None and not eval_cond(e.cond, state, scope, self.turn):
                continue
            if e.if_pair is not None and set(scope.partners or (scope.actor, scope.target)) != e.if_pair:
                continue
            if e.if_zone is not None and scope.zone != e.if_zone:
                continue
            if e.op is not None:
                self._run_op(e.source, e.op, scope, scale, buffer, changes, event_id, phase)
                continue
            var = e.var
            base = e.delta
            if base is None:
                k = scope.next_draw
                scope.next_draw = k + 1
                if e.pick is not None:
                    choices = e.pick
                    base = choices[self.dice.dice(phase, event_id, k, 1, len(choices))[0] - 1]
                else:
                    lo, hi = e.range
                    base = lo + self.dice.dice(phase, event_id, k, 1, hi - lo + 1)[0] - 1
            amount = base * scale
            if amount == 0:
                continue
            if e.dyad is not None:
                first, second = e.dyad
                for a in expand(first, scope, core):
                    for b in expand(second, scope, core):
                        if a == b:
                            continue
                        key = a + "-" + b if a < b else b + "-" + a
                        d = dyads.get(key)
                        if d is None:
                            continue
                        amt = amount
                        attr_index = e.attr_index
                        attr_name = e.attr_name
                        if var in ("IL", "E") and scope.island and "PARALLEL_TRACK" in d.flags:
                            amt *= self.params.island_factor
                        elif var == "T":
                            if attr_index == _SPILLOVER:
                                amt *= self.spill_factor(a, b, scope)
                            elif attr_index == _DIRECT and event_phase:
                                attr_index, attr_name = _EVENTS, "events"
                        if e.deferred:
                            self._defer(e.source, "dyad", key, var, amt, buffer)
                        else:
                            buffer.add_dyad(key, var, amt, attr_index)
                            if var == "T":
                                self.see_rung(key, scope.rung)
                                if e.spill and amt > 0:
                                    source = scope.actor
                                    if source == a or source == b:
                                        self._spill(source, b if a == source else a, amt, buffer, changes)
                        changes.append((key, var, amt, attr_name))
            else:
                for code in expand(e.of, scope, core):
                    actor = state.actors.get(code)
                    if actor is None or var not in actor.vars:
                        continue
                    if e.deferred:
                        self._defer(e.source, "actor", code, var, amount, buffer)
                    else:
                        buffer.add_actor(code, var, amount)
                    changes.append((code, var, amount, ""))

    def spill_factor(self, a, b, scope) -> float:
        """The one spillover rule for a catalogue spillover term on T(a,b): its size stands for ΔT·ω, and it is
        moderated by ω's turn multiplier (I2), m_comm and m_align of the acting member of the dyad."""
        movers = scope.partners or ((scope.actor,) if scope.actor else ())
        if a in movers and b not in movers:
            source, other = a, b
        elif b in movers and a not in movers:
            source, other = b, a
        else:
            return 1.0  # nobody of this dyad moved (an inject's term): no reading to moderate
        mods = self.spill_mods
        return (mods.omega_mult.get(source, 1.0) * dynamics.m_comm(self.params, self.state, source, other)
                * dynamics.m_align(self.params, self.state, source, other, mods.align_mult.get((source, other), 1.0),
                                   mods.align_add.get((source, other), 0.0)))

    def see_rung(self, key, rung):
        if rung is not None and rung > self.rungs_seen.get(key, -1):
            self.rungs_seen[key] = rung

    def apply_turn_modifier(self, e, scope: Scope):
        """omega_mult, align_add, align_mult: this turn's spillover factors."""
        op = e["op"]
        mods = self.spill_mods
        if op == "omega_mult":
            for code in expand(e["of"], scope, self.params.core):
                mods.omega_mult[code] = mods.omega_mult.get(code, 1.0) * e["mult"]
        elif op == "align_add":
            a, o = e["pair"].split(">")
            mods.align_add[(a, o)] = mods.align_add.get((a, o), 0.0) + e["add"]
        elif op == "align_mult":
            a, o = e["pair"].split(">")
            terms = mods.align_mult.setdefault((a, o), {})
            term = e.get("term", "")
            terms[term] = terms.get(term, 1.0) * e["mult"]

    def _defer(self, e, kind, key, var, amount, buffer):
        """A temporary change holds this turn and is undone next turn; a delayed one lands later."""
        pending = self.state.pending
        if e.get("temporary"):
            if kind == "actor":
                buffer.add_actor(key, var, amount)
            else:
                buffer.add_dyad(key, var, amount)
            pending.append({"turn": self.turn + 1, "kind": kind, "key": key, "var": var, "delta": -amount})
        else:
            pending.append({"turn": self.turn + e["delay"], "kind": kind, "key": key, "var": var, "delta": amount})

    def _spill(self, a, b, rise, buffer, changes):
        """The ω rule: a rise in T(A,B) raises T(A,O) for every third party O."""
        params = self.params
        state = self.state
        mods = self.spill_mods
        omega_mult = mods.omega_mult.get(a, 1.0)
        for other, weight in params.omega_from.get(a, ()):
            if other == b:
                continue
            key = dyad_key(a, other)
            if key not in state.dyads:
                continue
            x = dynamics.spill_amount(params, state, a, other, rise, weight, omega_mult,
                                      mods.align_mult.get((a, other), 1.0), mods.align_add.get((a, other), 0.0))
            if not x:
                continue
            buffer.add_dyad(key, "T", x, _SPILLOVER)
            changes.append((key, "T", x, "spillover"))
            for rule in params.spill_side:
                if rule["from"] == a and rule["onto"] == other:
                    buffer.add_actor(rule["of"], rule["var"], x * rule["per_T"])
                    changes.append((rule["of"], rule["var"], x * rule["per_T"], ""))

    def _dyad_keys(self, dyad, scope) -> list:
        core = self.params.core
        keys = []
        for a in expand(dyad[0], scope, core):
            for b in expand(dyad[1], scope, core):
                if a != b:
                    key = dyad_key(a, b)
                    if key in self.state.dyads:
                        keys.append(key)
        return keys

    # -- the ops: each takes (effect, scope, scale, buffer, changes, event id, phase)

    def _run_op(self, e, op, scope, scale, buffer, changes, event_id, phase):
        if op in TURN_MOD_OPS:
            if not scope.turn_mods_done:
                self.apply_turn_modifier(e, scope)
            return
        handler = self._OPS.get(op)
        if handler is not None:
            handler(self, e, scope, scale, buffer, changes, event_id, phase)

    def _flag(self, e, scope, scale, buffer, changes, event_id, phase):
        for key in self._dyad_keys(e["dyad"], scope):
            buffer.ops.append(FlagChange(key, e.get("set"), e.get("clear")))
            changes.append((key, "flag", e.get("set") or ("-" + e.get("clear", "")), ""))

    def _presence(self, e, scope, scale, buffer, changes, event_id, phase):
        zone = scope.zone if e["zone"] == "target" else e["zone"]
        if not zone:
            return
        for code in expand(e["of"], scope, self.params.core):
            buffer.ops.append(PresenceChange(zone, code, e["delta"]))
            changes.append((zone, code, e["delta"], "presence"))
            if e.get("temporary"):
                self.state.pending.append({"turn": self.turn + 1, "kind": "presence", "key": zone, "var": code,
                                           "delta": -e["delta"]})

    def _intel(self, e, scope, scale, buffer, changes, event_id, phase):
        core = self.params.core
        turns = e.get("turns", 1)
        until = None if turns is None else self.turn + turns - 1
        for viewer in expand(e["viewer"], scope, core):
            if e["of"] == "all":
                observed = [c for c in self.params.actors if c != viewer]
            else:
                observed = expand(e["of"], scope, core)
            for o in observed:
                if o != viewer:
                    buffer.ops.append(IntelChange(f"intel:{viewer}>{o}|{event_id}", e["mult"], until))

    def _incident(self, e, scope, scale, buffer, changes, event_id, phase):
        mods = self.incident_mods
        for key in self._dyad_keys(e["dyad"], scope):
            if "chance_add" in e:
                if e.get("lasting"):
                    buffer.ops.append(LastingIncidentChange(key, e["chance_add"]))
                else:
                    mods.chance_add[key] = mods.chance_add.get(key, 0.0) + e["chance_add"]
            if "chance_mult" in e:
                mods.chance_mult[key] = mods.chance_mult.get(key, 1.0) * e["chance_mult"]
            if e.get("contact"):
                mods.contacts.add(key)

    def _unlock(self, e, scope, scale, buffer, changes, event_id, phase):
        self.state.unlocked = self.state.unlocked | frozenset(e["actions"])
        changes.append(("", "unlock", ",".join(e["actions"]), ""))

    def _cost(self, e, scope, scale, buffer, changes, event_id, phase):
        cost_mods = self.state.cost_mods
        cost_mods[e["action"]] = cost_mods.get(e["action"], 0) + e["delta"]
        changes.append((e["action"], "cost", e["delta"], ""))

    def _act(self, e, scope, scale, buffer, changes, event_id, phase):
        """A forced catalogue action: its effects (turn modifiers included) run inside this event."""
        spec = self.scenario.actions[e["action"]]
        forced = Scope(actor=e["self"], target=e.get("target"), rung=spec.rung, island=spec.island,
                       next_draw=scope.next_draw)
        self.run(main_effects(spec) + turn_modifier_effects(spec), forced, scale, buffer, changes, event_id, phase)
        scope.next_draw = forced.next_draw
        if e.get("target"):
            self.see_rung(dyad_key(e["self"], e["target"]), spec.rung)

    def _force_incident(self, e, scope, scale, buffer, changes, event_id, phase):
        for key in self._dyad_keys(e["dyad"], scope):
            self.incident_mods.forced.add(key)

    def _rung(self, e, scope, scale, buffer, changes, event_id, phase):
        for key in self._dyad_keys(e["dyad"], scope):
            self.see_rung(key, e["rung"])

    def _structural(self, e, scope, scale, buffer, changes, event_id, phase):
        params = self.params
        for key in self._dyad_keys(e["dyad"], scope):
            il0 = e.get("IL0", 0) * scale
            t0 = e.get("T0", 0) * scale
            if il0 or t0:
                buffer.ops.append(StructuralChange(key, il0, t0, params.base_IL0.get(key, 0.0),
                                                   params.base_T0.get(key, 0.0)))
                if il0:
                    changes.append((key, "IL0", il0, ""))
                if t0:
                    changes.append((key, "T0", t0, ""))

    def _rp(self, e, scope, scale, buffer, changes, event_id, phase):
        rp = self.state.rp
        for code in expand(e["of"], scope, self.params.core):
            if code in rp:
                rp[code] = max(0, rp[code] + e["delta"])
                changes.append((code, "RP", e["delta"], ""))

    def _if_ordered_both(self, e, scope, scale, buffer, changes, event_id, phase):
        a, b = e["teams"]
        both = (a, e["action"], b) in self.ordered and (b, e["action"], a) in self.ordered
        branch = e.get("then") if both else e.get("else")
        scope.ordered_both = both
        if branch:
            self.run(branch, scope, scale, buffer, changes, event_id, phase)

    def _covert_detect(self, e, scope, scale, buffer, changes, event_id, phase):
        for key in self._dyad_keys(e["dyad"], scope):
            k = scope.next_draw
            scope.next_draw = k + 1
            faces = self.dice.dice(phase, event_id, k, 2, 6)
            need = e["base"] + self.state.dyads[key].C / e["c_div"]
            detected = sum(faces) >= need
            scope.detected = detected
            if detected:
                self.run(e.get("then") or (), scope, scale, buffer, changes, event_id, phase)

    def _zone_of(self, e, scope):
        return scope.zone if e["zone"] == "target" else e["zone"]

    def _place_sub(self, e, scope, scale, buffer, changes, event_id, phase):
        zone = self._zone_of(e, scope)
        if zone and scope.actor:
            zones = self.placements.setdefault(scope.actor, [])
            if zone not in zones:
                zones.append(zone)

    def _hunt(self, e, scope, scale, buffer, changes, event_id, phase):
        zone = self._zone_of(e, scope)
        if zone and scope.actor:
            self.hunts.append((scope.actor, zone, event_id))

    def _marker(self, e, scope, scale, buffer, changes, event_id, phase):
        """transit and barrier are read from the actions before the categories run (phases/straits.py)."""

    _OPS = {
        "flag": _flag, "presence": _presence, "intel": _intel, "incident": _incident, "unlock": _unlock,
        "cost": _cost, "act": _act, "force_incident": _force_incident, "rung": _rung, "rp": _rp,
        "if_ordered_both": _if_ordered_both, "covert_detect": _covert_detect, "structural": _structural,
        "place_sub": _place_sub, "hunt": _hunt, "transit": _marker, "barrier": _marker,
    }
