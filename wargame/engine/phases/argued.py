"""Argued (matrix-game) actions: adjudicated, then the nearest catalogue action at the outcome's scale."""
from __future__ import annotations

from .. import adjudication
from ..effects import Buffer, Scope, main_effects
from ..messages import msg
from ..orders import ArguedError, ArguedOrder


def resolve_argued(turn, argued, mode: str):
    """One argued action per team; each is capped (±cap per variable) on its own, then all apply together."""
    scenario = turn.scenario
    rules = turn.params.adj
    cap = float(rules.get("cap", 10))
    outcomes = rules.get("outcomes", {})
    teams_done = set()
    buffer = Buffer()
    for order in sorted(argued, key=ArguedOrder.sort_key):
        event_id = f"t{turn.number}:argued:{order.team}"
        if order.team not in turn.params.teams:
            raise ArguedError(f"argued action by unknown team {order.team}")
        if order.team in teams_done:
            turn.record(event_id + ":dup", "argued", "not_carried_out", [order.team], [order.team],
                        msg("argued_dup", team=order.team))
            continue
        teams_done.add(order.team)
        adjudication.validate_argued(order, mode, rules)
        spec = scenario.actions.get(order.nearest_action) if order.nearest_action else None
        if order.nearest_action and spec is None:
            raise ArguedError(f"argued action by {order.team}: unknown nearest action {order.nearest_action}")
        result = adjudication.adjudicate(order, mode, rules, turn.dice, event_id)
        outcome = outcomes.get(result["outcome"], {})
        scale = float(outcome.get("scale", 1.0))
        override = turn.overrides.get(event_id)
        if override is not None and override.kind == "scale":
            scale = override.value  # White sets the scale of the nearest action directly
        # at scale 0 nothing of the nearest action happens (not even its flags)
        effects = main_effects(spec) if spec is not None and scale else ()
        outcome_effects = outcome.get("extra", ())
        scope = Scope(actor=order.team, target=_target(order, spec), island=bool(spec and spec.island),
                      rung=spec.rung if spec else None, next_draw=1, turn_mods_done=True)
        local = Buffer()
        event = turn.run_event(event_id, "argued", "argued", effects, scope, local, teams=[order.team],
                               audience="all", text=msg("argued", team=order.team, text=order.text,
                                                       outcome=msg("outcome_" + result["outcome"])), scale=scale,
                               extra={"adjudication": result, "nearest_action": order.nearest_action,
                                      "intended": order.intended, "reasons": list(order.reasons),
                                      "aims": list(order.aims)})
        # the outcome's own consequences, unscaled (a replace override stands for all of it)
        if outcome_effects and not (override is not None and override.kind == "replace"):
            more = []
            turn.interpreter.run(outcome_effects, scope, 1.0, local, more, event_id, "argued")
            event["changes"] += more
        adjudication.cap_buffer(local, cap)
        event["capped_at"] = cap
        buffer.absorb(local)
    turn.apply(buffer)


def _target(order, spec):
    """The order's target; else the nearest action's only possible target, if it has exactly one."""
    if spec is None or order.target is not None or spec.zones:
        return order.target
    allowed = spec.allowed_targets(order.team) or spec.allowed_targets(spec.who[0])
    return allowed[0] if len(allowed) == 1 and allowed[0] != order.team else None
