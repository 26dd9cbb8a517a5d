"""White's console: every team, the MSEL, the review of a proposed result, the log and the replay."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wargame import engine
from wargame.engine.replay import replay

from .. import engine_text
from ..models import ArguedAction, Order, Turn
from .common import ONLINE_SECONDS, current_turn, dom_id, dyad_rows, scenario_for


def console_view(*, exercise):
    spec = scenario_for(exercise)
    turn = current_turn(exercise)
    state = engine.GameState.from_dict(exercise.state)
    teams = list(exercise.teams.prefetch_related("players"))
    now = timezone.now()
    submitted = set()
    if turn:
        submitted = set(Order.objects.filter(turn=turn).exclude(action="").values_list("team_id", flat=True))
    team_rows = []
    for t in teams:
        players = list(t.players.all())
        team_rows.append({
            "team": t,
            "players": [{"p": p, "online": bool(p.last_seen and (now - p.last_seen).total_seconds() < ONLINE_SECONDS)}
                        for p in players],
            "submitted": t.pk in submitted,
        })
    unassigned = list(exercise.players.filter(team__isnull=True))
    codes = {t.code for t in teams} | set(state.actors)
    return {
        "spec": spec,
        "turn": turn,
        "teams": team_rows,
        "unassigned": unassigned,
        "orders": list(Order.objects.filter(turn=turn).exclude(action="").select_related("team", "updated_by"))
        if turn else [],
        "actors": [{"code": c, "vars": {k: round(v) for k, v in a.vars.items()}, "rp": state.rp.get(c, 0)}
                   for c, a in sorted(state.actors.items())],
        "dyads": dyad_rows(state, codes),
        # White alone sees the hidden submarines' true positions and every team's contacts.
        "hidden": {team: engine.hidden_positions(state, team) for team in sorted(state.hidden)},
        "contacts": {team: engine.own_contacts(state, team) for team in sorted(state.contacts)},
        "result": turn.result if turn and turn.status == Turn.Status.REVIEW else None,
    }


MSEL_LABELS = {
    engine.msel.FIRED: _lazy("fired, turn %(n)d"), engine.msel.PROPOSED: _lazy("fires this turn (in review)"),
    engine.msel.QUEUED: _lazy("will fire when this turn resolves"), engine.msel.SKIPPED: _lazy("skipped"),
    engine.msel.WAITING: _lazy("waiting on its condition"), engine.msel.SCHEDULED: _lazy("scheduled, turn %(n)s"),
}


def msel_rows(*, exercise):
    """Each scripted inject with its state: scheduled, waiting on a condition, fired or skipped."""
    turn = current_turn(exercise)
    resolved = [engine.ResolvedTurn(t.number, t.status == Turn.Status.PUBLISHED, tuple(t.result.get("events", [])),
                                    t.inputs or {})
                for t in exercise.turns.filter(result__isnull=False).order_by("number")
                .only("number", "status", "result", "inputs")]
    rows = []
    for row in engine.msel_status(scenario_for(exercise), resolved, (turn.inputs or {}) if turn else {}):
        trigger = row.inject.trigger or {}
        when = row.inject.trigger_text or (f"turn {trigger['turn']}" if "turn" in trigger else "condition")
        number = row.turn if row.turn is not None else "?"
        rows.append({"spec": row.inject, "when": when, "state": row.status,
                     "label": str(MSEL_LABELS[row.status]) % {"n": number}, "why": row.why})
    return rows


def console_argued(*, turn):
    if turn is None:
        return []
    rows = list(ArguedAction.objects.filter(turn=turn).select_related("team", "updated_by")
                .prefetch_related("counters__team", "cards__team"))
    for a in rows:
        a.card_median = engine.card_median(c.probability for c in a.cards.all())
    return rows


def review_rows(*, result, spec=None):
    """Each proposed event with its dice and the overrides White already made. With ``spec`` (the exercise's
    scenario) the events' texts are in the reader's language (engine_text); without, the engine's English."""
    if not result:
        return []
    draws = {}
    for d in result.get("draws", []):
        draws.setdefault(d["event"], []).append(d)
    overrides = {}
    for o in (result.get("input") or {}).get("overrides", []):
        overrides.setdefault(o["event_id"], []).append(o)
    rows = [{"event": e, "draws": draws.pop(e["id"], []), "overrides": overrides.get(e["id"], []),
             "dom_id": dom_id(e["id"])}
            for e in (engine_text.translated_events(result.get("events", []), spec) if spec is not None
                      else result.get("events", []))]
    # Rolls that changed nothing (an incident that did not happen) can still be re-rolled or entered by hand.
    for event_id, rolls in draws.items():
        rows.append({"event": {"id": event_id, "phase": rolls[0]["phase"], "kind": "roll",
                               "text": _("%(event)s: rolled, nothing happened") % {"event": event_id},
                               **_roll_subject(event_id)},
                     "draws": rolls, "overrides": overrides.get(event_id, []), "dom_id": dom_id(event_id)})
    return rows


def _roll_subject(event_id):
    """Typed fields for a roll that produced no event: a draw records only the engine's event id."""
    parsed = engine.parse_event_id(event_id)
    if parsed and parsed.kind == "incident" and parsed.pair:
        return {"roll_of": "incident", "teams": list(parsed.pair)}
    return {}


def review_row(*, result, event_id, spec=None):
    """One row of the review, for a change White made to it in place; None when it has gone."""
    return next((r for r in review_rows(result=result, spec=spec) if r["event"]["id"] == event_id), None)


def review_narratives(*, turn, result):
    """The narratives White will publish: the engine's, with White's edits (kept in the turn's inputs) on top."""
    if not result:
        return []
    edited = ((turn.inputs or {}).get("narratives") or {}) if turn else {}
    merged = {**result.get("narratives", {}), **edited}
    return [{"code": code, "text": text, "edited": code in edited} for code, text in merged.items()]


def exercise_log(*, exercise):
    """The engine's event log of every published turn: inputs (orders, White's overrides and
    injects) and every draw. Replaying it must rebuild the published state exactly."""
    return [{**t.result["input"], "draws": t.result["draws"]}
            for t in exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("number")]


def exercise_replay(*, exercise):
    """Re-resolve the whole exercise from its log; returns (replayed state, matches published state)."""
    spec = scenario_for(exercise)
    state = replay(spec, exercise_log(exercise=exercise))
    return state, state.to_dict() == exercise.state


def exercise_counts(*, exercise):
    """What deleting an exercise throws away, for White's confirmation page."""
    return {"players": exercise.players.count(), "turns": exercise.turns.count(),
            "messages": exercise.messages.count()}
