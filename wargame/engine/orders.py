"""Orders and other turn inputs, and the checks players see before the turn locks."""
from __future__ import annotations

from dataclasses import dataclass

from .conditions import eval_cond, failing_parts
from .messages import msg, render
from .seasons import ice_zones, quarter

OVERRIDE_KINDS = ("scale", "replace", "reroll", "manual_dice")
OVERRIDE_REASONS = ("Realism", "Pedagogy", "Pace", "Error")
ARGUED_MODES = ("estimative", "weighted_2d6", "umpire")
# An exercise's adjudication setting (as White picks it) and the engine mode that carries it out.
ARGUED_MODE_FOR_SETTING = {"cards": "estimative", "weighted": "weighted_2d6", "umpire": "umpire"}

# Why an action is not usable now, as a code the app may test (the text is for people).
NOT_UNLOCKED, NOT_POSSIBLE, OVER_BUDGET = "not_unlocked", "not_possible", "over_budget"
ICE = "ice"  # a surface order into a zone the season's ice closes (seasons.ice_zones)


class Refusal(str):
    """A reason an action cannot be taken: reads as its English text and carries a ``code`` and a ``msg``
    (messages.py: [id, params], for the app to translate)."""

    def __new__(cls, text, code=NOT_POSSIBLE, message=None):
        self = super().__new__(cls, text)
        self.code = code
        self.msg = message if message is not None else msg("raw", text=str(text))
        return self


def refusal(msg_id, code=NOT_POSSIBLE, **params) -> Refusal:
    """A Refusal from a message of messages.py (its text is the English rendering)."""
    message = msg(msg_id, **params)
    return Refusal(render(message), code, message)
MAX_ORDERS = 2


class EngineInputError(ValueError):
    """A turn input (override, inject, argued order, policy) is out of its allowed range.
    ``msg``: a message of messages.py for the app to translate, when the error has one (else None)."""

    def __init__(self, *args, msg=None):
        super().__init__(*args)
        self.msg = msg


class OverrideError(EngineInputError):
    pass


class InjectError(EngineInputError):
    pass


class ArguedError(EngineInputError):
    pass


class GameOverError(EngineInputError):
    pass


@dataclass(frozen=True)
class Order:
    """One catalogue action. `target` is an actor code (or a zone id for M7), None if none.
    `third` names the third party of D8 (joint statement)."""

    team: str
    action: str
    target: str | None = None
    third: str | None = None

    def sort_key(self):
        return (self.team, self.action, self.target or "", self.third or "")

    def to_dict(self):
        return {"type": "order", "team": self.team, "action": self.action, "target": self.target,
                "third": self.third}


@dataclass(frozen=True)
class ArguedOrder:
    """A matrix-game argued action (one per team per turn).

    probability: percent 0-100 (umpire mode). cards: {giver: percent} (estimative mode).
    accepted_reasons / accepted_counters: how many White accepted, 0-10 each (weighted 2d6 mode: ±1 each).
    """

    team: str
    text: str
    intended: str = ""
    reasons: tuple = ()
    aims: tuple = ()
    nearest_action: str | None = None
    probability: float | None = None
    target: str | None = None
    cards: tuple = ()  # ((giver, percent), ...) or a dict
    accepted_reasons: int = 0
    accepted_counters: int = 0
    counter_arguments: tuple = ()

    def sort_key(self):
        return (self.team, self.text)

    def to_dict(self):
        return {"type": "argued", "team": self.team, "text": self.text, "intended": self.intended,
                "reasons": list(self.reasons), "aims": list(self.aims), "nearest_action": self.nearest_action,
                "probability": self.probability, "target": self.target,
                "cards": [list(x) for x in (self.cards.items() if isinstance(self.cards, dict) else self.cards)],
                "accepted_reasons": self.accepted_reasons, "accepted_counters": self.accepted_counters,
                "counter_arguments": list(self.counter_arguments)}


@dataclass(frozen=True)
class Override:
    """White's override of one event of this turn, with a reason.

    kind: 'scale' (value 0.5-1.5), 'replace' (value = list of effects, each within ±10),
    'reroll' (value = salt int, default 1; `draw` = k of the draw, None = all draws of the event),
    'manual_dice' (value = die face(s) for draw `draw`, default k=0).
    """

    event_id: str
    kind: str
    value: object = None
    reason: str = "Error"
    note: str = ""
    draw: int | None = None

    def to_dict(self):
        v = self.value
        if isinstance(v, tuple):
            v = list(v)
        return {"event_id": self.event_id, "kind": self.kind, "value": v, "reason": self.reason,
                "note": self.note, "draw": self.draw}


@dataclass(frozen=True)
class InjectInput:
    """An ad-hoc inject from White. effects use the scenario effect format with actor codes."""

    id: str
    title: str
    text: str
    audience: object = "all"  # 'all' or tuple of team codes
    effects: tuple = ()
    decision: str = ""

    def to_dict(self):
        return {"id": self.id, "title": self.title, "text": self.text,
                "audience": self.audience if isinstance(self.audience, str) else list(self.audience),
                "effects": [dict(e) for e in self.effects], "decision": self.decision}


def order_from_dict(d: dict):
    d = dict(d)
    kind = d.pop("type", "order")
    if kind == "argued":
        d["reasons"] = tuple(d.get("reasons", ()))
        d["aims"] = tuple(d.get("aims", ()))
        d["counter_arguments"] = tuple(d.get("counter_arguments", ()))
        d["cards"] = tuple(tuple(x) for x in d.get("cards", ()))
        return ArguedOrder(**d)
    return Order(**d)


# ----------------------------------------------------------------- checks


def effective_cost(scenario, state, key: str) -> int:
    return max(0, scenario.actions[key].cost + int(state.cost_mods.get(key, 0)))


def preview_state(scenario, state):
    """State as the players will meet it this turn: the turn's scripted unlocks and cost changes applied."""
    nxt = state.turn + 1
    unlock = set()
    cost = {}
    for inj in scenario.injects:
        t = inj.trigger
        if t.get("turn") == nxt and "when" not in t and inj.id not in state.fired:
            for e in inj.effects:
                if e.get("op") == "unlock":
                    unlock.update(e["actions"])
                elif e.get("op") == "cost":
                    cost[e["action"]] = cost.get(e["action"], 0) + e["delta"]
    if not unlock and not cost:
        return state
    st = state.copy()
    st.unlocked = st.unlocked | frozenset(unlock)
    for k, v in cost.items():
        st.cost_mods[k] = st.cost_mods.get(k, 0) + v
    return st


def resolve_target(spec, team, order):
    """(target, problem). Fills in a single allowed target; validates zone targets (M7)."""
    tgt = order.target
    if spec.zones:
        if tgt is None:
            return spec.default_zone, None
        if tgt not in spec.zones:
            return None, refusal("needs_zone", action=spec.key, zones=list(spec.zones), target=tgt)
        return tgt, None
    allowed = spec.allowed_targets(team)
    if not allowed:
        if tgt is not None:
            return None, refusal("takes_no_target", action=spec.key, target=tgt)
        return None, None
    if tgt is None:
        if len(allowed) == 1:
            return allowed[0], None
        return None, refusal("needs_target", action=spec.key, targets=list(allowed))
    if tgt not in allowed:
        return None, refusal("cannot_target", action=spec.key, target=tgt, targets=list(allowed))
    return tgt, None


def static_problem(scenario, team, order) -> str | None:
    """Problems that no turn can cure (policy validation). Cached per scenario: it is pure."""
    cache = scenario.params.cache
    key = ("static", team, order.action, order.target, order.third)
    if key in cache:
        return cache[key]
    cache[key] = res = _static_problem(scenario, team, order)
    return res


def _static_problem(scenario, team, order) -> str | None:
    spec = scenario.actions.get(order.action)
    if spec is None:
        return refusal("unknown_action", action=order.action)
    if team not in spec.who:
        return refusal("not_team_action", action=order.action, team=team)
    _, prob = resolve_target(spec, team, order)
    if prob:
        return prob
    if order.third is not None and order.third not in scenario.params.actors:
        return refusal("unknown_third", third=order.third)
    return None


def order_problem(scenario, state, team, order, *, turn=None) -> str | None:
    """Why this order cannot be carried out now (None when it can, budget aside)."""
    prob = static_problem(scenario, team, order)
    if prob:
        return prob
    spec = scenario.actions[order.action]
    if spec.locked_until_unlocked and spec.key not in state.unlocked:
        return refusal("action_locked", action=spec.key)
    if spec.surface and spec.zones:
        number = turn if turn is not None else state.turn + 1
        zone, _ = resolve_target(spec, team, order)
        if zone in ice_zones(scenario, number):
            return refusal("ice_closed", ICE, action=spec.key, zone=zone, quarter=quarter(scenario, number))
    if spec.prereq:
        tgt, _ = resolve_target(spec, team, order)
        ctx = {"self": team, "target": tgt if not spec.zones else None}
        if not eval_cond(spec.prereq, state, ctx, turn):
            return refusal("prereq_unmet", action=spec.key, detail="; ".join(failing_parts(spec.prereq, state, ctx)))
    return None


def check_orders(scenario, state, team, orders) -> list[str]:
    """[] when acceptable; otherwise human reasons (argued orders are ignored here)."""
    st = preview_state(scenario, state)
    orders = [o for o in orders if isinstance(o, Order)]
    out = []
    if team not in scenario.team_codes:
        return [refusal("unknown_team", team=team)]
    if len(orders) > MAX_ORDERS:
        out.append(refusal("too_many_orders", count=len(orders)))
    seen = set()
    total = 0
    for o in orders:
        if o.team != team:
            out.append(refusal("foreign_order", other=o.team, team=team))
            continue
        if o.action in seen:
            out.append(refusal("ordered_twice", action=o.action))
        seen.add(o.action)
        prob = order_problem(scenario, st, team, o)
        if prob:
            out.append(prob)
        elif o.action in scenario.actions:
            total += effective_cost(scenario, st, o.action)
    budget = st.rp.get(team, 0)
    if total > budget:
        out.append(refusal("over_budget", OVER_BUDGET, cost=total, budget=budget))
    return out


def available_actions(scenario, state, team) -> list:
    """[(ActionSpec, usable now, reason if not)] for every action this team may ever take."""
    st = preview_state(scenario, state)
    out = []
    budget = st.rp.get(team, 0)
    for key, spec in scenario.actions.items():
        if team not in spec.who:
            continue
        reason = ""
        if spec.locked_until_unlocked and key not in st.unlocked:
            reason = refusal("not_unlocked", NOT_UNLOCKED)
        else:
            targets = spec.zones or spec.allowed_targets(team) or (None,)
            probs = []
            for t in targets:
                p = order_problem(scenario, st, team, Order(team, key, t))
                if p is None:
                    probs = []
                    break
                probs.append(p)
            if probs:
                reason = probs[0] if isinstance(probs[0], Refusal) else Refusal(probs[0])
            elif effective_cost(scenario, st, key) > budget:
                reason = refusal("over_budget", OVER_BUDGET, cost=effective_cost(scenario, st, key), budget=budget)
        out.append((spec, not reason, reason))
    return out


@dataclass(frozen=True)
class BilateralProposal:
    """A bilateral action between this team and another: proposed to it (incoming) or by it."""
    action: str
    other: str
    incoming: bool
    agreed: bool


def bilateral_status(scenario, orders, team) -> list[BilateralProposal]:
    """A team's bilateral proposals this turn. A bilateral action happens only when both sides order it
    at each other ("agreed"); an agreed pair is listed once, as the other side's proposal.
    ``orders``: every team's Order of the turn (others are ignored)."""
    bilateral = [o for o in orders if o.action in scenario.actions and scenario.actions[o.action].bilateral]
    mine = {(o.action, o.target) for o in bilateral if o.team == team}
    theirs = {(o.action, o.team) for o in bilateral if o.team != team and o.target == team}
    rows = [BilateralProposal(o.action, o.team, True, (o.action, o.team) in mine)
            for o in bilateral if o.team != team and o.target == team]
    rows += [BilateralProposal(o.action, o.target, False, False)
             for o in bilateral if o.team == team and o.target and (o.action, o.target) not in theirs]
    return rows


def validate_override(o: Override, cap: float, smin: float, smax: float):
    if o.kind not in OVERRIDE_KINDS:
        raise OverrideError(f"override of {o.event_id}: kind must be one of {', '.join(OVERRIDE_KINDS)}, got {o.kind!r}")
    if o.reason not in OVERRIDE_REASONS:
        raise OverrideError(f"override of {o.event_id}: reason must be one of {', '.join(OVERRIDE_REASONS)}, got {o.reason!r}")
    if o.kind == "scale":
        v = o.value
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (smin <= v <= smax):
            raise OverrideError(f"override of {o.event_id}: scale {v!r} is outside the allowed range {smin:g}–{smax:g}")
    elif o.kind == "reroll":
        if o.value is not None and (isinstance(o.value, bool) or not isinstance(o.value, int) or o.value < 1):
            raise OverrideError(f"override of {o.event_id}: reroll salt must be a positive integer, got {o.value!r}")
    elif o.kind == "manual_dice":
        vals = o.value if isinstance(o.value, (list, tuple)) else [o.value]
        if not vals or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in vals):
            raise OverrideError(f"override of {o.event_id}: manual dice must be positive integers, got {o.value!r}")
