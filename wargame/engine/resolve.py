"""resolve_turn: a pure function of (scenario, previous state, orders, injects, overrides, seed).

Sequence (§4): crisis sub-turn (the choices of the dyads that ended last turn at rung ≥ 4; rung 7 stops play
here) → pending effects → injects (scripted, condition, ad hoc) → season (ice) → order checks →
turn modifiers and opposed rolls → strait transits and barriers → diplomatic/information → economic →
military → hidden submarines (placements, detection rolls) → argued →
incidents → update (drift, IL, D, RP) → rungs → triggers (crisis, bands, domestic pressure, end).
Within a category every effect is computed from the same snapshot and applied together.
Each phase is a module of `phases/`; this module only runs them in order.
"""
from __future__ import annotations

from dataclasses import dataclass

from .crisis import check_choices, crisis_phase
from .effects import ATTR_NAMES
from .events import HEADLINE_KINDS
from .messages import msg
from .orders import ArguedError, ArguedOrder, GameOverError, Order, OverrideError
from .phases.actions import apply_turn_modifiers, resolve_category
from .phases.argued import resolve_argued
from .phases.detection import detection_phase
from .phases.end import check_end
from .phases.incidents import roll_incidents
from .phases.injects import fire_injects
from .phases.inputs import check_inputs
from .phases.opposed import roll_opposed
from .phases.orders import plan_actions
from .phases.pending import apply_due_effects
from .phases.season import season_phase
from .phases.straits import check_transits
from .phases.triggers import fire_triggers
from .phases.turn import Turn
from .phases.update import update
from .rng import Dice
from .spec import PHASES
from .state import band_index


@dataclass(frozen=True)
class TurnInputs:
    """A turn's inputs as given, for TurnResult.input and the event log."""

    turn: int
    seed: object
    orders: list  # catalogue Orders
    argued: list  # ArguedOrders
    injects: tuple
    overrides: tuple
    skip_injects: tuple
    fire_now: tuple
    argued_mode: str
    turn_limit: int | None
    crisis_choices: dict | None = None


class TurnResult:
    """Outcome of one resolved turn. headlines, narratives and input are built on first access."""

    __slots__ = ("state", "events", "draws", "attribution", "_teams", "_inputs", "_headlines", "_narratives",
                 "_input")

    def __init__(self, state, events, draws, attribution, teams=(), inputs=None):
        self.state = state
        self.events = events
        self.draws = draws
        self.attribution = attribution
        self._teams = teams
        self._inputs = inputs  # TurnInputs
        self._headlines = self._narratives = self._input = None

    @property
    def headlines(self) -> list:
        """Public one-liners of the turn."""
        if self._headlines is None:
            self._headlines = [e.get("headline") or e["text"] for e in self.events
                               if e["audience"] == "all" and e["kind"] in HEADLINE_KINDS]
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
            given = self._inputs
            self._input = {
                "kind": "turn",
                "turn": given.turn,
                "seed": given.seed,
                "orders": [o.to_dict() for o in sorted(given.orders, key=Order.sort_key)]
                + [o.to_dict() for o in sorted(given.argued, key=ArguedOrder.sort_key)],
                "injects": [i.to_dict() for i in given.injects],
                "overrides": [o.to_dict() for o in given.overrides],
                "skip_injects": sorted(given.skip_injects),
                "fire_now": sorted(given.fire_now),
                "argued_mode": given.argued_mode,
                "turn_limit": given.turn_limit,
                "crisis_choices": dict(sorted((given.crisis_choices or {}).items())),
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


def resolve_turn(scenario, state, orders, *, seed, injects=(), overrides=(), skip_injects=(), fire_now=(),
                 argued_mode=None, turn_limit=None, crisis_choices=None) -> TurnResult:
    """Resolve turn state.turn + 1. `orders` may mix Order and ArguedOrder.

    injects: ad-hoc InjectInput from White; skip_injects / fire_now: MSEL ids to hold back / fire now;
    overrides: White's Override inputs (scale/replace/reroll/manual_dice), each recorded as an event.
    crisis_choices: {team: "deescalate" | "hold" | "escalate"} for the dyads in state.crisis (missing: hold).
    Raises EngineInputError subclasses for out-of-range inputs.
    """
    if state.ended:
        raise GameOverError(f"the game has ended: {state.ended}", msg=msg("game_over", reason=state.ended))
    params = scenario.params
    mode = argued_mode or params.adj.get("mode", "weighted_2d6")
    number = state.turn + 1
    effect_overrides, dice_fixes = check_inputs(scenario, overrides, injects)
    choices = check_choices(scenario, crisis_choices)
    catalogue_orders, argued_orders = _split_orders(orders)
    dice = Dice(seed, number, dice_fixes)
    turn = Turn(scenario, _opening_state(state, number), number, dice, effect_overrides,
                ordered={(o.team, o.action, o.target) for o in catalogue_orders})
    start_rungs = {k: d.rung for k, d in state.dyads.items()}
    start_bands = {k: band_index(d.IL) for k, d in state.dyads.items()}
    start_tension = {k: d.T for k, d in state.dyads.items()}
    # drift and D reversion read the state the turn starts from (Richardson: T_t, C_t)
    start = {k: (d.T, d.C, d.IL) for k, d in turn.state.dyads.items()}
    turn.start_support.update({c: a.vars.get("D", 0.0) for c, a in turn.state.actors.items()})

    crisis_phase(turn, choices)
    if not turn.state.ended:  # rung 7 in the crisis sub-turn: the rest of the turn does not run
        apply_due_effects(turn)
        fire_injects(turn, frozenset(skip_injects), frozenset(fire_now), injects)
        season_phase(turn)
        actions = plan_actions(turn, catalogue_orders)
        apply_turn_modifiers(turn, actions)
        roll_opposed(turn, actions)
        actions = check_transits(turn, actions)
        for category in PHASES:
            resolve_category(turn, actions, category)
        detection_phase(turn)
        if argued_orders:
            resolve_argued(turn, argued_orders, mode)
        roll_incidents(turn)
        update(turn, start)
        fire_triggers(turn, start_rungs, start_bands)
    check_end(turn, turn_limit or scenario.turns)

    _check_overrides_used(turn, effect_overrides, dice_fixes)
    inputs = TurnInputs(turn=number, seed=seed, orders=catalogue_orders, argued=argued_orders, injects=tuple(injects),
                        overrides=tuple(overrides), skip_injects=tuple(skip_injects), fire_now=tuple(fire_now),
                        argued_mode=mode, turn_limit=turn_limit, crisis_choices=choices)
    return TurnResult(turn.state, turn.events, dice.draws, _attribution(turn, start_tension), params.teams, inputs)


def _split_orders(orders) -> tuple[list, list]:
    catalogue = [o for o in orders if isinstance(o, Order)]
    argued = [o for o in orders if isinstance(o, ArguedOrder)]
    for o in orders:
        if not isinstance(o, (Order, ArguedOrder)):
            raise ArguedError(f"expected Order or ArguedOrder, got {o!r}")
    return catalogue, argued


def _opening_state(state, number):
    """A copy of the state to resolve into, without the modifiers that were in force only up to last turn."""
    opening = state.copy()
    opening.turn = number
    if opening.mods:
        opening.mods = {k: v for k, v in opening.mods.items() if v[1] is None or v[1] >= number}
    return opening


def _check_overrides_used(turn, effect_overrides, dice_fixes):
    unused = [event_id for event_id in effect_overrides if event_id not in turn.used_overrides]
    unused += [f"{e} draw {k}" for (e, k) in dice_fixes if (e, k) not in turn.dice.used]
    if unused:
        raise OverrideError(f"override names no event of turn {turn.number}: {', '.join(sorted(map(str, unused)))}")


def _attribution(turn, start_tension) -> dict:
    """{dyad: {direct, spillover, incident, events, drift}} of the turn's ΔT; the parts add up to ΔT."""
    state = turn.state
    attribution = {}
    n = len(ATTR_NAMES)
    for key in sorted(state.dyads):
        parts = turn.attribution.get(key, (0.0,) * n)
        attribution[key] = {ATTR_NAMES[i]: parts[i] for i in range(n)}
    # Fix float residue so the parts sum exactly to ΔT (drift takes the rounding crumb).
    for key, parts in attribution.items():
        delta = state.dyads[key].T - start_tension[key]
        residue = delta - (parts["direct"] + parts["spillover"] + parts["incident"] + parts["events"]
                           + parts["drift"])
        if residue:
            parts["drift"] += residue
    return attribution
