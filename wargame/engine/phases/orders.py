"""Orders: check each team's catalogue orders, pair bilateral ones, add joint patrols, spend RP."""
from __future__ import annotations

from dataclasses import dataclass

from ..effects import Scope
from ..messages import msg
from ..orders import Order, Refusal, effective_cost, order_problem, refusal, resolve_target
from ..state import dyad_key


@dataclass(slots=True)
class Action:
    """A catalogue action carried out this turn: one team's order, a bilateral pair or a joint patrol."""

    event_id: str
    spec: object  # ActionSpec, or JointSpec for a joint patrol
    scope: Scope
    teams: tuple
    scale: float = 1.0  # an opposed roll's loser takes effect at less
    order: Order | None = None  # None for a joint patrol
    audience: object = "all"  # narrowed to the team for an unobserved strait transit (phases/straits.py)


@dataclass(slots=True)
class AcceptedOrder:
    order: Order
    spec: object  # ActionSpec
    target: str | None  # actor code, or zone id for a zone-targeted action
    cost: int


class JointSpec:
    """A joint action (M5: RUS and CHN both patrolling) read as an action of its own."""

    __slots__ = ("key", "name", "phase", "effects", "_main", "_tm", "rung", "island", "bilateral", "category")

    def __init__(self, spec, joint: dict):
        self.key = spec.key
        self.name = spec.name + " (joint)"
        self.phase = spec.phase
        self.category = spec.category
        self.effects = tuple(joint["effects"])
        self._main = None  # effects.main_effects / turn_modifier_effects memoise here
        self._tm = None
        self.rung = spec.rung
        self.island = False
        self.bilateral = False


def plan_actions(turn, orders) -> list:
    """The actions the orders become, sorted by event id. The RP they cost is deducted from the state here."""
    accepted = _accept(turn, orders)
    actions, spend = _pair(turn, accepted)
    actions += _joint_actions(turn, actions)
    state = turn.state
    for team, cost in spend.items():
        state.rp[team] = state.rp.get(team, 0) - cost
    actions.sort(key=lambda action: action.event_id)
    return actions


def _accept(turn, orders) -> list:
    """Orders that pass every check, in action-key order per team; the rest get a not_carried_out event."""
    scenario = turn.scenario
    state = turn.state
    number = turn.number
    by_team = {}
    for o in orders:
        by_team.setdefault(o.team, []).append(o)
    accepted = []
    for team in sorted(by_team):
        team_orders = sorted(set(by_team[team]), key=Order.sort_key)
        if team not in turn.params.teams:
            for o in team_orders:
                turn.record(f"t{number}:order:{team}:{o.action}", "orders", "not_carried_out", [team], "white",
                            msg("order_unknown_team", action=o.action, team=team))
            continue
        count = 0
        spent = 0
        actions_seen = set()
        budget = state.rp.get(team, 0)
        event_ids = set()
        for o in team_orders:
            event_id = f"t{number}:order:{team}:{o.action}"
            if event_id in event_ids:  # the same action twice (other target): keep event ids unique
                event_id += f":{o.target}:{o.third}"
            event_ids.add(event_id)
            problem = order_problem(scenario, state, team, o, turn=number)
            cost = 0
            if not problem and o.action in actions_seen:
                problem = refusal("ordered_twice_dropped", action=o.action)
            if not problem and count >= 2:
                problem = refusal("too_many_dropped")
            if not problem:
                cost = effective_cost(scenario, state, o.action)
                if spent + cost > budget:
                    problem = refusal("over_budget", code="over_budget", cost=spent + cost, budget=budget)
            if problem:
                problem = problem if isinstance(problem, Refusal) else Refusal(problem)
                turn.record(event_id, "orders", "not_carried_out", [team], [team],
                            msg("order_not_carried_out", team=team, action=o.action, problem=problem.msg),
                            action=o.action, reason=str(problem))
                continue
            actions_seen.add(o.action)
            count += 1
            spent += cost
            spec = scenario.actions[o.action]
            target, _ = resolve_target(spec, team, o)
            accepted.append(AcceptedOrder(o, spec, target, cost))
    return accepted


def _pair(turn, accepted) -> tuple[list, dict]:
    """Unilateral orders become actions; a bilateral one only when its partner ordered it too."""
    number = turn.number
    actions = []
    spend = {}
    bilateral = {}  # (action key, dyad) -> {team: AcceptedOrder}
    for a in accepted:
        o, spec = a.order, a.spec
        if spec.bilateral:
            bilateral.setdefault((spec.key, dyad_key(o.team, a.target)), {})[o.team] = a
            continue
        scope = Scope(actor=o.team, target=None if spec.zones else a.target, zone=a.target if spec.zones else None,
                      third=(o.third,) if o.third else (), island=spec.island, rung=spec.rung)
        actions.append(Action(f"t{number}:order:{o.team}:{spec.key}", spec, scope, (o.team,), 1.0, o))
        spend[o.team] = spend.get(o.team, 0) + a.cost
    for (key, dyad), by_team in sorted(bilateral.items()):
        first, second = dyad.split("-")
        if first in by_team and second in by_team:
            lead = by_team[first]
            thirds = tuple(sorted({x.order.third for x in by_team.values()
                                   if x.order.third and x.order.third not in (first, second)}))
            scope = Scope(actor=first, target=second, partners=(first, second), third=thirds,
                          island=lead.spec.island, rung=lead.spec.rung)
            actions.append(Action(f"t{number}:order:{first}+{second}:{key}", lead.spec, scope, (first, second), 1.0,
                                  lead.order))
            spend[first] = spend.get(first, 0) + lead.cost
            spend[second] = spend.get(second, 0) + by_team[second].cost
        else:
            here = first if first in by_team else second
            other = second if here == first else first
            turn.record(f"t{number}:order:{here}:{key}", "orders", "not_carried_out", [here], [here],
                        msg("bilateral_missing", action=key, other=other),
                        action=key, reason=turn.render(msg("other_did_not_order", other=other)))
    return actions, spend


def _joint_actions(turn, actions) -> list:
    """A joint action fires when every one of its teams carries out the action on its own."""
    cache = turn.params.cache
    joints = cache.get("joint_actions")
    if joints is None:
        joints = cache["joint_actions"] = tuple(sorted((k, a) for k, a in turn.scenario.actions.items() if a.joint))
    if not joints:
        return []
    done = {(action.teams[0], action.spec.key) for action in actions if len(action.teams) == 1}
    out = []
    for key, spec in joints:
        joint = spec.joint
        if all((team, key) in done for team in joint["teams"]):
            joint_spec = cache.get(("joint", key))
            if joint_spec is None:
                joint_spec = cache[("joint", key)] = JointSpec(spec, joint)
            scope = Scope(partners=tuple(joint["teams"]), rung=spec.rung)
            out.append(Action(f"t{turn.number}:joint:{key}", joint_spec, scope, tuple(joint["teams"])))
    return out
