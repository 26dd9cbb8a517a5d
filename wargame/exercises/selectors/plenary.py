"""The projector's view: public state only, what every observer may see."""

from wargame import engine

from .. import engine_text
from .common import dyad_rows, last_published_turn, scenario_for


def plenary_view(*, exercise):
    """Public information only: what the projector may show the whole room."""
    state = engine.GameState.from_dict(exercise.state)
    teams = list(exercise.teams.all())
    played = {t.code for t in teams}
    ladder = []
    for row in dyad_rows(state, played):
        row["rungs"] = range(8)
        ladder.append(row)
    last = last_published_turn(exercise)
    incidents = []
    headlines = []
    public_events = []
    if last and last.result:
        spec = scenario_for(exercise)
        public_events = engine_text.translated_events(
            [e for e in last.result.get("events", []) if engine.events.public(e)], spec)
        headlines = (engine_text.headlines(last.result["events"], spec)
                     if any("msg" in e for e in public_events) else last.result.get("headlines", []))
        incidents = [{"zone": e["zone"], "label": e.get("label", "")} for e in public_events
                     if e.get("kind") == "incident" and e.get("zone")]
    return {
        "teams": teams,
        "ladder": ladder,
        "presence": engine.public_presence(scenario_for(exercise), public_events),
        "incidents": incidents,
        "headlines": headlines,
        "headline_events": [e for e in public_events if e.get("kind") in engine.HEADLINE_KINDS],
        "spec": scenario_for(exercise),
        "last": last,
        "colours": {t.code: t.colour for t in teams},
    }
