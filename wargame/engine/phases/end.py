"""End of play: armed conflict (rung 7), a scenario end condition, or the turn limit."""
from __future__ import annotations

from ..conditions import eval_cond


def check_end(turn, turn_limit: int):
    state = turn.state
    rules = turn.params.end
    stop = rules.get("rung", 7)
    for key in sorted(state.dyads):
        if state.dyads[key].rung >= stop:
            a, b = key.split("-")
            state.ended = f"armed conflict between {a} and {b} (rung {stop}): play stops for a hotwash"
            break
    if state.ended is None:
        for condition in rules.get("conditions", ()):
            if eval_cond(condition["cond"], state):
                state.ended = condition["text"]
                break
    if state.ended is None and turn.number >= turn_limit:
        state.ended = f"turn limit reached ({turn_limit} turns)"
    if state.ended:
        turn.record(f"t{turn.number}:end", "triggers", "end", [], "all", f"The game ends: {state.ended}")
