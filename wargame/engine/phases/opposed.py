"""Opposed rolls: 2d6 + (gap in N or ASW)/10 each; the loser's action takes effect at a lower scale."""
from __future__ import annotations

from ..messages import msg


def roll_opposed(turn, actions):
    """Lower the scale of each losing action (in place) and record every roll."""
    state = turn.state
    for rule in turn.params.opposed:
        firsts = [a for a in actions if a.spec.key == rule["a"] and len(a.teams) == 1]
        seconds = [a for a in actions if a.spec.key == rule["b"] and len(a.teams) == 1]
        for first in firsts:
            for second in seconds:
                x, y = first.teams[0], second.teams[0]
                x_target, y_target = first.scope.target, second.scope.target
                # they oppose each other only when neither is aimed at someone else
                if x == y or (x_target is not None and x_target != y) or (y_target is not None and y_target != x):
                    continue
                event_id = f"t{turn.number}:opposed:{rule['a']}:{x}-{rule['b']}:{y}"
                var = rule.get("var", "N")
                gap = (state.actors[x].vars.get(var, 0) - state.actors[y].vars.get(var, 0)) / 10.0
                faces_x = turn.dice.dice("opposed", event_id, 0, 2, 6)
                faces_y = turn.dice.dice("opposed", event_id, 1, 2, 6)
                total_x, total_y = sum(faces_x) + gap, sum(faces_y)
                loser = winner = None
                if total_x > total_y:
                    loser, winner = second, first
                elif total_y > total_x:
                    loser, winner = first, second
                loser_scale = rule.get("loser_scale", 0.5)
                if loser is not None:
                    loser.scale *= loser_scale
                    text = msg("opposed", action_a=rule["a"], a=x, action_b=rule["b"], b=y, winner=winner.teams[0],
                               total_a=total_x, total_b=total_y, loser=loser.teams[0], loser_action=loser.spec.key,
                               scale=loser_scale)
                else:
                    text = msg("opposed_tie", action_a=rule["a"], a=x, action_b=rule["b"], b=y, total_a=total_x)
                turn.record(event_id, "opposed", "opposed", [x, y], "white", text, rolls=[faces_x, faces_y], gap=gap,
                            winner=(winner.teams[0] if loser is not None else None))
