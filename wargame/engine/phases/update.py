"""Update (§4.6): T and IL drift and D's reversion from the turn-start snapshot, then RP income."""
from __future__ import annotations

from .. import dynamics
from .turn import LegacyContext


def update(turn, start: dict, spend: dict):
    """start: {dyad: (T, C, IL) at turn start}; spend: {team: RP spent on orders this turn}."""
    context = LegacyContext(turn)
    dynamics.drift_update(context, start)
    dynamics.rp_update(context, spend)
