"""Bots for empty seats: a few written policies per actor that give a team's orders and its crisis choice.

Pure and deterministic: the same scenario, state, policy, seed and turn always give the same orders. Every
order a bot gives comes from `available_actions` and passes `check_orders` (legal now and within the team's
RP), so the app can put it through the same validation as a player's order.

The policies (the same four for every actor; the words the console shows are per actor, in BOT_POLICIES):

- status_quo: one routine move a turn, the one the actor makes as a matter of course (§12's "Routine":
  China's strait transit, Japan's shadowing of China, Russia's bastion patrol); no new pressure, no offer.
  In a crisis sub-turn it holds.
- hawk: two pressure moves a turn aimed at its main rival (the actor it has the highest tension with), the
  strongest its RP allows; rung-3 moves (readiness, detentions) only once tension with the rival is 60 or
  more. In a crisis it holds, and uses limited force only at the brink: the dyad already at rung 5, its navy
  at least 10 points stronger than the other side's and its public behind it (D >= 60). It never backs down
  first. A seminar reads that as a credible hard-liner: it does not start a war, it does not blink.
- dove: two calming moves a turn towards its main rival (protocol reviews, hotlines, notifying exercises,
  2+2 meetings, fisheries), bilateral offers first. In a crisis it de-escalates.
- mirror: tit for tat. It answers each order the other side aimed at it last turn in kind: a military move
  with a military move of the same rung or lower, a protest or a sanction with one of its own, an offer with
  the same offer (so a bilateral proposal is agreed) or another calming move. With nothing aimed at it, it
  keeps the status quo. In a crisis it copies the other side's choice (this sub-turn's if already made, else
  its last one), or holds.
"""
from __future__ import annotations

import random

from .orders import MAX_ORDERS, Order, available_actions, check_orders, effective_cost, order_problem, preview_state

BOT_POLICY_NAMES = ("status_quo", "hawk", "dove", "mirror")
_ACTOR_NAMES = {"JPN": "Japan", "RUS": "Russia", "CHN": "China", "USA": "the United States", "KOR": "South Korea"}
# The routine move of each actor (status quo), most usual first: (action, target or None for "the rival").
_ROUTINE = {
    "JPN": (("M9", "CHN"), ("D7", None)),
    "RUS": (("M4", None), ("D7", None)),
    "CHN": (("M7", None), ("D7", None)),
    "USA": (("D7", None), ("M9", None)),
    "KOR": (("D7", None), ("M9", None)),
}
_ROUTINE_WORDS = {
    "JPN": "shadows Chinese ships (ISR)",
    "RUS": "sends a Borei submarine on deterrent patrol",
    "CHN": "sends a flotilla through a strait",
    "USA": "notifies its exercises",
    "KOR": "notifies its exercises",
}
# Calming actions a dove prefers, first first (only those an actor may take are used).
_DOVE_FIRST = ("D3", "D4", "D1", "E5", "D7", "D9", "D2", "I2", "E1", "E2", "E4", "D5")
# Actions bots never order: a third party to name (D8), hidden submarine placements (S1, S2).
_SKIP = frozenset({"D8", "S1", "S2"})


def _describe(code) -> dict:
    name = _ACTOR_NAMES.get(code, code)
    routine = _ROUTINE_WORDS.get(code, "makes one routine move")
    return {
        "status_quo": f"Status quo: {name} keeps to its routine: each turn it {routine}, and nothing more. "
                      "No new pressure, no new offer. In a crisis it holds.",
        "hawk": f"Hawk: {name} presses its main rival (the state it has the highest tension with) with two "
                "military or pressure moves a turn, the strongest its resources allow; readiness and detentions "
                "only once tension is 60 or more. In a crisis it holds, and uses limited force only at the brink "
                "(rung 5) with the stronger navy and its public behind it. It never backs down first.",
        "dove": f"Dove: {name} tries to calm its most tense relationship: two calming moves a turn (protocol "
                "reviews, hotlines, notifying exercises, meetings), offers first. In a crisis it de-escalates.",
        "mirror": f"Mirror: {name} answers in kind what was aimed at it last turn: a military move with a "
                  "military move, a protest with a protest, an offer with the same offer. Otherwise it keeps "
                  "its routine. In a crisis it copies the other side's choice, or holds.",
    }


BOT_POLICIES = {code: _describe(code) for code in ("JPN", "RUS", "CHN", "USA", "KOR")}


class BotError(ValueError):
    """An unknown bot policy or team."""


def bot_policies(code) -> dict:
    """{policy name: description} for an actor (any code gets the generic words)."""
    return BOT_POLICIES.get(code) or _describe(code)


def check_policy(team, policy) -> str:
    if policy not in BOT_POLICY_NAMES:
        raise BotError(f"{team}: unknown bot policy {policy!r} (policies: {', '.join(BOT_POLICY_NAMES)})")
    return policy


# ---------------------------------------------------------------- orders


def _rival(state, team) -> str | None:
    """The actor this team has the highest tension with (ties: the lower code)."""
    best = None
    for key, d in sorted(state.dyads.items()):
        a, b = key.split("-")
        if team not in (a, b):
            continue
        other = b if a == team else a
        if best is None or d.T > best[0]:
            best = (d.T, other)
    return best[1] if best else None


def _tension(state, a, b) -> float:
    from .state import dyad_key
    d = state.dyads.get(dyad_key(a, b))
    return d.T if d else 0.0


def _candidates(scenario, state, team, number):
    """[(spec, Order)] every usable action with every target that is legal now (budget per action)."""
    preview = preview_state(scenario, state)
    out = []
    for spec, usable, _reason in available_actions(scenario, state, team):
        if not usable or spec.key in _SKIP:
            continue
        targets = spec.zones or spec.allowed_targets(team) or (None,)
        for t in targets:
            o = Order(team, spec.key, t)
            if order_problem(scenario, preview, team, o, turn=number) is None:
                out.append((spec, o))
    return out, preview


def _pick(scenario, preview, team, ranked, limit=MAX_ORDERS):
    """Take orders from `ranked` in order: distinct actions, within RP, checked as a whole."""
    chosen, spent = [], 0
    budget = preview.rp.get(team, 0)
    for spec, o in ranked:
        if len(chosen) >= limit:
            break
        if any(c.action == o.action for c in chosen):
            continue
        cost = effective_cost(scenario, preview, o.action)
        if spent + cost > budget:
            continue
        chosen.append(o)
        spent += cost
    return chosen


def _status_quo(cands, team, rival, rng):
    ranked = []
    for key, tgt in _ROUTINE.get(team, ()) + (("D7", None),):
        want = tgt or rival
        match = [(s, o) for s, o in cands if s.key == key and (o.target == want or s.zones or o.target is None)]
        if match:
            ranked.append(match[0] if not match[0][0].zones else rng.choice(match))
            break
    return ranked, 1


def _hawk(cands, team, rival, rng, state):
    hot = rival is not None and _tension(state, team, rival) >= 60
    pool = [(s, o) for s, o in cands if s.category in ("military", "information", "economic") and s.rung >= 1
            and not s.bilateral and (s.rung < 3 or hot)
            and (o.target == rival or o.target is None or s.zones)]
    rng.shuffle(pool)
    pool.sort(key=lambda so: (-so[0].rung, so[1].target != rival))
    return pool, MAX_ORDERS


def _dove(cands, team, rival, rng):
    pool = [(s, o) for s, o in cands if s.rung <= 0 and s.category != "military"
            and (o.target is None or o.target == rival or not rival)]
    if not pool:  # no calming move towards the rival: any calming move
        pool = [(s, o) for s, o in cands if s.rung <= 0 and s.category != "military"]
    rng.shuffle(pool)
    first = {k: i for i, k in enumerate(_DOVE_FIRST)}
    pool.sort(key=lambda so: (first.get(so[0].key, len(first)), so[1].target != rival))
    return pool, MAX_ORDERS


def _answer(cands, scenario, incoming, rng):
    """The orders that answer one order aimed at this team, best first."""
    spec = scenario.actions.get(incoming.action)
    if spec is None:
        return []
    at = [(s, o) for s, o in cands if o.target == incoming.team]
    if spec.rung <= 0:  # an offer or a calming move: the same offer if we can make it, else another calming move
        same = [(s, o) for s, o in at if s.key == spec.key]
        calm = [(s, o) for s, o in at if s.rung <= 0 and s.category != "military" and s.key != spec.key]
        rng.shuffle(calm)
        return same + calm
    if spec.category == "military":
        pool = [(s, o) for s, o in at if s.category == "military" and 1 <= s.rung <= spec.rung and not s.bilateral]
    else:  # a protest, a narrative campaign, a sanction: pressure of the same kind
        pool = [(s, o) for s, o in at if s.category != "military" and 1 <= s.rung <= spec.rung and not s.bilateral]
        pool = pool or [(s, o) for s, o in at if s.key in ("D6", "I1")]
    rng.shuffle(pool)
    pool.sort(key=lambda so: (spec.rung - so[0].rung, so[0].category != spec.category))
    return pool


def _mirror(cands, scenario, team, rival, rng, last_orders):
    incoming = [o for o in (last_orders or ()) if isinstance(o, Order) and o.team != team and o.target == team
                and o.action in scenario.actions]
    if not incoming:
        return _status_quo(cands, team, rival, rng)
    incoming.sort(key=lambda o: (-scenario.actions[o.action].rung, o.sort_key()))
    ranked = []
    for o in incoming[:MAX_ORDERS]:
        answers = [a for a in _answer(cands, scenario, o, rng) if a not in ranked]
        if answers:
            ranked.append(answers[0])
    return ranked, MAX_ORDERS


def bot_orders(scenario, state, team, policy, *, seed, turn=None, last_orders=None) -> list:
    """The orders a bot gives for the turn after `state` (turn number `turn`, default state.turn + 1).

    `last_orders`: every team's catalogue Orders of the turn before (mirror answers those aimed at it).
    Deterministic from (seed, turn, team, policy). Every order is legal now and the set is within RP.
    """
    check_policy(team, policy)
    if state.ended or team not in scenario.team_codes:
        return []
    number = turn if turn is not None else state.turn + 1
    rng = random.Random(f"bot:{seed}:{number}:{team}:{policy}")
    cands, preview = _candidates(scenario, state, team, number)
    rival = _rival(state, team)
    if policy == "status_quo":
        ranked, limit = _status_quo(cands, team, rival, rng)
    elif policy == "hawk":
        ranked, limit = _hawk(cands, team, rival, rng, preview)
    elif policy == "dove":
        ranked, limit = _dove(cands, team, rival, rng)
    else:
        ranked, limit = _mirror(cands, scenario, team, rival, rng, last_orders)
    orders = _pick(scenario, preview, team, ranked, limit)
    while orders and check_orders(scenario, state, team, orders):  # never give an order the checks refuse
        orders.pop()
    return orders


# ---------------------------------------------------------------- crisis

HAWK_NAVY_EDGE = 10
HAWK_HOME_SUPPORT = 60
HAWK_BRINK_RUNG = 5


def bot_crisis_choice(scenario, state, team, policy, dyad, *, other_choice=None) -> str:
    """"deescalate", "hold" or "escalate" for `team` in the crisis sub-turn of `dyad` ("CHN-JPN").

    `other_choice`: the other side's choice (this sub-turn's if made, else its last one), for mirror."""
    check_policy(team, policy)
    a, b = dyad.split("-")
    other = b if team == a else a
    if policy == "dove":
        return "deescalate"
    if policy == "mirror":
        return other_choice if other_choice in ("deescalate", "hold", "escalate") else "hold"
    if policy == "hawk":
        d = state.dyads.get(dyad)
        me, them = state.actors.get(team), state.actors.get(other)
        if d is None or me is None or them is None:
            return "hold"
        at_brink = d.rung >= HAWK_BRINK_RUNG
        stronger = me.vars.get("N", 0) >= them.vars.get("N", 0) + HAWK_NAVY_EDGE
        backed = me.vars.get("D", 0) >= HAWK_HOME_SUPPORT
        return "escalate" if at_brink and stronger and backed else "hold"
    return "hold"
