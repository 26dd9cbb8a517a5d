"""Seasons: each turn is a quarter; in the ice quarters (scenario `ice:`) ice closes some zones to surface ships.

  ice: {quarters: [1], zones: [okhotsk_north], bs: 4}
A scenario without `ice:` has no ice: every function here then returns nothing.
"""
from __future__ import annotations


def quarter(scenario, turn: int) -> int:
    """The quarter (1-4) of a turn: turn 1 is the scenario's start quarter (game_date's reckoning)."""
    return ((scenario.start_quarter - 1) + (turn - 1)) % 4 + 1


def ice_zones(scenario, turn: int) -> tuple:
    """The zones ice closes to surface ships in this turn (() outside the ice quarters or without `ice:`)."""
    ice = scenario.params.ice
    if not ice or quarter(scenario, turn) not in ice.get("quarters", ()):
        return ()
    return tuple(ice.get("zones", ()))


def ice_closed(scenario, action_key: str, turn: int) -> tuple:
    """The zones of a surface action that ice closes in this turn (the catalogue greys them out)."""
    spec = scenario.actions.get(action_key)
    if spec is None or not spec.surface:
        return ()
    closed = ice_zones(scenario, turn)
    return tuple(z for z in (spec.zones or ()) if z in closed)
