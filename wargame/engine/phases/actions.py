"""Catalogue actions, one category at a time: every effect of a category reads the same snapshot."""
from __future__ import annotations

from ..effects import Buffer, main_effects, turn_modifier_effects
from ..messages import join_and, msg
from ..state import dyad_key


def apply_turn_modifiers(turn, actions):
    """Every action's ω and m_align modifiers hold for the whole turn, so all are in force before any category."""
    interpreter = turn.interpreter
    for action in actions:
        for e in turn_modifier_effects(action.spec):
            interpreter.apply_turn_modifier(e, action.scope)


def resolve_category(turn, actions, category: str):
    """Run the actions of one category (diplomatic, economic or military) and apply them together."""
    buffer = Buffer()
    for action in actions:  # already sorted by event id
        spec = action.spec
        if spec.phase != category:
            continue
        scope = action.scope
        teams = action.teams
        scope.turn_mods_done = True
        hidden = getattr(spec, "hidden", False)
        if hidden:  # a secret placement: told to the placing team only, seen by no one (state.hidden)
            ran = turn.run_event(action.event_id, category, "sub_placed", main_effects(spec), scope, buffer,
                                 teams=list(teams), audience=[teams[0]],
                                 text=msg("sub_placed", team=teams[0], action=spec.key, zone=scope.zone),
                                 scale=action.scale, extra={"action": spec.key, "zone": scope.zone})
            continue
        ran = turn.run_event(action.event_id, category, "action", main_effects(spec), scope, buffer,
                             teams=list(teams), audience=action.audience if action.audience == "all"
                             else list(action.audience), text=_text(action), scale=action.scale,
                             extra={"action": spec.key})
        if action.audience != "all":
            turn.add_note(ran, "note_unobserved")
        covert = scope.detected is not None
        if covert:
            ran["detected"] = scope.detected
            if not scope.detected:
                ran["audience"] = [teams[0]]
                turn.add_note(ran, "note_covert_undetected")
            else:
                turn.add_note(ran, "note_detected")
        if scope.target and not (covert and not scope.detected):
            # the target dyad saw an action of this rung
            dyad = dyad_key(teams[0], scope.target) if len(teams) == 1 else dyad_key(*teams)
            turn.interpreter.see_rung(dyad, spec.rung)
    turn.apply(buffer)


def _text(action) -> list:
    """The action's message (messages.py)."""
    spec, teams, scope = action.spec, action.teams, action.scope
    if len(teams) == 2 and spec.bilateral:
        return msg("action_bilateral", a=teams[0], b=teams[1], action=spec.key)
    if action.order is None:  # a joint action (JointSpec: the action's name + " (joint)")
        return msg("action_joint", teams=join_and(teams), action=spec.key)
    target = scope.target or scope.zone
    if target:
        return msg("action_target", team=teams[0], action=spec.key, target=target)
    return msg("action", team=teams[0], action=spec.key)
