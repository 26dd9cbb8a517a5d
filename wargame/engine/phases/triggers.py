"""Triggers (§4.7): crisis sub-turns, high tension, new rungs, band changes, domestic pressure."""
from __future__ import annotations

from .. import dynamics
from ..effects import Buffer, Scope
from ..state import band_index, band_name


def fire_triggers(turn, start_rungs: dict, start_bands: dict):
    """start_rungs / start_bands: each dyad's rung and IL band index at turn start."""
    crises, defused = _crises(turn, start_rungs)
    _settle_rungs(turn, start_rungs, defused)
    crisis_rung = turn.params.crisis.get("rung", 4)
    turn.state.crisis = tuple(k for k in crises if turn.state.dyads[k].rung >= crisis_rung)
    _band_changes(turn, start_bands)
    _domestic_pressure(turn)


def _crises(turn, start_rungs) -> tuple[list, set]:
    """Open a crisis sub-turn on each dyad reaching the crisis rung: (those dyads, those a call defused).

    Also announces each dyad at high tension (incident chances double).
    """
    params = turn.params
    state = turn.state
    rules = params.crisis
    crisis_rung = rules.get("rung", 4)
    high_tension = params.inc.get("high_T", 80)
    crises = []
    defused = set()
    buffer = Buffer()
    for key in sorted(state.dyads):
        d = state.dyads[key]
        rung = dynamics.new_rung(params, start_rungs[key], d.T, turn.interpreter.rungs_seen.get(key, -1))
        if crisis_rung <= rung < 7:
            if _crisis(turn, key, rung, buffer):
                defused.add(key)
            crises.append(key)
        if d.T >= high_tension:
            a, b = key.split("-")
            turn.record(f"t{turn.number}:trigger:high_tension:{key}", "triggers", "trigger", [a, b], "all",
                        f"T({a},{b}) ≥ {high_tension}: incident chances are doubled")
    turn.apply(buffer)
    return crises, defused


def _crisis(turn, key, rung, buffer) -> bool:
    """Record one crisis; with INCSEA or a hotline and enough C each side makes a free call. True if one worked."""
    rules = turn.params.crisis
    d = turn.state.dyads[key]
    a, b = key.split("-")
    free = bool(d.flags & set(rules.get("flags", ("INCSEA", "HOTLINE")))) and d.C >= rules.get("c_min", 50)
    event_id = f"t{turn.number}:crisis:{key}"
    event = turn.record(event_id, "triggers", "crisis", [a, b], "all",
                        f"Crisis sub-turn (48 hours) on {a}–{b} at rung {rung}"
                        + ("; each side gets a free de-escalation call at +20%" if free else
                           "; no free de-escalation call (needs INCSEA or hotline and C ≥ "
                           f"{rules.get('c_min', 50)})"), rung=rung, free_call=free)
    if not free:
        return False
    any_success = False
    calls = []
    for k, side in enumerate((a, b)):
        chance = (rules.get("call_base", 50) + rules.get("call_bonus", 20)) / 100
        success, roll = turn.dice.chance("triggers", event_id, k, chance)
        calls.append({"team": side, "roll": roll, "success": success})
        if success:
            any_success = True
            buffer.add_dyad(key, "T", rules.get("call_dT", -3), 0)
    event["calls"] = calls
    return any_success


def _settle_rungs(turn, start_rungs, defused):
    """New rungs after the crisis calls: a defused dyad is no longer held up by the actions it saw."""
    params = turn.params
    state = turn.state
    seen = turn.interpreter.rungs_seen
    for key, d in state.dyads.items():
        d.rung = dynamics.new_rung(params, start_rungs[key], d.T, -1 if key in defused else seen.get(key, -1))


def _band_changes(turn, start_bands):
    state = turn.state
    for key in sorted(state.dyads):
        d = state.dyads[key]
        if band_index(d.IL) != start_bands[key]:
            a, b = key.split("-")
            turn.record(f"t{turn.number}:trigger:band:{key}", "triggers", "band_change", [a, b], "all",
                        f"{a}–{b} relations move into the {band_name(d.IL)} band (IL {d.IL:.1f})",
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
                           text=f"Domestic pressure in {code}: support below {below}")
            turn.apply(buffer)
