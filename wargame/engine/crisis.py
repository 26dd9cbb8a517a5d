"""The crisis sub-turn (GAME_MODEL §4 step 7): the teams of a dyad that ended a turn at rung ≥ 4 decide.

It opens the next turn's resolution: each of the two teams chooses de-escalate, hold or escalate
(`crisis_choices`, logged like orders). A de-escalation is a call or a concession: a roll against the
scenario's base chance, +bonus with INCSEA or a hotline and C ≥ c_min; a success lowers T and costs the
caller a little D. One side escalating is rung 6 (limited force); both escalating, or one escalating
against a de-escalation that failed, is rung 7 (armed conflict): play stops. Tension alone never gets a
dyad past rung 5 (`dynamics.new_rung`), so rungs 6 and 7 come only from here or from White.

`resolve_crisis` runs this phase on its own, so the app can show the outcome as soon as the choices are in;
`resolve_turn` runs the same code first, with the same dice, so both give the same events, draws and state.
"""
from __future__ import annotations

from dataclasses import dataclass

from .effects import ATTR_INDEX, Buffer
from .messages import join_semicolon, msg
from .orders import EngineInputError, GameOverError
from .rng import Dice
from .state import tension_rung

CRISIS_CHOICES = ("deescalate", "hold", "escalate")
_EVENTS = ATTR_INDEX["events"]


class CrisisError(EngineInputError):
    """crisis_choices is not a mapping of team code to one of CRISIS_CHOICES."""


@dataclass
class CrisisResult:
    """The state after the crisis phase only (state.turn unchanged), its events and its draws."""

    state: object
    events: list
    draws: list
    ended: str | None


def crisis_dyads(state) -> list:
    """The dyads whose two teams must choose before the next turn resolves (none once play has stopped)."""
    if state.ended:
        return []
    return sorted(state.crisis)


def check_choices(scenario, crisis_choices) -> dict:
    """{team: choice} validated; raises CrisisError. None or {} means everyone holds."""
    if crisis_choices is None:
        return {}
    if not isinstance(crisis_choices, dict):
        raise CrisisError(f"crisis_choices must map team codes to choices, got {crisis_choices!r}")
    actors = scenario.params.actors
    out = {}
    for team, choice in crisis_choices.items():
        if team not in actors:
            raise CrisisError(f"crisis choice by unknown team {team!r}")
        if choice not in CRISIS_CHOICES:
            raise CrisisError(f"{team}: crisis choice must be one of {', '.join(CRISIS_CHOICES)}, got {choice!r}")
        out[team] = choice
    return out


def crisis_phase(turn, choices: dict):
    """Resolve every dyad of turn.state.crisis (a phases.turn.Turn); may set state.ended (rung 7)."""
    state = turn.state
    params = turn.params
    rules = params.crisis
    flags = set(rules.get("flags", ("INCSEA", "HOTLINE")))
    c_min = rules.get("c_min", 50)
    base = rules.get("call_base", 50)
    bonus = rules.get("call_bonus", 20)
    war_rung = params.end.get("rung", 7)
    for key in crisis_dyads(state):
        d = state.dyads.get(key)
        if d is None:
            continue
        a, b = key.split("-")
        event_id = f"t{turn.number}:crisis_outcome:{key}"
        picked = {team: choices.get(team, "hold") for team in (a, b)}
        helped = bool(d.flags & flags) and d.C >= c_min
        chance = (base + (bonus if helped else 0)) / 100
        buffer = Buffer()
        changes = []
        calls = []
        failed = False
        eased = False
        for k, team in enumerate((a, b)):
            if picked[team] != "deescalate":
                continue
            success, roll = turn.dice.chance("crisis", event_id, k, chance)
            calls.append({"team": team, "roll": roll, "chance": round(chance * 100, 4), "success": success})
            if success:
                eased = True
                _t(buffer, changes, key, rules.get("call_dT", -5))
                dD = rules.get("call_dD", -1)
                if dD and team in state.actors:
                    buffer.add_actor(team, "D", dD)
                    changes.append((team, "D", dD, ""))
            else:
                failed = True
        escalating = [team for team in (a, b) if picked[team] == "escalate"]
        if len(escalating) == 2 or (escalating and failed):
            rung = war_rung
            _t(buffer, changes, key, rules.get("war_dT", 20))
        elif escalating:
            rung = rules.get("force_rung", 6)
            _t(buffer, changes, key, rules.get("force_dT", 10))
        else:
            rung = None
        turn.apply(buffer)
        if rung is None:
            rung = d.rung
            if eased:  # a call that worked takes the dyad down a rung, to no lower than its tension's
                rung = max(min(tension_rung(d.T, params.rungs), params.tension_cap), d.rung - 1)
        d.rung = rung
        turn.interpreter.see_rung(key, rung if rung > params.tension_cap else None)
        words = {"choice_a": msg("choice_" + picked[a]), "choice_b": msg("choice_" + picked[b])}
        if calls:
            text = msg("crisis_outcome_calls", a=a, b=b, **words, rung=rung, calls=join_semicolon(
                msg("call_works" if c["success"] else "call_fails", team=c["team"]) for c in calls))
        else:
            text = msg("crisis_outcome", a=a, b=b, **words, rung=rung)
        event = turn.record(event_id, "crisis", "crisis_outcome", [a, b], "all", text, choices=picked, calls=calls,
                            rung=rung, changes=changes)
        if rung >= war_rung and not state.ended:
            ending = msg("ending_armed_conflict", a=a, b=b, rung=war_rung)
            state.ended = turn.render(ending)
            event["ending_msg"] = ending
    state.crisis = ()


def _t(buffer, changes, key, dT):
    if dT:
        buffer.add_dyad(key, "T", dT, _EVENTS)
        changes.append((key, "T", dT, "events"))


def resolve_crisis(scenario, state, crisis_choices=None, *, seed) -> CrisisResult:
    """The crisis phase of the turn after `state`, on its own: the same code, dice and events as the first
    phase of resolve_turn with the same inputs and seed. Raises CrisisError, GameOverError."""
    from .phases.turn import Turn  # the phases import this module

    if state.ended:
        raise GameOverError(f"the game has ended: {state.ended}", msg=msg("game_over", reason=state.ended))
    choices = check_choices(scenario, crisis_choices)
    number = state.turn + 1
    dice = Dice(seed, number)
    turn = Turn(scenario, state.copy(), number, dice, {}, frozenset())
    crisis_phase(turn, choices)
    return CrisisResult(turn.state, turn.events, dice.draws, turn.state.ended)
