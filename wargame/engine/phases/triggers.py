"""Triggers (§4.7): crisis sub-turns, high tension, new rungs, band changes, domestic pressure."""
from __future__ import annotations

from .. import dynamics
from ..effects import Buffer, Scope
from ..messages import msg
from ..state import band_index, band_name


def fire_triggers(turn, start_rungs: dict, start_bands: dict):
    """start_rungs / start_bands: each dyad's rung and IL band index at turn start."""
    _settle_rungs(turn, start_rungs)
    turn.state.crisis = tuple(_crises(turn))
    _band_changes(turn, start_bands)
    _domestic_pressure(turn)


def _crises(turn) -> list:
    """Dyads ending the turn at the crisis rung or above (below 7): the next turn opens with their crisis
    sub-turn, decided by their two teams (crisis.py). Also announces each dyad at high tension."""
    params = turn.params
    state = turn.state
    rules = params.crisis
    crisis_rung = rules.get("rung", 4)
    stop = params.end.get("rung", 7)
    high_tension = params.inc.get("high_T", 80)
    flags = set(rules.get("flags", ("INCSEA", "HOTLINE")))
    crises = []
    for key in sorted(state.dyads):
        d = state.dyads[key]
        a, b = key.split("-")
        if crisis_rung <= d.rung < stop:
            crises.append(key)
            helped = bool(d.flags & flags) and d.C >= rules.get("c_min", 50)
            turn.record(f"t{turn.number}:crisis:{key}", "triggers", "crisis", [a, b], "all",
                        msg("crisis_opened_helped", a=a, b=b, rung=d.rung, bonus=rules.get("call_bonus", 20),
                            c_min=rules.get("c_min", 50)) if helped else msg("crisis_opened", a=a, b=b, rung=d.rung),
                        rung=d.rung, call_bonus=helped)
        if d.T >= high_tension:
            turn.record(f"t{turn.number}:trigger:high_tension:{key}", "triggers", "trigger", [a, b], "all",
                        msg("high_tension", a=a, b=b, threshold=high_tension))
    return crises


def _settle_rungs(turn, start_rungs):
    """Each dyad's rung at the end of the turn: its tension band (capped at rung 5) or the highest rung it saw."""
    params = turn.params
    state = turn.state
    seen = turn.interpreter.rungs_seen
    for key, d in state.dyads.items():
        d.rung = dynamics.new_rung(params, start_rungs[key], d.T, seen.get(key, -1))


def _band_changes(turn, start_bands):
    state = turn.state
    for key in sorted(state.dyads):
        d = state.dyads[key]
        if band_index(d.IL) != start_bands[key]:
            a, b = key.split("-")
            turn.record(f"t{turn.number}:trigger:band:{key}", "triggers", "band_change", [a, b], "all",
                        msg("band_change", a=a, b=b, band=msg("band_" + band_name(d.IL).replace(" ", "_")),
                            il=d.IL),
                        band=band_name(d.IL))


def _domestic_pressure(turn):
    """A team whose support D fell below the threshold gets the domestic-pressure effects."""
    rules = turn.params.triggers.get("domestic_pressure", {})
    below = rules.get("below", 30)
    state = turn.state
    for code in turn.params.teams:
        if state.actors[code].vars.get("D", 100) < below:
            buffer = Buffer()
            turn.run_event(f"t{turn.number}:trigger:domestic:{code}", "triggers", "trigger",
                           tuple(rules.get("effects", ())), Scope(actor=code), buffer, teams=[code], audience="all",
                           text=msg("domestic_pressure", team=code, below=below))
            turn.apply(buffer)
