"""Batch simulation with a fixed policy per team (used by `manage.py simulate` and the §10 tests).

A policy maps a team code to the list of catalogue actions it orders EVERY turn; a targeted or
bilateral action names the counterpart after a colon ("D1:RUS"), D8 may name a third party
("D8:USA:CHN") and M7 a zone ("M7:okhotsk"). At most two actions per team.
"""
from __future__ import annotations

import json

from .orders import MAX_ORDERS, EngineInputError, Order, static_problem
from .perception import game_date
from .resolve import resolve_turn
from .state import band_name


class PolicyError(EngineInputError):
    """A policy that can never be valid."""


def parse_policy(scenario, policy) -> dict:
    """{team: (Order, ...)} from a dict or a JSON string. Raises PolicyError with a one-line reason."""
    if policy is None:
        return {}
    if isinstance(policy, (str, bytes)):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError as e:
            raise PolicyError(f"policy is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    if not isinstance(policy, dict):
        raise PolicyError("policy must be a JSON object mapping team codes to lists of actions")
    out = {}
    teams = scenario.team_codes
    for team, acts in policy.items():
        if team not in teams:
            raise PolicyError(f"unknown team {team!r} (teams: {', '.join(teams)})")
        if isinstance(acts, str):
            acts = [acts]
        if not isinstance(acts, list) or not all(isinstance(a, str) for a in acts):
            raise PolicyError(f"{team}: expected a list of action names such as [\"M2\", \"D1:RUS\"]")
        if len(acts) > MAX_ORDERS:
            raise PolicyError(f"{team}: at most {MAX_ORDERS} actions a turn, got {len(acts)}")
        orders = []
        for a in acts:
            parts = a.strip().split(":")
            if len(parts) > 3 or not parts[0]:
                raise PolicyError(f"{team}: cannot read action {a!r} (write KEY or KEY:TARGET)")
            key = parts[0].strip().upper()
            target = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
            if target and key in scenario.actions and not scenario.actions[key].zones:
                target = target.upper()
            third = parts[2].strip().upper() if len(parts) > 2 and parts[2].strip() else None
            o = Order(team, key, target, third)
            prob = static_problem(scenario, team, o)
            if prob:
                raise PolicyError(f"{team}: {prob}")
            if any(x.action == key for x in orders):
                raise PolicyError(f"{team}: {key} listed twice")
            orders.append(o)
        out[team] = tuple(orders)
    return out


def _r(x):
    return round(x, 4) if isinstance(x, float) else x


def turn_record(state, attribution=None, events=()) -> dict:
    actors = {}
    for code, a in state.actors.items():
        row = {k: _r(v) for k, v in a.vars.items()}
        if code in state.rp:
            row["RP"] = state.rp[code]
        actors[code] = row
    dyads = {}
    attr = {}
    for key in sorted(state.dyads):
        d = state.dyads[key]
        dyads[key] = {"IL": _r(d.IL), "T": _r(d.T), "C": _r(d.C), "E": _r(d.E), "rung": d.rung,
                      "band": band_name(d.IL), "flags": sorted(d.flags)}
        a = (attribution or {}).get(key)
        attr[key] = {k: _r(a[k]) if a else 0.0 for k in ("direct", "spillover", "incident", "drift")}
    return {
        "turn": state.turn,
        "actors": actors,
        "dyads": dyads,
        "attribution": attr,
        "events": [{"id": e["id"], "kind": e["kind"], "text": e["text"]} for e in events],
    }


def run(scenario, policy=None, *, turns=8, seed=0, state=None, argued_mode=None):
    """Play `turns` turns with the policy. Returns (report dict, [TurnResult])."""
    orders_by_team = parse_policy(scenario, policy) if not (isinstance(policy, dict) and policy and all(
        isinstance(v, tuple) and all(isinstance(o, Order) for o in v) for v in policy.values())) else policy
    orders = [o for team in sorted(orders_by_team) for o in orders_by_team[team]]
    st = state if state is not None else scenario.initial_state()
    rec = turn_record(st)
    rec["date"] = game_date(scenario, st.turn)
    report = {"scenario": scenario.slug, "seed": seed, "turns": [rec]}
    results = []
    limit = max(turns + st.turn, 1)
    for _ in range(turns):
        if st.ended:
            break
        res = resolve_turn(scenario, st, orders, seed=seed, turn_limit=limit, argued_mode=argued_mode)
        results.append(res)
        st = res.state
        rec = turn_record(st, res.attribution, res.events)
        rec["date"] = game_date(scenario, st.turn)
        report["turns"].append(rec)
    report["ended"] = st.ended
    return report, results


def simulate(scenario, policy=None, *, turns=8, seed=0, state=None) -> dict:
    """The JSON-ready report of a simulated run (turn 0 is the baseline)."""
    return run(scenario, policy, turns=turns, seed=seed, state=state)[0]


CORE_DYADS = ("JPN-RUS", "CHN-JPN", "CHN-RUS")


def format_table(report: dict, all_dyads: bool = False) -> str:
    """A readable table per turn."""
    lines = [f"Scenario {report['scenario']}, seed {report['seed']}"]
    for t in report["turns"]:
        lines.append("")
        lines.append(f"== Turn {t['turn']} ({t.get('date', '')}){' — baseline' if t['turn'] == 0 else ''}")
        lines.append(f"{'dyad':<8} {'IL':>6} {'T':>6} {'C':>6} {'E':>6} {'rung':>4}  {'band':<16}"
                     f"{'ΔT dir':>7} {'spill':>6} {'inc':>6} {'drift':>6}  flags")
        keys = sorted(t["dyads"]) if all_dyads else [k for k in sorted(t["dyads"]) if k in CORE_DYADS or "PRK" not in k]
        for k in keys:
            d = t["dyads"][k]
            a = t["attribution"][k]
            lines.append(f"{k:<8} {d['IL']:6.1f} {d['T']:6.1f} {d['C']:6.1f} {d['E']:6.1f} {d['rung']:>4}  "
                         f"{d['band']:<16}{a['direct']:7.1f} {a['spillover']:6.1f} {a['incident']:6.1f} "
                         f"{a['drift']:6.1f}  {','.join(d['flags'])}")
        for code, vs in t["actors"].items():
            lines.append(f"  {code}: " + "  ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} {v}"
                                                   for k, v in vs.items()))
        for e in t["events"]:
            if e["kind"] in ("action", "inject", "incident", "crisis", "band_change", "end", "not_carried_out",
                             "opposed", "trigger", "argued"):
                lines.append(f"  - {e['text'].splitlines()[0][:160]}")
    if report.get("ended"):
        lines.append("")
        lines.append(f"Ended: {report['ended']}")
    return "\n".join(lines)
