"""Straits as chokepoints (scenarios with `straits:`), before the categories run.

A transit is an action with `{op: transit}` whose zone is one of the scenario's straits (M7 in the Sea of
Okhotsk). It is **seen** when another team has task groups in that strait at the start of the orders, orders a
watch on the transiting team (an action listed in `transits.watch`, M9) or bars the strait this turn: a
"transit" event goes to the watchers and the transiting team (`seen_by` names the watchers). An unseen transit
is told only to the transiting team, and its action event is narrowed to that team.

A barrier is an action with `{op: barrier}` on a strait (M11). Each barrier on the strait of a transit is one
d100 draw, event id `t{n}:barrier:{BARRIER}:{TRANSITING}`:
  chance of blocking = clamp(base + per_point·(N(barrier) − N(transiting)), min, max)
Blocked: the transit does not take place (its effects do not run), the transiting team's AX and
T(transiting, barrier) move by `transits.blocked` (T attributed to events), event kind "transit_blocked"
(audience all). Passed: event kind "transit_passed" (audience the two teams).
"""
from __future__ import annotations

from ..effects import Buffer, Scope
from ..messages import msg


def _zone_ops(spec, op):
    return [e for e in getattr(spec, "effects", ()) if e.get("op") == op]


def _zone(action, e):
    return action.scope.zone if e.get("zone") == "target" else e.get("zone")


def check_transits(turn, actions) -> list:
    """The actions that go ahead (blocked transits removed); records the transit and barrier events."""
    params = turn.params
    straits = params.straits
    if not straits:
        return actions
    rules = turn.scenario.rules.get("transits") or {}
    watch_keys = set(rules.get("watch", ("M9",)))
    state = turn.state
    number = turn.number
    barriers = {}  # zone -> [team]
    watches = {}  # watched team -> {watcher}
    for action in actions:
        if len(action.teams) != 1:
            continue
        team = action.teams[0]
        for e in _zone_ops(action.spec, "barrier"):
            zone = _zone(action, e)
            if zone in straits:
                barriers.setdefault(zone, []).append(team)
        if action.spec.key in watch_keys and action.scope.target:
            watches.setdefault(action.scope.target, set()).add(team)
    kept = []
    for action in actions:
        ops = _zone_ops(action.spec, "transit") if len(action.teams) == 1 else []
        zone = _zone(action, ops[0]) if ops else None
        if zone not in straits:
            kept.append(action)
            continue
        team = action.teams[0]
        forces = state.presence.get(zone, {})
        barring = sorted(set(b for b in barriers.get(zone, ()) if b != team))
        seen_by = sorted({c for c in params.teams if c != team and forces.get(c, 0) > 0}
                         | watches.get(team, set()) | set(barring))
        transit_id = f"t{number}:transit:{team}:{zone}"
        if seen_by:
            turn.record(transit_id, "orders", "transit", [team] + seen_by, sorted(seen_by + [team]),
                        msg("transit_seen", team=team, zone=zone, seen_by=list(seen_by)),
                        zone=zone, team=team, seen=True, seen_by=seen_by)
        else:
            action.audience = [team]
            turn.record(transit_id, "orders", "transit", [team], [team],
                        msg("transit_unseen", team=team, zone=zone), zone=zone, team=team, seen=False,
                        seen_by=[])
        blocked = False
        for barrier in barring:
            if _barrier_roll(turn, rules.get("block") or {}, rules.get("blocked") or {}, barrier, team, zone):
                blocked = True
                break
        if not blocked:
            kept.append(action)
            state.tally[f"transits:{team}"] = state.tally.get(f"transits:{team}", 0) + 1
    return kept


def _barrier_roll(turn, block, sizes, barrier, team, zone) -> bool:
    state = turn.state
    event_id = f"t{turn.number}:barrier:{barrier}:{team}"
    gap = state.actors[barrier].vars.get("N", 0.0) - state.actors[team].vars.get("N", 0.0)
    p = block.get("base", 0.5) + block.get("per_point", 0.01) * gap
    p = round(max(block.get("min", 0.1), min(block.get("max", 0.9), p)), 4)
    hit, roll = turn.dice.chance("barrier", event_id, 0, p)
    turn.dice.draws[-1]["chance"] = p
    fields = {"zone": zone, "team": team, "barrier": barrier, "chance": p, "roll": roll, "blocked": hit}
    if not hit:
        turn.record(event_id, "orders", "transit_passed", [team, barrier], sorted([team, barrier]),
                    msg("transit_passed", team=team, barrier=barrier, zone=zone, roll=roll, chance=p * 100),
                    **fields)
        return False
    effects = []
    if sizes.get("AX") and "AX" in state.actors[team].vars:
        effects.append({"var": "AX", "of": team, "delta": sizes["AX"]})
    if sizes.get("T"):
        effects.append({"var": "T", "dyad": [team, barrier], "delta": sizes["T"], "attr": "events"})
    buffer = Buffer()
    turn.run_event(event_id, "orders", "transit_blocked", tuple(effects), Scope(actor=barrier, target=team), buffer,
                   teams=[team, barrier], audience="all",
                   text=msg("transit_blocked", barrier=barrier, team=team, zone=zone, roll=roll, chance=p * 100),
                   extra=fields)
    turn.apply(buffer)
    tally = state.tally
    tally[f"blocked:{team}"] = tally.get(f"blocked:{team}", 0) + 1
    return True
