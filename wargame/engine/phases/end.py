"""End of play: armed conflict (rung 7, only by decision), a peace-treaty framework, a scenario end condition,
or the turn limit."""
from __future__ import annotations

from ..conditions import eval_cond


def check_end(turn, turn_limit: int):
    state = turn.state
    rules = turn.params.end
    stop = rules.get("rung", 7)
    for key in sorted(state.dyads):
        if state.dyads[key].rung >= stop:
            a, b = key.split("-")
            state.ended = f"armed conflict between {a} and {b} (rung {stop}): play stops for a hotwash"
            break
    if state.ended is None and rules.get("treaty"):
        _treaty(turn, rules["treaty"])
    if state.ended is None:
        for condition in rules.get("conditions", ()):
            if eval_cond(condition["cond"], state):
                state.ended = condition["text"]
                break
    if state.ended is None and turn.number >= turn_limit:
        state.ended = f"turn limit reached ({turn_limit} turns)"
    if state.ended:
        turn.record(f"t{turn.number}:end", "triggers", "end", [], "all", f"The game ends: {state.ended}")


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
                "Domestic support for a settlement: "
                + ", ".join(f"{r['team']} rolls {r['roll']} against D {r['support']:.0f} "
                            f"({'holds' if r['success'] else 'fails'})" for r in rolls),
                rolls=rolls, outcomes=outcomes, agreed=agreed)
    if agreed:
        state.ended = rules.get("text", "a peace-treaty framework is agreed")
