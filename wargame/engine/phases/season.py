"""Seasons (scenarios with `ice:`): in an ice quarter, ice closes its zones to surface ships (orders.ICE) and the
bastion's security (every actor with BS) rises by `ice.bs` for that quarter (temporary: undone next turn)."""
from __future__ import annotations

from ..effects import Buffer, Scope
from ..messages import msg
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
    idx = (turn.scenario.start_quarter - 1) + (turn.number - 1)  # perception.game_date's quarter and year
    date = msg("game_date", quarter=idx % 4 + 1, year=turn.scenario.start_year + idx // 4)
    headline = msg("ice_headline")
    turn.run_event(f"t{turn.number}:ice", "injects", "ice", effects, Scope(), buffer, teams=[], audience="all",
                   text=msg("ice_bastion", zones=list(zones), date=date, bs=bs) if effects
                   else msg("ice", zones=list(zones), date=date),
                   extra={"zones": list(zones), "headline": turn.render(headline), "headline_msg": headline})
    turn.apply(buffer)
