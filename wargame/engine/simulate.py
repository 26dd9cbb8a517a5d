"""Batch simulation with a fixed policy per team (used by `manage.py simulate`, `calibrate` and the §10 tests).

A policy maps a team code to the list of catalogue actions it orders EVERY turn; a targeted or
bilateral action names the counterpart after a colon ("D1:RUS"), D8 may name a third party
("D8:USA:CHN") and M7 a zone ("M7:okhotsk"). At most two actions per team a turn.

A step may instead be an object: {"order": "D5:RUS", "when": "usable", "turns": "odd"}.
  when:  "always" (default: ordered whether or not it can be carried out, as a player might) or
         "usable" (ordered only when the checks players see say it can be carried out now, within the
         RP the team's earlier steps leave);
  turns: "every" (default), "odd", "even" or a list of turn numbers.
A team's steps are taken in order until it has two orders, so a conditional step listed first takes
priority over the steps after it. Every choice reads only the state the turn starts from: deterministic.
An argued action (one a turn, outside the two orders) is {"argue": TEXT, "turns": [8]}, optionally with
"nearest": KEY and "target": CODE; it is adjudicated in the scenario's default mode with no reasons accepted.

The key "crisis" maps teams to their choice in a crisis sub-turn ("deescalate", "hold" or "escalate";
default "hold").

The key "bots" hands teams to bots by policy name ({"CHN": "hawk"}; engine.bots.BOT_POLICY_NAMES): a bot team's
orders each turn come from `bot_orders` (seeded by the run's seed, answering the turn before's orders) and its
crisis choice from `bot_crisis_choice`. A team is either a bot or has steps, not both.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .bots import BOT_POLICY_NAMES, bot_crisis_choice, bot_orders
from .crisis import crisis_dyads
from .orders import (MAX_ORDERS, ArguedOrder, EngineInputError, Order, effective_cost, order_problem, preview_state,
                     static_problem)
from .effects import ATTR_NAMES
from .perception import game_date
from .resolve import resolve_turn
from .state import band_name

CRISIS_CHOICES = ("deescalate", "hold", "escalate")
DEFAULT_CRISIS_CHOICE = "hold"
STEP_WHEN = ("always", "usable")
STEP_TURNS = ("every", "odd", "even")
_CHECKED_TURNS = range(1, 41)  # the longest game `simulate` plays
MAX_SEEDS = 100_000


class PolicyError(EngineInputError):
    """A policy that can never be valid."""


@dataclass(frozen=True)
class PolicyStep:
    order: object  # Order, or ArguedOrder (outside the two-order limit)
    when: str = "always"
    turns: object = "every"  # "every" | "odd" | "even" | tuple of turn numbers

    def applies(self, turn: int) -> bool:
        if self.turns == "every":
            return True
        if self.turns == "odd":
            return turn % 2 == 1
        if self.turns == "even":
            return turn % 2 == 0
        return turn in self.turns


@dataclass(frozen=True)
class Policy:
    """Each team's steps, and each team's crisis choice (every team listed; "hold" unless the policy says)."""

    steps: dict  # team -> tuple of PolicyStep
    crisis: dict  # team -> one of CRISIS_CHOICES
    bots: dict = field(default_factory=dict)  # team -> bot policy name (engine.bots)

    @property
    def fixed(self) -> bool:
        """True when every turn gets the same orders (no conditional or turn-specific step, no bot)."""
        return not self.bots and all(s.when == "always" and s.turns == "every" for steps in self.steps.values() for s in steps)

    def orders_for(self, scenario, state) -> list:
        """The orders for the turn after `state`, every team's in team order."""
        number = state.turn + 1
        preview = None
        out = []
        for team in sorted(self.steps):
            chosen = []
            spent = 0
            for step in self.steps[team]:
                if not step.applies(number):
                    continue
                if isinstance(step.order, ArguedOrder):
                    out.append(step.order)
                    continue
                if len(chosen) >= MAX_ORDERS:
                    continue
                if preview is None:
                    preview = preview_state(scenario, state)
                usable = order_problem(scenario, preview, team, step.order, turn=number) is None
                cost = effective_cost(scenario, preview, step.order.action) if usable else 0
                if step.when == "usable" and (not usable or spent + cost > preview.rp.get(team, 0)):
                    continue
                chosen.append(step.order)
                spent += cost
            out.extend(chosen)
        return out

    def bot_orders_for(self, scenario, state, *, seed, last_orders=()) -> list:
        """The bot teams' orders for the turn after `state`, in team order."""
        return [o for team in sorted(self.bots)
                for o in bot_orders(scenario, state, team, self.bots[team], seed=seed, last_orders=last_orders)]

    def crisis_for(self, scenario, state, last=None) -> dict:
        """Every team's crisis choice for the sub-turn opening the turn after `state`: the bots' from their
        policies (non-mirror bots first, so a mirror copies them; `last`: the choices of the last sub-turn)."""
        choices = dict(self.crisis)
        if not self.bots:
            return choices
        dyads = crisis_dyads(state)
        for team in sorted(self.bots, key=lambda t: (self.bots[t] == "mirror", t)):
            mine = [k for k in dyads if team in k.split("-")]
            if not mine:
                continue
            dyad = max(mine, key=lambda k: (state.dyads[k].rung if k in state.dyads else 0, k))
            other = next(c for c in dyad.split("-") if c != team)
            other_choice = choices.get(other) if other not in self.bots or self.bots[other] != "mirror" \
                else (last or {}).get(other)
            choices[team] = bot_crisis_choice(scenario, state, team, self.bots[team], dyad, other_choice=other_choice)
        return choices


def read_policy(scenario, policy) -> Policy:
    """A Policy from a dict or a JSON string (None: nobody acts). Raises PolicyError with a one-line reason."""
    if isinstance(policy, Policy):
        return policy
    if policy is None:
        policy = {}
    if isinstance(policy, (str, bytes)):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError as e:
            raise PolicyError(f"policy is not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    if not isinstance(policy, dict):
        raise PolicyError("policy must be a JSON object mapping team codes to lists of actions")
    teams = scenario.team_codes
    crisis = {team: DEFAULT_CRISIS_CHOICE for team in teams}
    crisis.update(_read_crisis(policy.get("crisis"), teams))
    bots = _read_bots(policy.get("bots"), teams)
    steps = {}
    for team, acts in policy.items():
        if team in ("crisis", "bots"):
            continue
        if team in bots:
            raise PolicyError(f"{team} is run by a bot ({bots[team]}): give it steps or a bot, not both")
        if team not in teams:
            raise PolicyError(f"unknown team {team!r} (teams: {', '.join(teams)})")
        if isinstance(acts, (str, dict)):
            acts = [acts]
        if isinstance(acts, tuple) and all(isinstance(a, Order) for a in acts):  # already parsed orders
            acts = list(acts)
        if not isinstance(acts, list) or not all(isinstance(a, (str, dict, Order)) for a in acts):
            raise PolicyError(f"{team}: expected a list of action names such as [\"M2\", \"D1:RUS\"]")
        steps[team] = _read_steps(scenario, team, acts)
    return Policy(steps, crisis, bots)


def _read_bots(given, teams) -> dict:
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise PolicyError('bots: expected an object such as {"CHN": "hawk"}')
    out = {}
    for team, name in given.items():
        if team not in teams:
            raise PolicyError(f"bots: unknown team {team!r} (teams: {', '.join(teams)})")
        if name not in BOT_POLICY_NAMES:
            raise PolicyError(f"bots: {team}'s policy must be one of {', '.join(BOT_POLICY_NAMES)}, got {name!r}")
        out[team] = name
    return out


def _read_crisis(given, teams) -> dict:
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise PolicyError('crisis: expected an object such as {"JPN": "deescalate"}')
    out = {}
    for team, choice in given.items():
        if team not in teams:
            raise PolicyError(f"crisis: unknown team {team!r} (teams: {', '.join(teams)})")
        if choice not in CRISIS_CHOICES:
            raise PolicyError(f"crisis: {team}'s choice must be one of {', '.join(CRISIS_CHOICES)}, got {choice!r}")
        out[team] = choice
    return out


def _read_steps(scenario, team, acts) -> tuple:
    steps = []
    for a in acts:
        if isinstance(a, Order):
            steps.append(PolicyStep(a))
            continue
        when, turns = "always", "every"
        if isinstance(a, dict) and "argue" in a:
            steps.append(_read_argued(scenario, team, a))
            continue
        if isinstance(a, dict):
            unknown = sorted(set(a) - {"order", "when", "turns"})
            if unknown or not isinstance(a.get("order"), str):
                raise PolicyError(f"{team}: a step object needs \"order\" and may have \"when\" and \"turns\""
                                  + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
            when = a.get("when", "always")
            if when not in STEP_WHEN:
                raise PolicyError(f"{team}: \"when\" must be one of {', '.join(STEP_WHEN)}, got {when!r}")
            turns = _read_turns(team, a.get("turns", "every"))
            a = a["order"]
        o = _read_order(scenario, team, a)
        prob = static_problem(scenario, team, o)
        if prob:
            raise PolicyError(f"{team}: {prob}")
        steps.append(PolicyStep(o, when, turns))
    _check_step_overlap(team, steps)
    return tuple(steps)


def _read_argued(scenario, team, step) -> PolicyStep:
    unknown = sorted(set(step) - {"argue", "nearest", "target", "turns"})
    text = step["argue"]
    if unknown or not isinstance(text, str) or not text.strip():
        raise PolicyError(f"{team}: an argued step needs \"argue\" (its text) and may have \"nearest\", "
                          f"\"target\" and \"turns\"" + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
    nearest = step.get("nearest")
    if nearest is not None:
        nearest = str(nearest).strip().upper()
        if nearest not in scenario.actions:
            raise PolicyError(f"{team}: argued step: unknown nearest action {nearest}")
    target = step.get("target")
    if target is not None:
        target = str(target).strip().upper()
        if target not in scenario.params.actors or target == team:
            raise PolicyError(f"{team}: argued step: cannot target {target}")
    return PolicyStep(ArguedOrder(team, text.strip(), nearest_action=nearest, target=target), "always",
                      _read_turns(team, step.get("turns", "every")))


def _read_turns(team, turns):
    if turns in STEP_TURNS:
        return turns
    if isinstance(turns, list) and turns and all(isinstance(t, int) and not isinstance(t, bool) and t >= 1
                                                 for t in turns):
        return tuple(sorted(set(turns)))
    raise PolicyError(f"{team}: \"turns\" must be every, odd, even or a list of turn numbers, got {turns!r}")


def _read_order(scenario, team, text) -> Order:
    parts = text.strip().split(":")
    if len(parts) > 3 or not parts[0]:
        raise PolicyError(f"{team}: cannot read action {text!r} (write KEY or KEY:TARGET)")
    key = parts[0].strip().upper()
    target = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
    if target and key in scenario.actions and not scenario.actions[key].zones:
        target = target.upper()
    third = parts[2].strip().upper() if len(parts) > 2 and parts[2].strip() else None
    return Order(team, key, target, third)


def _check_step_overlap(team, steps):
    """No turn may carry more than two unconditional orders, nor the same action twice, nor two argued actions."""
    for turn in _CHECKED_TURNS:
        if sum(isinstance(s.order, ArguedOrder) and s.applies(turn) for s in steps) > 1:
            raise PolicyError(f"{team}: one argued action a turn, got two for turn {turn}")
        here = [s for s in steps if s.applies(turn) and isinstance(s.order, Order)]
        always = [s for s in here if s.when == "always"]
        if len(always) > MAX_ORDERS:
            fixed = all(s.turns == "every" for s in always)
            raise PolicyError(f"{team}: at most {MAX_ORDERS} actions a turn, got {len(always)}"
                              + ("" if fixed else f" on turn {turn}"))
        keys = [s.order.action for s in here]
        for key in keys:
            if keys.count(key) > 1:
                every = all(s.turns == "every" for s in here if s.order.action == key)
                raise PolicyError(f"{team}: {key} listed twice" + ("" if every else f" for turn {turn}"))


def parse_policy(scenario, policy) -> dict:
    """{team: (Order, ...)}: every order a policy may give (a "crisis" key is validated and left out).
    Raises PolicyError with a one-line reason."""
    return {team: tuple(s.order for s in steps if isinstance(s.order, Order))
            for team, steps in read_policy(scenario, policy).steps.items()}


def parse_seeds(text) -> list:
    """[seed, ...] from "7", "1-200" or "1-5,9,12-14" (order kept, repeats dropped). Raises PolicyError."""
    out = []
    seen = set()
    for part in str(text).split(","):
        part = part.strip()
        lo, sep, hi = part.partition("-")
        try:
            first = int(lo)
            last = int(hi) if sep else first
        except ValueError:
            raise PolicyError(f"cannot read seeds {part!r} (write 7, 1-200 or 1-5,9)") from None
        if first < 0 or last < first:
            raise PolicyError(f"seed range {part!r} must run upward from 0 or more")
        if len(out) + last - first + 1 > MAX_SEEDS:
            raise PolicyError(f"at most {MAX_SEEDS:,} seeds")
        for seed in range(first, last + 1):
            if seed not in seen:
                seen.add(seed)
                out.append(seed)
    return out


def format_seeds(seeds) -> str:
    """The shortest "1-200,205" form of a list of seeds (inverse of parse_seeds for sorted lists)."""
    parts = []
    for seed in seeds:
        if parts and parts[-1][1] == seed - 1:
            parts[-1][1] = seed
        else:
            parts.append([seed, seed])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in parts)


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
        attr[key] = {k: _r(a.get(k, 0.0)) if a else 0.0 for k in ATTR_NAMES}
    return {
        "turn": state.turn,
        "actors": actors,
        "dyads": dyads,
        "attribution": attr,
        "events": [{"id": e["id"], "kind": e["kind"], "text": e["text"]} for e in events],
    }


def play(scenario, policy=None, *, turns=8, seed=0, state=None, argued_mode=None):
    """Yield the TurnResult of each turn played with the policy (stops early when the game ends)."""
    pol = read_policy(scenario, policy)
    st = state if state is not None else scenario.initial_state()
    orders = pol.orders_for(scenario, st) if pol.fixed else None
    limit = max(turns + st.turn, 1)
    last_orders, last_crisis = [], {}
    for _ in range(turns):
        if st.ended:
            break
        given = orders if orders is not None else pol.orders_for(scenario, st)
        crisis = pol.crisis
        if pol.bots:
            given = given + pol.bot_orders_for(scenario, st, seed=seed, last_orders=last_orders)
            crisis = pol.crisis_for(scenario, st, last_crisis)
            if crisis_dyads(st):
                last_crisis = crisis
            last_orders = [o for o in given if isinstance(o, Order)]
        res = resolve_turn(scenario, st, given, seed=seed, turn_limit=limit, argued_mode=argued_mode,
                           crisis_choices=crisis)
        yield res
        st = res.state


def run(scenario, policy=None, *, turns=8, seed=0, state=None, argued_mode=None):
    """Play `turns` turns with the policy. Returns (report dict, [TurnResult])."""
    pol = read_policy(scenario, policy)
    st = state if state is not None else scenario.initial_state()
    rec = turn_record(st)
    rec["date"] = game_date(scenario, st.turn)
    report = {"scenario": scenario.slug, "seed": seed, "crisis": dict(pol.crisis), "turns": [rec]}
    if pol.bots:
        report["bots"] = dict(pol.bots)
    results = []
    for res in play(scenario, pol, turns=turns, seed=seed, state=st, argued_mode=argued_mode):
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
                     f"{'ΔT dir':>7} {'spill':>6} {'inc':>6}{' events' if 'events' in ATTR_NAMES else ''} "
                     f"{'drift':>6}  flags")
        keys = sorted(t["dyads"]) if all_dyads else [k for k in sorted(t["dyads"]) if k in CORE_DYADS or "PRK" not in k]
        for k in keys:
            d = t["dyads"][k]
            a = t["attribution"][k]
            lines.append(f"{k:<8} {d['IL']:6.1f} {d['T']:6.1f} {d['C']:6.1f} {d['E']:6.1f} {d['rung']:>4}  "
                         f"{d['band']:<16}{a['direct']:7.1f} {a['spillover']:6.1f} {a['incident']:6.1f} "
                         + (f"{a['events']:6.1f} " if "events" in a else "")
                         + f"{a['drift']:6.1f}  {','.join(d['flags'])}")
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
