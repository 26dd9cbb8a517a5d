"""Update (§4.6): T and IL drift and D's reversion from the turn-start snapshot, then RP income."""
from __future__ import annotations

from .. import dynamics


def update(turn, start: dict):
    """start: {dyad: (T, C, IL) at turn start}."""
    dynamics.drift_update(turn.params, turn.state, start, turn.start_support, turn.attribution)
    dynamics.rp_update(turn.params, turn.state)
