"""resolve_turn: a pure function of (scenario, previous state, orders, injects, overrides, seed).

Sequence (§4): pending effects → injects (scripted, condition, ad hoc) → order checks →
turn modifiers and opposed rolls → diplomatic/information → economic → military → argued →
incidents → update (drift, IL, D, RP) → rungs → triggers (crisis, bands, domestic pressure, end).
Within a category every effect is computed from the same snapshot and applied together.
"""
from __future__ import annotations

from . import adjudication, dynamics, incidents
from .conditions import cond_text, eval_cond
from .effects import ATTR_NAMES, TURN_MOD_OPS, Buffer, eval_effects, expand, validate_effect
from .orders import (ArguedError, ArguedOrder, GameOverError, InjectError, InjectInput, Order, Override,
                     OverrideError, effective_cost, order_problem, resolve_target, validate_override)
from .rng import Dice
from .spec import PHASES
from .state import band_index, band_name, dyad_key


class TurnResult:
    """Outcome of one resolved turn. headlines, narratives and input are built on first access."""

    __slots__ = ("state", "events", "draws", "attribution", "_teams", "_raw", "_headlines", "_narratives",
                 "_input")

    def __init__(self, state, events, draws, attribution, teams=(), raw=None):
        self.state = state
        self.events = events
        self.draws = draws
        self.attribution = attribution
        self._teams = teams
        self._raw = raw
        self._headlines = self._narratives = self._input = None

    @property
    def headlines(self) -> list:
        """Public one-liners of the turn."""
        if self._headlines is None:
            self._headlines = [e.get("headline") or e["text"] for e in self.events
                               if e["audience"] == "all" and e["kind"] in _HEADLINE_KINDS]
        return self._headlines

    @property
    def narratives(self) -> dict:
        """{team: text}: everything that team is told this turn."""
        if self._narratives is None:
            out = {}
            for team in self._teams:
                out[team] = "\n".join(e["text"] for e in self.events if e["audience"] == "all"
                                      or (isinstance(e["audience"], list) and team in e["audience"]))
            self._narratives = out
        return self._narratives

    @property
    def input(self) -> dict:
        """The turn's inputs as a JSON-safe record (orders sorted, so entry order never shows)."""
        if self._input is None:
            r = self._raw
            self._input = {
                "kind": "turn",
                "turn": r["turn"],
                "seed": r["seed"],
                "orders": [o.to_dict() for o in sorted(r["orders"], key=Order.sort_key)]
                + [o.to_dict() for o in sorted(r["argued"], key=ArguedOrder.sort_key)],
                "injects": [i.to_dict() for i in r["injects"]],
                "overrides": [o.to_dict() for o in r["overrides"]],
                "skip_injects": sorted(r["skip_injects"]),
                "fire_now": sorted(r["fire_now"]),
                "argued_mode": r["argued_mode"],
                "turn_limit": r["turn_limit"],
            }
        return self._input

    @property
    def log_entry(self) -> dict:
        """The event-log record of this turn: inputs plus every draw (for replay)."""
        return {**self.input, "draws": self.draws}

    def to_dict(self) -> dict:
        return {
            "turn": self.state.turn,
            "state": self.state.to_dict(),
            "events": self.events,
            "draws": self.draws,
            "attribution": self.attribution,
            "headlines": self.headlines,
            "narratives": self.narratives,
            "input": self.input,
        }

    def __repr__(self):
        return f"TurnResult(turn={self.state.turn}, events={len(self.events)}, draws={len(self.draws)})"


_HEADLINE_KINDS = frozenset(("inject", "incident", "crisis", "band_change", "end", "action", "argued", "trigger"))


def _main_effects(spec):
    eff = getattr(spec, "_main", None)
    if eff is None:
        eff = tuple(e for e in spec.effects if e.get("op") not in TURN_MOD_OPS)
        object.__setattr__(spec, "_main", eff)
    return eff


def _tm_effects(spec):
    eff = getattr(spec, "_tm", None)
    if eff is None:
        eff = tuple(e for e in spec.effects if e.get("op") in TURN_MOD_OPS)
        object.__setattr__(spec, "_tm", eff)
    return eff


class TurnCtx:
    """Working context of one turn's resolution."""

    def __init__(self, scenario, st, seed, turn, dice, ovr, raw):
        self.sc = scenario
        self.p = scenario.params
        self.st = st
        self.seed = seed
        self.turn = turn
        self.dice = dice
        self.ovr = ovr
        self.used_ovr = set()
        self.raw = raw  # {(team, action, target)} as submitted
        self.events = []
        self.attr = {}
        self.seen = {}
        self.omega_mult = {}
        self.align_add = {}
        self.align_mult = {}
        self.inc_add = {}
        self.inc_mult = {}
        self.contacts = set()
        self.forced = set()
        self.d0 = {}

    # -- bookkeeping
    def event(self, eid, phase, kind, teams, audience, text, **extra):
        ev = {"id": eid, "phase": phase, "kind": kind, "teams": list(teams), "audience": audience, "text": text}
        if extra:
            ev.update(extra)
        self.events.append(ev)
        return ev

    def seen_by(self, key, rung):
        if rung is not None and rung > self.seen.get(key, -1):
            self.seen[key] = rung

    def delayed(self, e, kind, target, var, amount, buf):
        if e.get("temporary"):
            if kind == "actor":
                buf.add_actor(target, var, amount)
            else:
                buf.add_dyad(target, var, amount)
            self.st.pending.append({"turn": self.turn + 1, "kind": kind, "key": target, "var": var, "delta": -amount})
        else:
            self.st.pending.append({"turn": self.turn + e["delay"], "kind": kind, "key": target, "var": var,
                                    "delta": amount})

    def spill(self, a, b, dT, buf, changes):
        """The ω rule: a rise in T(A,B) raises T(A,O) for every third party O."""
        p = self.p
        st = self.st
        om = self.omega_mult.get(a, 1.0)
        for o, w in p.omega_from.get(a, ()):
            if o == b:
                continue
            key = dyad_key(a, o)
            d = st.dyads.get(key)
            if d is None:
                continue
            x = dynamics.spill_amount(p, st, a, o, dT, w, om, self.align_mult.get((a, o), 1.0),
                                      self.align_add.get((a, o), 0.0))
            if not x:
                continue
            buf.add_dyad(key, "T", x, 1)
            changes.append((key, "T", x, "spillover"))
            for rule in p.spill_side:
                if rule["from"] == a and rule["onto"] == o:
                    buf.add_actor(rule["of"], rule["var"], x * rule["per_T"])
                    changes.append((rule["of"], rule["var"], x * rule["per_T"], ""))

    def turn_mod(self, e, ctx):
        op = e["op"]
        if op == "omega_mult":
            for c in expand(e["of"], ctx, self.p.core):
                self.omega_mult[c] = self.omega_mult.get(c, 1.0) * e["mult"]
        elif op == "align_add":
            a, o = e["pair"].split(">")
            self.align_add[(a, o)] = self.align_add.get((a, o), 0.0) + e["add"]
        elif op == "align_mult":
            a, o = e["pair"].split(">")
            self.align_mult[(a, o)] = self.align_mult.get((a, o), 1.0) * e["mult"]

    def _pairs(self, d, ctx):
        core = self.p.core
        out = []
        for a in expand(d[0], ctx, core):
            for b in expand(d[1], ctx, core):
                if a != b:
                    k = dyad_key(a, b)
                    if k in self.st.dyads:
                        out.append(k)
        return out

    def op(self, e, op, ctx, scale, buf, changes, event, phase):
        st = self.st
        if op in TURN_MOD_OPS:
            if not ctx.get("_tm_done"):
                self.turn_mod(e, ctx)
            return
        if op == "flag":
            for k in self._pairs(e["dyad"], ctx):
                buf.ops.append(("flag", k, e.get("set"), e.get("clear")))
                changes.append((k, "flag", e.get("set") or ("-" + e.get("clear", "")), ""))
        elif op == "presence":
            zone = ctx.get("zone") if e["zone"] == "target" else e["zone"]
            if not zone:
                return
            for c in expand(e["of"], ctx, self.p.core):
                buf.ops.append(("presence", zone, c, e["delta"]))
                changes.append((zone, c, e["delta"], "presence"))
                if e.get("temporary"):
                    st.pending.append({"turn": self.turn + 1, "kind": "presence", "key": zone, "var": c,
                                       "delta": -e["delta"]})
        elif op == "intel":
            turns = e.get("turns", 1)
            until = None if turns is None else self.turn + turns - 1
            for v in expand(e["viewer"], ctx, self.p.core):
                ofs = [c for c in self.p.actors if c != v] if e["of"] == "all" else expand(e["of"], ctx, self.p.core)
                for o in ofs:
                    if o != v:
                        buf.ops.append(("intel", f"intel:{v}>{o}|{event}", e["mult"], until))
        elif op == "incident":
            for k in self._pairs(e["dyad"], ctx):
                if "chance_add" in e:
                    if e.get("lasting"):
                        buf.ops.append(("inc_mod", k, e["chance_add"]))
                    else:
                        self.inc_add[k] = self.inc_add.get(k, 0.0) + e["chance_add"]
                if "chance_mult" in e:
                    self.inc_mult[k] = self.inc_mult.get(k, 1.0) * e["chance_mult"]
                if e.get("contact"):
                    self.contacts.add(k)
        elif op == "unlock":
            st.unlocked = st.unlocked | frozenset(e["actions"])
            changes.append(("", "unlock", ",".join(e["actions"]), ""))
        elif op == "cost":
            st.cost_mods[e["action"]] = st.cost_mods.get(e["action"], 0) + e["delta"]
            changes.append((e["action"], "cost", e["delta"], ""))
        elif op == "act":
            spec = self.sc.actions[e["action"]]
            sub = {"self": e["self"], "target": e.get("target"), "rung": spec.rung, "island": spec.island,
                   "_k": ctx.get("_k", 0), "_tm_done": False}
            eval_effects(self, _main_effects(spec) + _tm_effects(spec), sub, scale, buf, changes, event, phase)
            ctx["_k"] = sub["_k"]
            if e.get("target"):
                self.seen_by(dyad_key(e["self"], e["target"]), spec.rung)
        elif op == "force_incident":
            for k in self._pairs(e["dyad"], ctx):
                self.forced.add(k)
        elif op == "rung":
            for k in self._pairs(e["dyad"], ctx):
                self.seen_by(k, e["rung"])
        elif op == "rp":
            for c in expand(e["of"], ctx, self.p.core):
                if c in st.rp:
                    st.rp[c] = max(0, st.rp[c] + e["delta"])
                    changes.append((c, "RP", e["delta"], ""))
        elif op == "if_ordered_both":
            a, b = e["teams"]
            ok = (a, e["action"], b) in self.raw and (b, e["action"], a) in self.raw
            sub = e.get("then") if ok else e.get("else")
            ctx["ordered_both"] = ok
            if sub:
                eval_effects(self, sub, ctx, scale, buf, changes, event, phase)
        elif op == "covert_detect":
            for k in self._pairs(e["dyad"], ctx):
                kk = ctx.get("_k", 0)
                ctx["_k"] = kk + 1
                faces = self.dice.dice(phase, event, kk, 2, 6)
                need = e["base"] + st.dyads[k].C / e["c_div"]
                det = sum(faces) >= need
                ctx["detected"] = det
                if det:
                    eval_effects(self, e.get("then") or (), ctx, scale, buf, changes, event, phase)

    # -- applying
    def apply_buffer(self, buf: Buffer):
        st = self.st
        p = self.p
        for (code, var), x in buf.actor.items():
            vs = st.actors[code].vars
            lo, hi = p.ranges.get(var, (0.0, 100.0))
            nv = vs[var] + x
            vs[var] = lo if nv < lo else hi if nv > hi else nv
        for (key, var), x in buf.dyad.items():
            d = st.dyads[key]
            nv = getattr(d, var) + x
            setattr(d, var, 0.0 if nv < 0 else 100.0 if nv > 100 else nv)
        attr = self.attr
        for key, parts in buf.tparts.items():
            d = st.dyads[key]
            tot = parts[0] + parts[1] + parts[2] + parts[3]
            nt = d.T + tot
            nt = 0.0 if nt < 0 else 100.0 if nt > 100 else nt
            real = nt - d.T
            if tot and real != tot:
                f = real / tot
                parts = [x * f for x in parts]
            a = attr.get(key)
            if a is None:
                attr[key] = list(parts)
            else:
                a[0] += parts[0]
                a[1] += parts[1]
                a[2] += parts[2]
                a[3] += parts[3]
            d.T = nt
        for op in buf.ops:
            kind = op[0]
            if kind == "flag":
                d = st.dyads[op[1]]
                if op[2]:
                    d.flags = d.flags | {op[2]}
                if op[3]:
                    d.flags = d.flags - {op[3]}
            elif kind == "presence":
                z = st.presence.setdefault(op[1], {})
                n = z.get(op[2], 0) + op[3]
                if n > 0:
                    z[op[2]] = n
                else:
                    z.pop(op[2], None)
            elif kind == "intel":
                st.mods[op[1]] = [op[2], op[3]]
            elif kind == "inc_mod":
                d = st.dyads[op[1]]
                d.inc_mod = max(-0.2, min(0.2, d.inc_mod + op[2]))

    def run_event(self, eid, phase, kind, effects, ctx, buf, *, teams, audience, text, scale=1.0, extra=None):
        """Evaluate one event's effects into buf, honouring White's scale/replace override."""
        o = self.ovr.get(eid)
        ov = None
        if o is not None:
            self.used_ovr.add(eid)
            if o.kind == "scale":
                scale = scale * o.value if kind != "argued" else o.value
            elif o.kind == "replace":
                effects = tuple(o.value)
            ov = {"kind": o.kind, "value": o.value if not isinstance(o.value, tuple) else list(o.value),
                  "reason": o.reason, "note": o.note}
        changes = []
        eval_effects(self, effects, ctx, scale, buf, changes, eid, phase)
        ev = self.event(eid, phase, kind, teams, audience, text)
        ev["changes"] = changes  # (target, var, delta, attribution) tuples; JSON turns them into lists
        if scale != 1.0:
            ev["scale"] = scale
        if extra:
            ev.update(extra)
        if ov:
            ev["override"] = ov
            self.event(f"{eid}:override", phase, "override", teams, "white",
                       f"White override ({o.reason}) of {eid}: {o.kind} {ov['value']!r}" + (f" — {o.note}" if o.note else ""),
                       target=eid, reason=o.reason)
        return ev


def _validate_inputs(scenario, overrides, injects):
    p = scenario.params
    adj = p.adj
    cap = float(adj.get("cap", 10))
    smin, smax = adj.get("scale_min", 0.5), adj.get("scale_max", 1.5)
    ovr = {}
    fixes = {}
    for o in overrides:
        if not isinstance(o, Override):
            raise OverrideError(f"expected an Override, got {o!r}")
        validate_override(o, cap, smin, smax)
        if o.kind == "replace":
            if not isinstance(o.value, (list, tuple)):
                raise OverrideError(f"override of {o.event_id}: replace needs a list of effects, got {o.value!r}")
            errs = []
            for i, e in enumerate(o.value):
                errs += validate_effect(e, f"override {o.event_id} effects[{i}]", p.actors,
                                        actions=tuple(scenario.actions), zones=p.zones, cap=cap)
            if errs:
                raise OverrideError("; ".join(errs))
        if o.kind in ("reroll", "manual_dice"):
            k = o.draw if (o.draw is not None or o.kind == "reroll") else 0
            fk = (o.event_id, k)
            if fk in fixes:
                raise OverrideError(f"two dice overrides for {o.event_id} draw {k}")
            fixes[fk] = ("reroll", o.value or 1) if o.kind == "reroll" else ("manual", o.value)
        else:
            if o.event_id in ovr:
                raise OverrideError(f"two effect overrides for {o.event_id}")
            ovr[o.event_id] = o
    ids = set()
    for inj in injects:
        if not isinstance(inj, InjectInput):
            raise InjectError(f"expected an InjectInput, got {inj!r}")
        if not inj.id or not isinstance(inj.id, str):
            raise InjectError("an ad-hoc inject needs an id")
        if inj.id in ids or any(s.id == inj.id for s in scenario.injects):
            raise InjectError(f"inject id {inj.id} is already used")
        ids.add(inj.id)
        aud = inj.audience
        if aud != "all" and not (isinstance(aud, (list, tuple)) and all(a in p.teams for a in aud)):
            raise InjectError(f"inject {inj.id}: audience must be 'all' or team codes, got {aud!r}")
        errs = []
        for i, e in enumerate(inj.effects):
            errs += validate_effect(e, f"inject {inj.id} effects[{i}]", p.actors, actions=tuple(scenario.actions),
                                    zones=p.zones, cap=cap, refs=())
        if errs:
            raise InjectError("; ".join(errs))
    return ovr, fixes


def _fire(tc, buf, iid, title, text, audience, effects, decision, why, kind="inject"):
    aud = audience if audience == "all" else list(audience)
    ctx = {"self": None, "target": None, "_k": 0, "_tm_done": False}
    ev = tc.run_event(f"t{tc.turn}:inject:{iid}", "injects", kind, effects, ctx, buf,
                      teams=[] if aud == "all" else aud, audience=aud, text=f"{title}: {text}".strip(": "),
                      extra={"inject": iid, "why": why, "headline": title})
    if decision:
        ev["decision"] = decision
    if "ordered_both" in ctx:
        ev["ordered_both"] = ctx["ordered_both"]
    tc.st.fired = tc.st.fired + (iid,)


def _inject_phase(tc, skip, fire_now, adhoc):
    sc = tc.sc
    st = tc.st
    turn = tc.turn
    buf = Buffer()
    for inj in sc.injects:
        if inj.id in st.fired:
            continue
        trig = inj.trigger
        due = trig.get("turn") == turn or inj.id in fire_now
        cond = trig.get("when")
        if not due and ("turn" in trig or cond is None):
            continue
        if inj.id in skip:
            if trig.get("turn") == turn or (cond and eval_cond(cond, st)):
                tc.event(f"t{turn}:inject:{inj.id}:skipped", "injects", "inject_skipped", [], "white",
                         f"{inj.id} skipped by White")
            continue
        if inj.id in fire_now:
            why = "fired now by White"
        else:
            if cond is not None and not eval_cond(cond, st):
                if "turn" in trig:
                    tc.event(f"t{turn}:inject:{inj.id}:not_fired", "injects", "inject_not_fired", [], "white",
                             f"{inj.id} did not fire: {cond_text(cond)} does not hold")
                continue
            if inj.unless and eval_cond(inj.unless, st):
                continue
            why = f"turn {turn}" if "turn" in trig else ""
            if cond is not None:
                why = (why + " and " if why else "") + _cond_why(cond, st)
        _fire(tc, buf, inj.id, inj.title, inj.text, inj.audience, inj.effects, inj.decision, why)
    for inj in adhoc:
        _fire(tc, buf, inj.id, inj.title, inj.text, inj.audience, tuple(inj.effects), inj.decision,
              "ad-hoc inject from White", kind="inject")
    tc.apply_buffer(buf)


def _cond_why(cond, st):
    from .conditions import cond_value
    if "all" in cond:
        return " and ".join(_cond_why(c, st) for c in cond["all"])
    if "var" in cond:
        v = cond_value(cond, st)
        if v is not None:
            return f"{cond_text(cond)} (now {round(v, 1):g})"
    return cond_text(cond)


def _pending_phase(tc):
    st = tc.st
    due = [x for x in st.pending if x["turn"] <= tc.turn]
    if not due:
        return
    st.pending = [x for x in st.pending if x["turn"] > tc.turn]
    buf = Buffer()
    for x in due:
        if x["kind"] == "actor":
            if x["key"] in st.actors and x["var"] in st.actors[x["key"]].vars:
                buf.add_actor(x["key"], x["var"], x["delta"])
        elif x["kind"] == "dyad":
            buf.add_dyad(x["key"], x["var"], x["delta"])
        elif x["kind"] == "presence":
            buf.ops.append(("presence", x["key"], x["var"], x["delta"]))
    tc.apply_buffer(buf)


def _order_phase(tc, orders):
    """Validate orders; returns executable items (eid, spec, ctx, teams, scale)."""
    sc = tc.sc
    st = tc.st
    turn = tc.turn
    teams = tc.p.teams
    by_team = {}
    for o in orders:
        by_team.setdefault(o.team, []).append(o)
    valid = []
    for team in sorted(by_team):
        lst = sorted(set(by_team[team]), key=Order.sort_key)
        if team not in teams:
            for o in lst:
                tc.event(f"t{turn}:order:{team}:{o.action}", "orders", "not_carried_out", [team], "white",
                         f"Order {o.action} not carried out: unknown team {team}")
            continue
        count = 0
        spent = 0
        seen = set()
        budget = st.rp.get(team, 0)
        used = set()
        for o in lst:
            eid = f"t{turn}:order:{team}:{o.action}"
            if eid in used:  # the same action twice (other target): keep event ids unique
                eid += f":{o.target}:{o.third}"
            used.add(eid)
            prob = order_problem(sc, st, team, o, turn=turn)
            cost = 0
            if not prob and o.action in seen:
                prob = f"{o.action} ordered twice; only one is carried out"
            if not prob and count >= 2:
                prob = "more than two actions; this one is dropped"
            if not prob:
                cost = effective_cost(sc, st, o.action)
                if spent + cost > budget:
                    prob = f"over RP budget ({spent + cost} > {budget})"
            if prob:
                tc.event(eid, "orders", "not_carried_out", [team], [team],
                         f"{team}'s {o.action} not carried out: {prob}", action=o.action, reason=prob)
                continue
            seen.add(o.action)
            count += 1
            spent += cost
            spec = sc.actions[o.action]
            tgt, _ = resolve_target(spec, team, o)
            valid.append((o, spec, tgt, cost))
    items = []
    bil = {}
    spend = {}
    for o, spec, tgt, cost in valid:
        if spec.bilateral:
            bil.setdefault((spec.key, dyad_key(o.team, tgt)), {})[o.team] = (o, spec, tgt, cost)
            continue
        ctx = {"self": o.team, "target": None if spec.zones else tgt, "zone": tgt if spec.zones else None,
               "third": (o.third,) if o.third else (), "island": spec.island, "rung": spec.rung, "_k": 0}
        items.append([f"t{turn}:order:{o.team}:{spec.key}", spec, ctx, (o.team,), 1.0, o])
        spend[o.team] = spend.get(o.team, 0) + cost
    for (key, dk), m in sorted(bil.items()):
        a, b = dk.split("-")
        if a in m and b in m:
            thirds = tuple(sorted({x[0].third for x in m.values() if x[0].third and x[0].third not in (a, b)}))
            ctx = {"self": a, "target": b, "partners": (a, b), "third": thirds, "island": m[a][1].island,
                   "rung": m[a][1].rung, "_k": 0}
            items.append([f"t{turn}:order:{a}+{b}:{key}", m[a][1], ctx, (a, b), 1.0, m[a][0]])
            spend[a] = spend.get(a, 0) + m[a][3]
            spend[b] = spend.get(b, 0) + m[b][3]
        else:
            here = a if a in m else b
            other = b if here == a else a
            tc.event(f"t{turn}:order:{here}:{key}", "orders", "not_carried_out", [here], [here],
                     f"{key} with {other} did not happen: {other} did not order it; no RP spent",
                     action=key, reason=f"{other} did not order it")
    # joint effects (M5: a joint RUS+CHN patrol)
    joints = tc.p.cache.get("joint_actions")
    if joints is None:
        joints = tc.p.cache["joint_actions"] = tuple(sorted((k, a) for k, a in sc.actions.items() if a.joint))
    done = {(it[3][0], it[1].key) for it in items if len(it[3]) == 1} if joints else ()
    for key, spec in joints:
        j = spec.joint
        if all((t, key) in done for t in j["teams"]):
            ctx = {"self": None, "target": None, "partners": tuple(j["teams"]), "rung": spec.rung, "_k": 0}
            js = tc.p.cache.get(("joint", key))
            if js is None:
                js = tc.p.cache[("joint", key)] = _JointSpec(spec, j)
            items.append([f"t{turn}:joint:{key}", js, ctx, tuple(j["teams"]), 1.0, None])
    for team, c in spend.items():
        st.rp[team] = st.rp.get(team, 0) - c
    items.sort(key=lambda i: i[0])
    return items, spend


class _JointSpec:
    __slots__ = ("key", "name", "phase", "effects", "_main", "_tm", "rung", "island", "bilateral", "category")

    def __init__(self, spec, j):
        self.key = spec.key
        self.name = spec.name + " (joint)"
        self.phase = spec.phase
        self.category = spec.category
        self.effects = tuple(j["effects"])
        self._main = None
        self._tm = None
        self.rung = spec.rung
        self.island = False
        self.bilateral = False


def _opposed_phase(tc, items):
    p = tc.p
    st = tc.st
    for rule in p.opposed:
        As = [it for it in items if it[1].key == rule["a"] and len(it[3]) == 1]
        Bs = [it for it in items if it[1].key == rule["b"] and len(it[3]) == 1]
        for ia in As:
            for ib in Bs:
                x, y = ia[3][0], ib[3][0]
                tx, ty = ia[2].get("target"), ib[2].get("target")
                if x == y or (tx is not None and tx != y) or (ty is not None and ty != x):
                    continue
                eid = f"t{tc.turn}:opposed:{rule['a']}:{x}-{rule['b']}:{y}"
                var = rule.get("var", "N")
                gap = (st.actors[x].vars.get(var, 0) - st.actors[y].vars.get(var, 0)) / 10.0
                fa = tc.dice.dice("opposed", eid, 0, 2, 6)
                fb = tc.dice.dice("opposed", eid, 1, 2, 6)
                ta, tb = sum(fa) + gap, sum(fb)
                loser = None
                if ta > tb:
                    loser, winner = ib, ia
                elif tb > ta:
                    loser, winner = ia, ib
                ls = rule.get("loser_scale", 0.5)
                if loser is not None:
                    loser[4] *= ls
                    text = (f"Opposed roll {rule['a']} ({x}) vs {rule['b']} ({y}): {winner[3][0]} prevails "
                            f"({ta:.1f} vs {tb:.1f}); {loser[3][0]}'s {loser[1].key} takes effect ×{ls:g}")
                else:
                    text = f"Opposed roll {rule['a']} ({x}) vs {rule['b']} ({y}): tie ({ta:.1f}); both take full effect"
                tc.event(eid, "opposed", "opposed", [x, y], "white", text, rolls=[fa, fb], gap=gap,
                         winner=(winner[3][0] if loser is not None else None))


def _category_phase(tc, items, phase):
    buf = Buffer()
    for it in items:  # already sorted by event id
        if it[1].phase != phase:
            continue
        eid, spec, ctx, teams, scale, order = it
        ctx["_tm_done"] = True
        if len(teams) == 2 and spec.bilateral:
            text = f"{teams[0]} and {teams[1]}: {spec.key} {spec.name}"
        elif order is None:
            text = f"{' and '.join(teams)}: {spec.name}"
        else:
            tgt = ctx.get("target") or ctx.get("zone")
            text = f"{teams[0]}: {spec.key} {spec.name}" + (f" ({tgt})" if tgt else "")
        ev = tc.run_event(eid, phase, "action", _main_effects(spec), ctx, buf, teams=list(teams), audience="all",
                          text=text, scale=scale, extra={"action": spec.key})
        covert = "detected" in ctx
        if covert:
            det = ctx["detected"]
            ev["detected"] = det
            if not det:
                ev["audience"] = [teams[0]]
                ev["text"] += " (covert, undetected)"
            else:
                ev["text"] += " (detected)"
        if ctx.get("target") and not (covert and not ctx["detected"]):
            # the target dyad saw an action of this rung
            tc.seen_by(dyad_key(teams[0], ctx["target"]) if len(teams) == 1 else dyad_key(*teams), spec.rung)
    tc.apply_buffer(buf)


def _argued_phase(tc, argued, mode):
    sc = tc.sc
    adj = tc.p.adj
    cap = float(adj.get("cap", 10))
    outcomes = adj.get("outcomes", {})
    seen = set()
    buf = Buffer()
    for ao in sorted(argued, key=ArguedOrder.sort_key):
        eid = f"t{tc.turn}:argued:{ao.team}"
        if ao.team not in tc.p.teams:
            raise ArguedError(f"argued action by unknown team {ao.team}")
        if ao.team in seen:
            tc.event(eid + ":dup", "argued", "not_carried_out", [ao.team], [ao.team],
                     f"{ao.team}: only one argued action a turn; extra one dropped")
            continue
        seen.add(ao.team)
        adjudication.validate_argued(ao, mode, adj)
        spec = sc.actions.get(ao.nearest_action) if ao.nearest_action else None
        if ao.nearest_action and spec is None:
            raise ArguedError(f"argued action by {ao.team}: unknown nearest action {ao.nearest_action}")
        res = adjudication.adjudicate(ao, mode, adj, tc.dice, eid)
        out = outcomes.get(res["outcome"], {})
        scale = float(out.get("scale", 1.0))
        o = tc.ovr.get(eid)
        if o is not None and o.kind == "scale":
            scale = o.value  # White sets the scale of the nearest action directly
        # at scale 0 nothing of the nearest action happens (not even its flags)
        effects = _main_effects(spec) if spec is not None and scale else ()
        extra = out.get("extra", ())
        tgt = ao.target
        if spec is not None and tgt is None and not spec.zones:
            allowed = spec.allowed_targets(ao.team) or spec.allowed_targets(spec.who[0])
            tgt = allowed[0] if len(allowed) == 1 and allowed[0] != ao.team else None
        ctx = {"self": ao.team, "target": tgt, "zone": None, "third": (), "island": bool(spec and spec.island),
               "rung": spec.rung if spec else None, "_k": 1, "_tm_done": True}
        local = Buffer()
        label = adjudication.OUTCOME_LABELS[res["outcome"]]
        ev = tc.run_event(eid, "argued", "argued", effects, ctx, local, teams=[ao.team], audience="all",
                          text=f"{ao.team} argued: {ao.text} — {label}", scale=scale,
                          extra={"adjudication": res, "nearest_action": ao.nearest_action,
                                 "intended": ao.intended, "reasons": list(ao.reasons), "aims": list(ao.aims)})
        if extra and not (o is not None and o.kind == "replace"):  # the outcome's own consequences, unscaled
            more = []
            eval_effects(tc, extra, ctx, 1.0, local, more, eid, "argued")
            ev["changes"] += more
        adjudication.cap_buffer(local, cap)
        ev["capped_at"] = cap
        for k, v in local.actor.items():
            buf.add_actor(k[0], k[1], v)
        for k, v in local.dyad.items():
            buf.add_dyad(k[0], k[1], v)
        for k, parts in local.tparts.items():
            for i, x in enumerate(parts):
                if x:
                    buf.add_dyad(k, "T", x, i)
        buf.ops.extend(local.ops)
    tc.apply_buffer(buf)


def _trigger_phase(tc, start_rungs, start_bands):
    p = tc.p
    st = tc.st
    turn = tc.turn
    cr = p.crisis
    crisis_rung = cr.get("rung", 4)
    crisis = []
    buf = Buffer()
    defused = set()
    for key in sorted(st.dyads):
        d = st.dyads[key]
        r = dynamics.new_rung(p, start_rungs[key], d.T, tc.seen.get(key, -1))
        if r >= crisis_rung and r < 7:
            a, b = key.split("-")
            free = bool(d.flags & set(cr.get("flags", ("INCSEA", "HOTLINE")))) and d.C >= cr.get("c_min", 50)
            eid = f"t{turn}:crisis:{key}"
            ev = tc.event(eid, "triggers", "crisis", [a, b], "all",
                          f"Crisis sub-turn (48 hours) on {a}–{b} at rung {r}"
                          + ("; each side gets a free de-escalation call at +20%" if free else
                             "; no free de-escalation call (needs INCSEA or hotline and C ≥ "
                             f"{cr.get('c_min', 50)})"), rung=r, free_call=free)
            if free:
                ok_any = False
                calls = []
                for k, side in enumerate((a, b)):
                    hit, roll = tc.dice.chance("triggers", eid, k, (cr.get("call_base", 50) + cr.get("call_bonus", 20)) / 100)
                    calls.append({"team": side, "roll": roll, "success": hit})
                    if hit:
                        ok_any = True
                        buf.add_dyad(key, "T", cr.get("call_dT", -3), 0)
                ev["calls"] = calls
                if ok_any:
                    defused.add(key)
            crisis.append(key)
        if d.T >= p.inc.get("high_T", 80):
            a, b = key.split("-")
            tc.event(f"t{turn}:trigger:high_tension:{key}", "triggers", "trigger", [a, b], "all",
                     f"T({a},{b}) ≥ {p.inc.get('high_T', 80)}: incident chances are doubled")
    tc.apply_buffer(buf)
    # rungs (after the crisis calls: a defused dyad is no longer held up by the actions it saw)
    for key, d in st.dyads.items():
        seen = -1 if key in defused else tc.seen.get(key, -1)
        d.rung = dynamics.new_rung(p, start_rungs[key], d.T, seen)
    st.crisis = tuple(k for k in crisis if st.dyads[k].rung >= crisis_rung)
    for key in sorted(st.dyads):
        d = st.dyads[key]
        bi = band_index(d.IL)
        if bi != start_bands[key]:
            a, b = key.split("-")
            tc.event(f"t{turn}:trigger:band:{key}", "triggers", "band_change", [a, b], "all",
                     f"{a}–{b} relations move into the {band_name(d.IL)} band (IL {d.IL:.1f})",
                     band=band_name(d.IL))
    dp = p.triggers.get("domestic_pressure", {})
    below = dp.get("below", 30)
    for code in p.teams:
        if st.actors[code].vars.get("D", 100) < below:
            buf2 = Buffer()
            tc.run_event(f"t{turn}:trigger:domestic:{code}", "triggers", "trigger",
                         tuple(dp.get("effects", ())), {"self": code, "target": None, "_k": 0}, buf2,
                         teams=[code], audience="all",
                         text=f"Domestic pressure in {code}: support below {below}")
            tc.apply_buffer(buf2)


def _end_phase(tc, turn_limit):
    p = tc.p
    st = tc.st
    end = p.end
    stop = end.get("rung", 7)
    for key in sorted(st.dyads):
        if st.dyads[key].rung >= stop:
            a, b = key.split("-")
            st.ended = f"armed conflict between {a} and {b} (rung {stop}): play stops for a hotwash"
            break
    if st.ended is None:
        for c in end.get("conditions", ()):
            if eval_cond(c["cond"], st):
                st.ended = c["text"]
                break
    if st.ended is None and tc.turn >= turn_limit:
        st.ended = f"turn limit reached ({turn_limit} turns)"
    if st.ended:
        tc.event(f"t{tc.turn}:end", "triggers", "end", [], "all", f"The game ends: {st.ended}")


def resolve_turn(scenario, state, orders, *, seed, injects=(), overrides=(), skip_injects=(), fire_now=(),
                 argued_mode=None, turn_limit=None) -> TurnResult:
    """Resolve turn state.turn + 1. `orders` may mix Order and ArguedOrder.

    injects: ad-hoc InjectInput from White; skip_injects / fire_now: MSEL ids to hold back / fire now;
    overrides: White's Override inputs (scale/replace/reroll/manual_dice), each recorded as an event.
    Raises EngineInputError subclasses for out-of-range inputs.
    """
    if state.ended:
        raise GameOverError(f"the game has ended: {state.ended}")
    p = scenario.params
    mode = argued_mode or p.adj.get("mode", "weighted_2d6")
    turn = state.turn + 1
    limit = turn_limit or scenario.turns
    ovr, fixes = _validate_inputs(scenario, overrides, injects)
    cat_orders = [o for o in orders if isinstance(o, Order)]
    argued = [o for o in orders if isinstance(o, ArguedOrder)]
    for o in orders:
        if not isinstance(o, (Order, ArguedOrder)):
            raise ArguedError(f"expected Order or ArguedOrder, got {o!r}")
    st = state.copy()
    st.turn = turn
    # expire temporary modifiers that were in force only up to last turn
    if st.mods:
        st.mods = {k: v for k, v in st.mods.items() if v[1] is None or v[1] >= turn}
    dice = Dice(seed, turn, fixes)
    raw = {(o.team, o.action, o.target) for o in cat_orders}
    tc = TurnCtx(scenario, st, seed, turn, dice, ovr, raw)
    start_rungs = {k: d.rung for k, d in state.dyads.items()}
    start_bands = {k: band_index(d.IL) for k, d in state.dyads.items()}
    start_T = {k: d.T for k, d in state.dyads.items()}

    # drift and D reversion read the state the turn starts from (Richardson: T_t, C_t)
    start = {k: (d.T, d.C, d.IL) for k, d in st.dyads.items()}
    tc.d0 = {c: a.vars.get("D", 0.0) for c, a in st.actors.items()}
    _pending_phase(tc)
    _inject_phase(tc, frozenset(skip_injects), frozenset(fire_now), injects)
    items, spend = _order_phase(tc, cat_orders)
    for it in items:
        for e in _tm_effects(it[1]):
            tc.turn_mod(e, it[2])
    _opposed_phase(tc, items)
    for phase in PHASES:
        _category_phase(tc, items, phase)
    if argued:
        _argued_phase(tc, argued, mode)
    incidents.incident_phase(tc)
    dynamics.drift_update(tc, start)
    dynamics.rp_update(tc, spend)
    _trigger_phase(tc, start_rungs, start_bands)
    _end_phase(tc, limit)

    unused = [eid for eid in ovr if eid not in tc.used_ovr]
    unused += [f"{e} draw {k}" for (e, k) in fixes if (e, k) not in dice.used]
    if unused:
        raise OverrideError(f"override names no event of turn {turn}: {', '.join(sorted(map(str, unused)))}")

    attribution = {}
    for key in sorted(st.dyads):
        parts = tc.attr.get(key, (0.0, 0.0, 0.0, 0.0))
        attribution[key] = {ATTR_NAMES[i]: parts[i] for i in range(4)}
    # Fix float residue so the parts sum exactly to ΔT (drift takes the rounding crumb).
    for key, a in attribution.items():
        delta = st.dyads[key].T - start_T[key]
        resid = delta - (a["direct"] + a["spillover"] + a["incident"] + a["drift"])
        if resid:
            a["drift"] += resid
    raw = {"turn": turn, "seed": seed, "orders": cat_orders, "argued": argued, "injects": tuple(injects),
           "overrides": tuple(overrides), "skip_injects": tuple(skip_injects), "fire_now": tuple(fire_now),
           "argued_mode": mode, "turn_limit": turn_limit}
    return TurnResult(st, tc.events, dice.draws, attribution, p.teams, raw)

