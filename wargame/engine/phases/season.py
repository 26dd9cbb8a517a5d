"""Seasons (scenarios with `ice:`): in an ice quarter, ice closes its zones to surface ships (orders.ICE) and the
bastion's security (every actor with BS) rises by `ice.bs` for that quarter (temporary: undone next turn)."""
from __future__ import annotations

from ..effects import Buffer, Scope
from ..perception import game_date
from ..seasons import ice_zones


def season_phase(turn):
    zones = ice_zones(turn.scenario, turn.number)
    if not zones:
        return
    bs = turn.params.ice.get("bs", 0)
    state = turn.state
    effects = tuple({"var": "BS", "of": code, "delta": bs, "temporary": True}
                    for code in turn.params.actors if bs and "BS" in state.actors[code].vars)
    buffer = Buffer()
    turn.run_event(f"t{turn.number}:ice", "injects", "ice", effects, Scope(), buffer, teams=[], audience="all",
                   text=f"Ice closes {', '.join(zones)} to surface ships ({game_date(turn.scenario, turn.number)})"
                   + (f"; the bastion's security {bs:+g} this quarter" if effects else ""),
                   extra={"zones": list(zones), "headline": "Winter ice in the northern Sea of Okhotsk"})
    turn.apply(buffer)
