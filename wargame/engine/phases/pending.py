"""Delayed and temporary effects of earlier turns that fall due now."""
from __future__ import annotations

from ..effects import Buffer, PresenceChange


def apply_due_effects(turn):
    state = turn.state
    due = [x for x in state.pending if x["turn"] <= turn.number]
    if not due:
        return
    state.pending = [x for x in state.pending if x["turn"] > turn.number]
    buffer = Buffer()
    for x in due:
        if x["kind"] == "actor":
            if x["key"] in state.actors and x["var"] in state.actors[x["key"]].vars:
                buffer.add_actor(x["key"], x["var"], x["delta"])
        elif x["kind"] == "dyad":
            buffer.add_dyad(x["key"], x["var"], x["delta"])
        elif x["kind"] == "presence":
            buffer.ops.append(PresenceChange(x["key"], x["var"], x["delta"]))
    turn.apply(buffer)
