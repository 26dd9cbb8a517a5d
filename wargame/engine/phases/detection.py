"""Hidden submarines (scenarios with `subs:`): this turn's secret placements, then the hunters' detection rolls.

Runs after the military category, so this turn's placements (S1/S2) and hunts (H1, M2's hunt) are known and
the hunter's ASW includes this turn's changes. Per (hunter, hunted) one d100 draw, event id
`t{n}:detection:{HUNTER}:{HUNTED}`, when a submarine of the hunted lies in a zone the hunter hunts:

  chance = clamp(base + per_point·(ASW(hunter) − quieting(hunted)) + extra_hunt·(hunts in that zone − 1),
                 min, max) × (ice when the zone is iced this turn)

A hit (d100 ≤ 100·chance) is a "detection" event for the hunter (BS of the hunted and T(hunter, hunted) move,
attributed to events; bigger for a trail: the same hunter found the same submarine last turn) and a "found"
event for the hunted, naming the hunter only when the roll beats the chance by reveal_margin points or more.
A miss is a White-only "detection_miss" event with the same id (the roll and chance, re-rollable). Each hunted
zone without a contact gives the hunter a "no_contact" event whether or not a submarine was there.
"""
from __future__ import annotations

from ..effects import Buffer, Scope
from ..messages import msg
from ..seasons import ice_zones


def detection_phase(turn):
    subs = turn.params.subs
    interpreter = turn.interpreter
    state = turn.state
    number = turn.number
    for team in sorted(interpreter.placements):  # a team that placed no submarine keeps its last zone
        state.hidden[team] = list(interpreter.placements[team])
    if not subs or not interpreter.hunts:
        return
    rules = subs.get("detection") or {}
    quieting = subs.get("quieting") or {}
    iced = set(ice_zones(turn.scenario, number))
    hunts = {}  # hunter -> {zone: number of hunting orders}
    for hunter, zone, _ in interpreter.hunts:
        zones = hunts.setdefault(hunter, {})
        zones[zone] = zones.get(zone, 0) + 1
    for hunter in sorted(hunts):
        zones = hunts[hunter]
        found_in = set()
        for hunted in sorted(state.hidden):
            if hunted == hunter:
                continue
            where = [z for z in state.hidden[hunted] if z in zones]
            if not where:
                continue
            zone = where[0]
            asw = state.actors[hunter].vars.get("ASW", 0.0)
            p = (rules.get("base", 0.3) + rules.get("per_point", 0.01) * (asw - quieting.get(hunted, 50))
                 + rules.get("extra_hunt", 0.0) * (zones[zone] - 1))
            p = max(rules.get("min", 0.05), min(rules.get("max", 0.9), p))
            if zone in iced:
                p *= rules.get("ice", 1.0)
            p = round(p, 4)
            event_id = f"t{number}:detection:{hunter}:{hunted}"
            hit, roll = turn.dice.chance("detection", event_id, 0, p)
            turn.dice.draws[-1]["chance"] = p
            if hit:
                found_in.add(zone)
                _detected(turn, event_id, hunter, hunted, zone, p, roll, rules)
            else:
                turn.record(event_id, "detection", "detection_miss", [hunter], "white",
                            msg("detection_miss", hunter=hunter, hunted=hunted, zone=zone, roll=roll,
                                chance=p * 100),
                            zone=zone, hunter=hunter, hunted=hunted, chance=p, roll=roll)
        for zone in sorted(zones):
            if zone not in found_in:
                turn.record(f"t{number}:hunt:{hunter}:{zone}", "detection", "no_contact", [hunter], [hunter],
                            msg("no_contact", hunter=hunter, zone=zone), zone=zone, hunter=hunter)


def _detected(turn, event_id, hunter, hunted, zone, p, roll, rules):
    state = turn.state
    number = turn.number
    subs = turn.params.subs
    trail = any(c["hunted"] == hunted and c["turn"] == number - 1 for c in state.contacts.get(hunter, ()))
    sizes = subs.get("trail" if trail else "contact") or {}
    effects = []
    if sizes.get("BS") and "BS" in state.actors[hunted].vars:
        effects.append({"var": "BS", "of": hunted, "delta": sizes["BS"]})
    if sizes.get("T"):
        effects.append({"var": "T", "dyad": [hunter, hunted], "delta": sizes["T"], "attr": "events"})
    revealed = roll <= p * 100 - rules.get("reveal_margin", 20)
    buffer = Buffer()
    turn.run_event(event_id, "detection", "detection", tuple(effects), Scope(actor=hunter), buffer,
                   teams=[hunter], audience=[hunter],
                   text=msg("detection_trail" if trail else "detection", hunter=hunter, hunted=hunted, zone=zone,
                            chance=p * 100, roll=roll),
                   extra={"zone": zone, "hunter": hunter, "hunted": hunted, "chance": p, "roll": roll,
                          "trail": trail, "revealed": revealed})
    turn.apply(buffer)
    found = {"zone": zone}
    if revealed:
        found["by"] = hunter
    turn.record(event_id + ":found", "detection", "found", [hunted], [hunted],
                msg("found_by", hunted=hunted, zone=zone, hunter=hunter) if revealed
                else msg("found_unknown", hunted=hunted, zone=zone), **found)
    state.contacts.setdefault(hunter, []).append({"zone": zone, "turn": number, "hunted": hunted})
    tally = state.tally
    for key in (f"detections:{hunter}", f"detected:{hunted}") + ((f"trails:{hunter}",) if trail else ()):
        tally[key] = tally.get(key, 0) + 1
