"""The crisis sub-turn as each page shows it. Before it is settled, a team sees its own choice and only
whether the other side has chosen; White sees both; the plenary view sees that a crisis is on and its clock.
Once settled, everyone sees the choices and the outcome (the engine's crisis_outcome events)."""

from django.utils import timezone

from wargame import engine

from .. import engine_text
from ..models import CrisisChoice, Turn
from .common import scenario_for


def _opening(turn):
    if turn is None or turn.status == Turn.Status.PUBLISHED:
        return None
    return engine.GameState.from_dict(turn.state_before)


def _seconds_left(turn):
    if turn.crisis_deadline is None or turn.crisis_result is not None or turn.status != Turn.Status.OPEN:
        return None
    return max(0, int((turn.crisis_deadline - timezone.now()).total_seconds()))


def _epoch(moment):
    return int(moment.timestamp()) if moment else None


def _outcomes(turn):
    events = (turn.crisis_result or {}).get("events", [])
    spec = scenario_for(turn.exercise)
    return {engine.parse_event_id(e["id"]).subject: engine_text.translated_event(e, spec) for e in events
            if e.get("kind") == "crisis_outcome"}


def crisis_rows(turn, *, viewer=None, public=False):
    """One row per crisis dyad of the turn: White's view by default; a team's (``viewer``, its code: only its
    own dyads); or the public one (``public``).

    Each row: dyad, teams, deadline and seconds left, whether it is settled, the outcome event once settled,
    and the choices: all of them for White, or for anyone once settled; before that a team sees its own
    choice and only whether the other side has chosen, and the public sees only who has chosen."""
    state = _opening(turn)
    dyads = engine.crisis_dyads(state) if state else []
    if not dyads:
        return []
    chosen = {c.team.code: c for c in CrisisChoice.objects.filter(turn=turn).select_related("team", "chosen_by")}
    settled = turn.crisis_result is not None
    outcomes = _outcomes(turn)
    seconds = _seconds_left(turn)
    rows = []
    for key in dyads:
        teams = key.split("-")
        if viewer is not None and viewer not in teams:
            continue
        sides = []
        for code in teams:
            choice = chosen.get(code)
            open_to_viewer = settled or (code == viewer if viewer or public else True)
            sides.append({"code": code, "chosen": choice is not None,
                          "choice": choice.choice if choice and open_to_viewer else None,
                          "by": (choice.chosen_by.display_name if choice.chosen_by else choice.by_white)
                          if choice and open_to_viewer else ""})
        rung = state.dyads[key].rung
        rows.append({"dyad": key, "teams": teams, "sides": sides, "settled": settled, "rung": rung,
                     "rung_name": engine.RUNG_NAMES[rung], "ends_at": _epoch(turn.crisis_deadline),
                     "outcome": outcomes.get(key), "seconds_left": seconds, "deadline": turn.crisis_deadline,
                     "pending": not settled and turn.status == Turn.Status.OPEN})
    return rows


def team_crisis(*, team, turn):
    """The crisis this team is in at the opening of the turn, or None."""
    rows = crisis_rows(turn, viewer=team.code)
    if not rows:
        return None
    # One choice per team covers every crisis it is in (a team may face two sides at once).
    mine = next(s for s in rows[0]["sides"] if s["code"] == team.code)
    return {"rows": rows, "my_choice": mine["choice"], "pending": rows[0]["pending"],
            "seconds_left": rows[0]["seconds_left"], "choices": engine.CRISIS_CHOICES}


def console_crisis(*, turn):
    return crisis_rows(turn)


def plenary_crisis(*, turn):
    """Public: the dyads in crisis and the clock; the choices only once the crisis is settled."""
    return crisis_rows(turn, public=True)
