"""Incidents (§7): dyads with forces in a shared zone roll once a turn."""
from __future__ import annotations

from .effects import Buffer, Scope
from .messages import msg
from .state import dyad_key


def incident_chance(params, state, key: str, add: float = 0.0, mult: float = 1.0) -> float:
    rules = params.inc
    a, b = key.split("-")
    dyad = state.dyads[key]
    chance = (rules.get("base", 0.05)
              + rules.get("per_N", 0.002) * (state.actors[a].vars["N"] + state.actors[b].vars["N"])
              + rules.get("per_T", 0.003) * dyad.T)
    for flag, modifier in rules.get("flag_mods", {}).items():
        if flag in dyad.flags:
            chance += modifier
    chance += dyad.inc_mod + add
    # scale: the calibration to the real record (§7: about 0.10-0.15 a quarter for a dyad at baseline)
    chance *= mult * rules.get("scale", 1.0)
    if dyad.T >= rules.get("high_T", 80):
        chance *= rules.get("high_T_mult", 2)
    floor = rules.get("floor", 0.02)
    if chance < floor:
        chance = floor
    return min(chance, 1.0)


def severity_row(params, severity: float) -> dict:
    table = params.inc["table"]
    for row in table:
        limit = row.get("below")
        if limit is None or severity < limit:
            return row
    return table[-1]


def contact_dyads(state, contacts=frozenset(), forced=frozenset()) -> list:
    """Dyads that roll this turn: shared zones, forced contact (M9), forced rolls (injects)."""
    keys = set()
    for forces in state.presence.values():
        here = [code for code, groups in forces.items() if groups > 0 and code in state.actors]
        if len(here) > 1:
            for i, a in enumerate(here):
                for b in here[i + 1:]:
                    keys.add(dyad_key(a, b))
    keys |= contacts
    keys |= forced
    return sorted(k for k in keys if k in state.dyads)


def incident_phase(turn):
    """Roll each contact dyad of `turn` (a phases.turn.Turn), record the incidents and apply them together."""
    params = turn.params
    state = turn.state
    mods = turn.interpreter.incident_mods
    rules = params.inc
    exempt = rules.get("exempt_il", 101)
    severity_rules = rules.get("severity", {})
    buffer = Buffer()
    for key in contact_dyads(state, mods.contacts, mods.forced):
        dyad = state.dyads[key]
        forced = key in mods.forced
        if not forced and dyad.IL >= exempt:
            continue
        event_id = f"t{turn.number}:incident:{key}"
        if forced:
            hit = True
            chance = 1.0
        else:
            chance = incident_chance(params, state, key, mods.chance_add.get(key, 0.0),
                                     mods.chance_mult.get(key, 1.0))
            hit, _ = turn.dice.chance("incidents", event_id, 0, chance)
        if not hit:
            continue
        dice = turn.dice.dice("incidents", event_id, 1, 2, 6)
        severity = (sum(dice) + (dyad.T - severity_rules.get("T_ref", 50)) / severity_rules.get("T_div", 10)
                    - dyad.C / severity_rules.get("C_div", 25))
        for flag, modifier in severity_rules.get("flag_mods", {}).items():
            if flag in dyad.flags:
                severity += modifier
        row = severity_row(params, severity)
        a, b = key.split("-")
        cache_key = ("incident", key, row["name"])
        effects = params.cache.get(cache_key)
        if effects is None:
            effects = params.cache[cache_key] = (
                {"var": "T", "dyad": [a, b], "delta": row["dT"], "attr": "incident"},
                {"op": "rung", "dyad": [a, b], "rung": row["rung"]})
        # draws 0 (chance) and 1 (severity) are the roll's, so any die of the effects is k=2 on
        turn.run_event(event_id, "incidents", "incident", effects, Scope(next_draw=2), buffer,
                       teams=[a, b], audience="all",
                       text=msg("incident_forced" if forced else "incident", a=a, b=b, incident=row["name"],
                                severity=severity),
                       extra={"severity": round(severity, 3), "chance": round(chance, 4), "incident": row["name"],
                              "zone": _shared_zone(state, a, b), "label": row["name"]})
    turn.apply(buffer)


def _shared_zone(state, a, b):
    """Where the two sides' forces met: the first zone (in map order) holding both."""
    for zone, forces in state.presence.items():
        if forces.get(a) and forces.get(b):
            return zone
    return None
