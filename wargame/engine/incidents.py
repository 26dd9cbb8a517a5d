"""Incidents (§7): dyads with forces in a shared zone roll once a turn."""
from __future__ import annotations

from .effects import Buffer
from .state import dyad_key


def incident_chance(p, st, key: str, add: float = 0.0, mult: float = 1.0) -> float:
    inc = p.inc
    a, b = key.split("-")
    d = st.dyads[key]
    ch = (inc.get("base", 0.05) + inc.get("per_N", 0.002) * (st.actors[a].vars["N"] + st.actors[b].vars["N"])
          + inc.get("per_T", 0.003) * d.T)
    for f, v in inc.get("flag_mods", {}).items():
        if f in d.flags:
            ch += v
    ch += d.inc_mod + add
    ch *= mult
    if d.T >= inc.get("high_T", 80):
        ch *= inc.get("high_T_mult", 2)
    floor = inc.get("floor", 0.02)
    if ch < floor:
        ch = floor
    return min(ch, 1.0)


def severity_row(p, sev: float) -> dict:
    table = p.inc["table"]
    for row in table:
        lim = row.get("below")
        if lim is None or sev < lim:
            return row
    return table[-1]


def contact_dyads(tc) -> list:
    """Dyads that roll this turn: shared zones, forced contact (M9), forced rolls (injects)."""
    st = tc.st
    keys = set()
    for forces in st.presence.values():
        here = [c for c, n in forces.items() if n > 0 and c in st.actors]
        if len(here) > 1:
            for i, a in enumerate(here):
                for b in here[i + 1:]:
                    keys.add(dyad_key(a, b))
    keys |= tc.contacts
    keys |= tc.forced
    return sorted(k for k in keys if k in st.dyads)


def incident_phase(tc):
    p = tc.p
    st = tc.st
    inc = p.inc
    exempt = inc.get("exempt_il", 101)
    sv = inc.get("severity", {})
    buf = Buffer()
    for key in contact_dyads(tc):
        d = st.dyads[key]
        forced = key in tc.forced
        if not forced and d.IL >= exempt:
            continue
        eid = f"t{tc.turn}:incident:{key}"
        if forced:
            hit = True
            chance = 1.0
        else:
            chance = incident_chance(p, st, key, tc.inc_add.get(key, 0.0), tc.inc_mult.get(key, 1.0))
            hit, _ = tc.dice.chance("incidents", eid, 0, chance)
        if not hit:
            continue
        dice = tc.dice.dice("incidents", eid, 1, 2, 6)
        sev = sum(dice) + (d.T - sv.get("T_ref", 50)) / sv.get("T_div", 10) - d.C / sv.get("C_div", 25)
        for f, v in sv.get("flag_mods", {}).items():
            if f in d.flags:
                sev += v
        row = severity_row(p, sev)
        a, b = key.split("-")
        ck = ("incident", key, row["name"])
        effects = p.cache.get(ck)
        if effects is None:
            effects = p.cache[ck] = ({"var": "T", "dyad": [a, b], "delta": row["dT"], "attr": "incident"},
                                     {"op": "rung", "dyad": [a, b], "rung": row["rung"]})
        tc.run_event(eid, "incidents", "incident", effects, {"self": None, "target": None, "_k": 2}, buf,
                     teams=[a, b], audience="all",
                     text=f"Incident {a}–{b}: {row['name']} (severity {sev:.1f}{', forced roll' if forced else ''})",
                     extra={"severity": round(sev, 3), "chance": round(chance, 4), "incident": row["name"],
                            "zone": _shared_zone(st, a, b), "label": row["name"]})
    tc.apply_buffer(buf)


def _shared_zone(st, a, b):
    """Where the two sides' forces met: the first zone (in map order) holding both."""
    for zone, forces in st.presence.items():
        if forces.get(a) and forces.get(b):
            return zone
    return None
