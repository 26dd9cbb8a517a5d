"""End of play: armed conflict (rung 7, only by decision), a peace-treaty framework, a scenario end condition,
or the turn limit."""
from __future__ import annotations

from ..conditions import eval_cond
from ..messages import msg


def check_end(turn, turn_limit: int):
    state = turn.state
    rules = turn.params.end
    stop = rules.get("rung", 7)
    reason = None  # the ending's message
    for key in sorted(state.dyads):
        if state.dyads[key].rung >= stop:
            a, b = key.split("-")
            reason = msg("ending_armed_conflict", a=a, b=b, rung=stop)
            state.ended = turn.render(reason)
            break
    if state.ended is None and rules.get("treaty"):
        reason = _treaty(turn, rules["treaty"])
    if state.ended is None:
        for n, condition in enumerate(rules.get("conditions", ())):
            if eval_cond(condition["cond"], state):
                reason = msg("ending_scenario", text=condition["text"], condition=n)
                state.ended = turn.render(reason)
                break
    if state.ended is None and turn.number >= turn_limit:
        reason = msg("ending_turn_limit", turns=turn_limit)
        state.ended = turn.render(reason)
    if state.ended:
        if reason is None:  # ended earlier in the turn (the crisis sub-turn's armed conflict)
            reason = ending_message(turn)
        turn.record(f"t{turn.number}:end", "triggers", "end", [], "all", msg("game_end", reason=reason))


def _treaty(turn, rules):
    """The peace-treaty ending (§9): the talks inject fired this turn, an argued action by each of the teams
    succeeded this turn, and each side's domestic-support roll (d100 ≤ D) holds. IL alone ends nothing."""
    number = turn.number
    inject = rules.get("inject")
    teams = tuple(rules.get("teams", ("JPN", "RUS")))
    good = set(rules.get("outcomes", ("yes_and", "yes_but")))
    ids = {e["id"]: e for e in turn.events}
    if inject and f"t{number}:inject:{inject}" not in ids:
        return
    outcomes = {}
    for team in teams:
        argued = ids.get(f"t{number}:argued:{team}")
        outcomes[team] = (argued or {}).get("adjudication", {}).get("outcome")
    if not all(outcomes[t] in good for t in teams):
        return
    state = turn.state
    event_id = f"t{number}:treaty:{'-'.join(sorted(teams))}"
    rolls = []
    for k, team in enumerate(teams):
        support = state.actors[team].vars.get("D", 0.0)
        ok, roll = turn.dice.chance("end", event_id, k, support / 100.0)
        rolls.append({"team": team, "roll": roll, "support": round(support, 4), "success": ok})
    agreed = all(r["success"] for r in rolls)
    turn.record(event_id, "triggers", "treaty", list(teams), "all",
                msg("treaty", rolls=[msg("treaty_roll_holds" if r["success"] else "treaty_roll_fails",
                                         team=r["team"], roll=r["roll"], support=r["support"]) for r in rolls]),
                rolls=rolls, outcomes=outcomes, agreed=agreed)
    if agreed:
        reason = msg("ending_scenario", text=rules["text"], condition="treaty") if "text" in rules \
            else msg("ending_treaty")
        state.ended = turn.render(reason)
        return reason
    return None


def ending_message(turn):
    """The message of an ending set before the end phase: the crisis sub-turn's (its outcome event holds it);
    failing that, the ended text as it stands."""
    for event in turn.events:
        if "ending_msg" in event:
            return event["ending_msg"]
    return msg("raw", text=turn.state.ended)
