"""Fog of war (§4.9), objectives (§9) and the game calendar."""
from __future__ import annotations

import random

from .conditions import eval_cond
from .rng import draw_seed
from .state import band_name, dyad_key

PERCEIVED_VARS = ("N", "ASW")


def intel_mult(state, viewer: str, other: str) -> float:
    """Product of the intelligence modifiers in force for viewer looking at other."""
    m = 1.0
    prefix = f"intel:{viewer}>{other}|"
    for k, (v, until) in state.mods.items():
        if k.startswith(prefix) and (until is None or until >= state.turn):
            m *= v
    return m


def perceive(scenario, state, viewer: str, *, seed) -> dict:
    """What `viewer` knows: own state exact; others' N, ASW and zone presence with noise
    ±(100 − C)/10 (C = viewer's C with that actor), deterministic given seed; marked as estimates."""
    p = scenario.params
    own = state.actors[viewer].vars
    out = {
        "viewer": viewer,
        "turn": state.turn,
        "own": {"vars": dict(own), "rp": state.rp.get(viewer)},
        "actors": {},
        "presence": {},
        "dyads": {},
        # hidden submarines: only the viewer's own positions and the viewer's own detections, never others'
        "hidden": hidden_positions(state, viewer),
        "contacts": own_contacts(state, viewer),
    }
    amp = {}
    for code in p.actors:
        if code == viewer:
            out["actors"][code] = {v: {"value": x, "estimate": False} for v, x in own.items()}
            continue
        d = state.dyads.get(dyad_key(viewer, code))
        c = d.C if d else 0.0
        a = (100.0 - c) / 10.0 * intel_mult(state, viewer, code)
        amp[code] = a
        est = {}
        for var in PERCEIVED_VARS:
            true = state.actors[code].vars.get(var)
            if true is None:
                continue
            if a <= 0:
                est[var] = {"value": true, "estimate": False, "noise": 0.0}
                continue
            rng = random.Random(draw_seed(seed, state.turn, "perceive", f"{viewer}>{code}:{var}", 0))
            v = true + rng.uniform(-a, a)
            est[var] = {"value": round(max(0.0, min(100.0, v))), "estimate": True, "noise": round(a, 2)}
        out["actors"][code] = est
    for zone in p.zones:
        forces = state.presence.get(zone, {})
        z = {}
        for code in p.actors:
            n = forces.get(code, 0)
            if code == viewer:
                if n:
                    z[code] = {"value": n, "estimate": False}
                continue
            a = amp.get(code, 0.0) / 10.0  # task groups: the same noise, on a 0-10 scale
            if a <= 0:
                if n:
                    z[code] = {"value": n, "estimate": False}
                continue
            rng = random.Random(draw_seed(seed, state.turn, "perceive", f"{viewer}>{code}:{zone}", 0))
            v = max(0, round(n + rng.uniform(-a, a)))
            if v or n:
                z[code] = {"value": v, "estimate": True, "noise": round(a, 2)}
        out["presence"][zone] = z
    for key, d in state.dyads.items():
        if viewer in key.split("-"):
            out["dyads"][key] = {"IL": d.IL, "T": d.T, "C": d.C, "E": d.E, "rung": d.rung,
                                 "band": band_name(d.IL), "flags": sorted(d.flags), "estimate": False}
        else:  # other dyads: only what is public (rung and band)
            out["dyads"][key] = {"rung": d.rung, "band": band_name(d.IL), "estimate": True}
    return out


def hidden_positions(state, team: str) -> list:
    """The zones of this team's own hidden submarines ([] if none). Never another team's."""
    return list(state.hidden.get(team, ()))


def own_contacts(state, team: str) -> list:
    """This team's own detections, oldest first: [{"zone", "turn", "hunted"}]. Never another team's."""
    return [dict(c) for c in state.contacts.get(team, ())]


def public_presence(scenario, public_events=()) -> dict:
    """The room's picture of the theatre, built from public information only.

    That is the declared peacetime deployment in the scenario (what any order-of-battle
    reference lists) plus the presence changes announced by the last published turn's public
    events (audience "all"). Every presence change in the model lasts one turn, so the last
    turn's announcements are all that is current. Secret moves, and White's truth, stay out.
    """
    picture = {zone: dict(forces) for zone, forces in scenario.initial_state().presence.items()}
    for event in public_events:
        if event.get("audience") != "all":
            continue
        for change in event.get("changes", ()):
            if len(change) == 4 and change[3] == "presence" and change[0] in picture:
                zone, code, delta = change[0], change[1], int(change[2])
                forces = picture[zone]
                forces[code] = max(0, forces.get(code, 0) + delta)
                if not forces[code]:
                    del forces[code]
    return picture


def objectives_status(scenario, state, team: str) -> list:
    """[(ObjectiveSpec, met)] for the team's private objectives."""
    return [(o, bool(eval_cond(o.cond, state))) for o in scenario.team(team).objectives]


def game_date(scenario, turn: int) -> str:
    """"Q3 2016" for turn 1 of a scenario starting Q3 2016; turn 0 is the quarter before."""
    idx = (scenario.start_quarter - 1) + (turn - 1)
    return f"Q{idx % 4 + 1} {scenario.start_year + idx // 4}"
