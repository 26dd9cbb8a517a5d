"""Forecast: the next 1–4 turns played many times from one state, each team's orders repeated, summarised so
that summaries of chunks of runs merge exactly (pure: no Django, no clock).

A run's seed is a stable hash of (exercise seed, forecast number, run index), so the merged result depends
only on the runs, never on how they were chunked or in which order the chunks came back:

- T after each turn, per dyad, is counted in half-point bins (a histogram: counts add);
- a crisis (the dyad in a crisis sub-turn after the turn, or a crisis outcome during it) and rung 6–7 are
  counted per dyad per turn, and once per run ("in any turn");
- incidents are counted per (dyad, incident) as the number of runs in which one happened at least once.

A game that ends early (rung 7, a treaty) keeps its final state for the turns left. A team handed to a bot
orders by its policy each turn (and chooses in crises) rather than repeating its orders.
"""
from __future__ import annotations

import hashlib

from .orders import Order
from .resolve import resolve_turn
from .simulate import Policy
from .state import GameState, dyad_key

BIN = 0.5  # T is counted in bins this wide: the fan chart's resolution
HIGH_RUNG = 6
MAX_TURNS = 4
TOP_INCIDENTS = 8


def run_seed(exercise_seed, number, index) -> int:
    """The seed of run `index` of forecast `number` of an exercise: stable across processes and versions."""
    key = f"forecast|{exercise_seed}|{number}|{index}"
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


def read_orders(orders_by_team) -> list:
    """[Order] from {team: ["M2", "D1:RUS", "M7:okhotsk"], ...} (KEY or KEY:TARGET or KEY:TARGET:THIRD)."""
    out = []
    for team in sorted(orders_by_team or {}):
        for text in orders_by_team[team]:
            parts = [p.strip() for p in str(text).split(":")]
            if not parts[0]:
                continue
            out.append(Order(team, parts[0].upper(), parts[1] if len(parts) > 1 and parts[1] else None,
                             parts[2].upper() if len(parts) > 2 and parts[2] else None))
    return out


def _bin(t) -> str:
    return str(int(round(t / BIN)))


def run_chunk(scenario, state_dict, orders_by_team, *, turns, seeds, turn_limit=None, bots=None) -> dict:
    """Play `turns` turns from the state once per seed; a JSON-safe summary that `merge` adds up exactly.

    seeds: the runs' seeds (run_seed of their indexes). turn_limit: the exercise's last turn (the scenario's
    when None): a forecast past it stops where the game would. bots: {team: bot policy name}: those teams
    order each turn by their policy (answering the turn before, as at the table) and choose in crises,
    instead of repeating orders; their entries in orders_by_team are ignored."""
    turns = max(1, min(MAX_TURNS, int(turns)))
    start = GameState.from_dict(state_dict)
    bot_policy = Policy(steps={}, crisis={}, bots=dict(bots)) if bots else None
    orders = read_orders({t: o for t, o in (orders_by_team or {}).items() if t not in (bots or {})})
    keys = sorted(start.dyads)
    hist = {k: [{} for _ in range(turns)] for k in keys}
    crisis = {k: [0] * turns for k in keys}
    high = {k: [0] * turns for k in keys}
    crisis_any = dict.fromkeys(keys, 0)
    high_any = dict.fromkeys(keys, 0)
    incidents = {}
    ended = 0
    for seed in seeds:
        st = start
        seen_crisis, seen_high, seen_inc = set(), set(), set()
        last_orders, last_crisis = [], {}
        for i in range(turns):
            if not st.ended:
                given, choices = orders, None
                if bot_policy is not None:
                    mine = bot_policy.bot_orders_for(scenario, st, seed=seed, last_orders=last_orders)
                    given = orders + mine
                    choices = bot_policy.crisis_for(scenario, st, last_crisis)
                    if st.crisis:
                        last_crisis = choices
                    last_orders = given
                res = resolve_turn(scenario, st, given, seed=seed, turn_limit=turn_limit, crisis_choices=choices)
                st = res.state
                outcome = set()
                for e in res.events:
                    kind = e["kind"]
                    if kind == "incident" and len(e["teams"]) == 2:
                        seen_inc.add((dyad_key(*e["teams"]), e.get("incident") or e["id"]))
                    elif kind == "crisis_outcome" and len(e["teams"]) == 2:
                        outcome.add(dyad_key(*e["teams"]))
                in_crisis = set(st.crisis) | outcome
            else:
                in_crisis = set()
            for k in keys:
                d = st.dyads[k]
                h = hist[k][i]
                b = _bin(d.T)
                h[b] = h.get(b, 0) + 1
                if k in in_crisis:
                    crisis[k][i] += 1
                    seen_crisis.add(k)
                if d.rung >= HIGH_RUNG:
                    high[k][i] += 1
                    seen_high.add(k)
        if st.ended:
            ended += 1
        for k in seen_crisis:
            crisis_any[k] += 1
        for k in seen_high:
            high_any[k] += 1
        for key in seen_inc:
            name = f"{key[0]}|{key[1]}"
            incidents[name] = incidents.get(name, 0) + 1
    return {"runs": len(seeds), "turns": turns, "start": {k: start.dyads[k].T for k in keys},
            "from_turn": start.turn, "hist": hist, "crisis": crisis, "high": high, "crisis_any": crisis_any,
            "high_any": high_any, "incidents": incidents, "ended": ended}


def _add(a, b):
    """Sum two summaries' counts (dicts of ints, lists of ints, nested)."""
    if isinstance(a, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _add(out[k], v) if k in out else v
        return out
    if isinstance(a, list):
        return [_add(x, y) for x, y in zip(a, b, strict=True)]
    return a + b


def _quantile(counts, n, pct) -> float:
    """The pct-th percentile (nearest rank) of sorted histogram counts [(bin, count)] of n values."""
    rank = max(1, -(-pct * n // 100))
    seen = 0
    for b, c in counts:
        seen += c
        if seen >= rank:
            return b * BIN
    return counts[-1][0] * BIN


def merge(summaries, *, dyads=None, top=TOP_INCIDENTS) -> dict:
    """The result of a forecast from its chunks' summaries (any order): per dyad per turn the median and the
    50% and 90% bands of T, the chances of a crisis and of rung 6–7, and the most likely incidents."""
    summaries = list(summaries)
    if not summaries:
        raise ValueError("nothing to merge")
    total = summaries[0]
    for s in summaries[1:]:
        if s["turns"] != total["turns"] or s["start"] != total["start"]:
            raise ValueError("summaries of different forecasts")
        total = {**total, **{k: _add(total[k], s[k]) for k in
                             ("runs", "hist", "crisis", "high", "crisis_any", "high_any", "incidents", "ended")}}
    n = total["runs"]
    keys = sorted(total["hist"])
    out_dyads = {}
    for k in keys:
        rows = []
        for i, h in enumerate(total["hist"][k]):
            counts = sorted((int(b), c) for b, c in h.items())
            q = {name: _quantile(counts, n, p) for name, p in
                 (("p05", 5), ("p25", 25), ("p50", 50), ("p75", 75), ("p95", 95))}
            rows.append({"turn": total["from_turn"] + i + 1, **q,
                         "crisis": total["crisis"][k][i] / n, "high": total["high"][k][i] / n})
        out_dyads[k] = {"start": total["start"][k], "turns": rows,
                        "crisis": total["crisis_any"][k] / n, "high": total["high_any"][k] / n}
    incidents = sorted(((c, name) for name, c in total["incidents"].items()), key=lambda x: (-x[0], x[1]))
    return {
        "runs": n, "turns": total["turns"], "from_turn": total["from_turn"],
        "dyads": out_dyads, "charted": [d for d in (dyads or ()) if d in out_dyads],
        "ended": total["ended"] / n,
        "incidents": [{"dyad": name.split("|", 1)[0], "incident": name.split("|", 1)[1], "chance": c / n}
                      for c, name in incidents[:top]],
    }
