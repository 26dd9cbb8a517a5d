"""Tables for analysts: a zip of CSV files, one row per thing, in the engine's own names.

- dyads.csv: one row per published turn per dyad (turn 0 is the baseline, with no attribution): IL, T, C, E,
  rung, band and the five parts of ΔT (engine ATTR_NAMES: direct, spillover, incident, events, drift; they add
  up to the turn's ΔT exactly).
- actors.csv: one row per published turn per actor: every actor variable the engine knows (engine.VARIABLES,
  blank where the actor has none) and RP.
- orders.csv: one row per catalogue order saved, every turn (the open turn's too).
- messages.csv: one row per message; the text column only when White asks for it.
- events.csv: one row per event of each published turn, its changes as JSON.

Nothing here derives a rule: values are read from the published states and results, names from the engine.
"""

import csv
import io
import json
import zipfile

from wargame import engine
from wargame.engine.effects import ATTR_NAMES
from wargame.engine.state import DYAD_VARS
from wargame.scenarios import load_scenario, scenario_slugs

from .models import Message, Order, Turn

ACTOR_VARIABLES = tuple(v for v in engine.VARIABLES if v not in DYAD_VARS)
DYAD_COLUMNS = ("turn", "dyad", *DYAD_VARS, "rung", "band", *ATTR_NAMES)
ACTOR_COLUMNS = ("turn", "actor", *ACTOR_VARIABLES, "RP")
ORDER_COLUMNS = ("turn", "team", "slot", "action", "action_name", "category", "target", "note", "revision",
                 "updated_by", "updated")
MESSAGE_COLUMNS = ("id", "turn", "created", "kind", "sender_team", "sender_name", "recipients", "thread",
                   "characters")
EVENT_COLUMNS = ("turn", "id", "kind", "phase", "subject", "teams", "audience", "text", "changes")


def _writer(columns):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    return buf, w


def _cell(value):
    return "" if value is None else value


def _turn_states(exercise):
    """(turn number, state dict, result dict or None) for the baseline and every published turn."""
    turns = list(Turn.objects.filter(exercise=exercise).order_by("number").only(
        "number", "status", "state_before", "result"))
    if not turns:
        return []
    rows = [(0, turns[0].state_before, None)]
    rows += [(t.number, t.result["state"], t.result) for t in turns if t.status == Turn.Status.PUBLISHED]
    return rows


def dyads_csv(states):
    buf, w = _writer(DYAD_COLUMNS)
    for number, state, result in states:
        attribution = (result or {}).get("attribution", {})
        for key in sorted(state.get("dyads", {})):
            d = state["dyads"][key]
            parts = attribution.get(key, {})
            w.writerow([number, key, *(d.get(v) for v in DYAD_VARS), d.get("rung"), engine.band_name(d["IL"]),
                        *(_cell(parts.get(name)) if result else "" for name in ATTR_NAMES)])
    return buf.getvalue()


def actors_csv(states):
    buf, w = _writer(ACTOR_COLUMNS)
    for number, state, _result in states:
        rp = state.get("rp", {})
        for code, values in state.get("actors", {}).items():
            w.writerow([number, code, *(_cell(values.get(v)) for v in ACTOR_VARIABLES), _cell(rp.get(code))])
    return buf.getvalue()


def orders_csv(exercise):
    spec = load_scenario(exercise.scenario.slug) if exercise.scenario.slug in scenario_slugs() else None
    actions = spec.actions if spec else {}
    buf, w = _writer(ORDER_COLUMNS)
    for o in Order.objects.filter(turn__exercise=exercise).exclude(action="").order_by(
            "turn__number", "team_id", "slot").values_list(
            "turn__number", "team__code", "slot", "action", "target", "note", "revision",
            "updated_by__display_name", "updated"):
        number, team, slot, key, target, note, revision, by, updated = o
        action = actions.get(key)
        w.writerow([number, team, slot, key, action.name if action else "", action.category if action else "",
                    target, note, revision, _cell(by), updated.isoformat()])
    return buf.getvalue()


def messages_csv(exercise, *, text=False, progress=None):
    columns = MESSAGE_COLUMNS + (("text",) if text else ())
    buf, w = _writer(columns)
    qs = Message.objects.filter(exercise=exercise)
    total = qs.count() or 1
    recipients = {}
    for message_id, code in Message.recipients.through.objects.filter(message__exercise=exercise).order_by(
            "message_id", "team_id").values_list("message_id", "team__code"):
        recipients.setdefault(message_id, []).append(code)
    fields = ["id", "turn_number", "created", "kind", "sender_team__code", "sender_name", "thread", "body"]
    for n, (pk, number, created, kind, sender, name, thread, body) in enumerate(
            qs.order_by("created", "id").values_list(*fields), 1):
        row = [pk, number, created.isoformat(), kind, _cell(sender), name, " ".join(recipients.get(pk, [])),
               thread, len(body)]
        w.writerow(row + [body] if text else row)
        if progress and n % 500 == 0:
            progress(n / total)
    return buf.getvalue()


def events_csv(states):
    buf, w = _writer(EVENT_COLUMNS)
    for number, _state, result in states:
        for e in (result or {}).get("events", ()):
            parsed = engine.parse_event_id(e.get("id", ""))
            audience = e.get("audience", "white")
            w.writerow([parsed.turn if parsed else number, e.get("id", ""), e.get("kind", ""), e.get("phase", ""),
                        parsed.subject if parsed else "", " ".join(e.get("teams") or ()),
                        audience if isinstance(audience, str) else " ".join(audience), e.get("text", ""),
                        json.dumps(e.get("changes") or [], ensure_ascii=False)])
    return buf.getvalue()


def build_csv_zip(exercise, *, message_text=False, progress=None):
    """The zip of the five tables, as bytes. ``progress(percent)`` as each table is done."""
    report = progress or (lambda pct: None)
    states = _turn_states(exercise)
    report(5)
    files = [("dyads.csv", dyads_csv(states))]
    report(15)
    files.append(("actors.csv", actors_csv(states)))
    report(20)
    files.append(("orders.csv", orders_csv(exercise)))
    report(25)
    files.append(("messages.csv", messages_csv(exercise, text=message_text,
                                               progress=lambda share: report(25 + int(55 * share)))))
    report(80)
    files.append(("events.csv", events_csv(states)))
    report(90)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in files:
            z.writestr(name, "\ufeff" + text)  # a BOM, so spreadsheet programs read UTF-8
    report(98)
    return out.getvalue()
