"""What the phases of one turn share: the state being changed, the dice, the event log, the interpreter."""
from __future__ import annotations

from ..effects import Buffer, Interpreter, Scope, apply_buffer
from ..messages import action_names, is_msg, msg, render


class Turn:
    """One turn being resolved. Phases change `state` and append to `events`; effects go through `interpreter`."""

    def __init__(self, scenario, state, number: int, dice, overrides: dict, ordered):
        self.scenario = scenario
        self.params = scenario.params
        self.state = state
        self.number = number
        self.dice = dice
        self.overrides = overrides  # event id -> White's scale / replace Override
        self.used_overrides: set = set()
        self.events: list = []
        self.attribution: dict = {}  # dyad -> ΔT parts [direct, spillover, incident, drift]
        self.start_support: dict = {}  # D of each actor at turn start: D reverts from there
        self.interpreter = Interpreter(scenario, state, number, dice, ordered)
        self.names = action_names(scenario)

    def render(self, message) -> str:
        """The English text of a message (messages.py), with the scenario's action names."""
        return render(message, self.names)

    def record(self, event_id, phase, kind, teams, audience, text, **extra) -> dict:
        """Append an event. `text` is a message (messages.msg): the event keeps it as "msg" and its English
        rendering as "text". (A plain string is kept as a "raw" message.)"""
        message = text if is_msg(text) else msg("raw", text=str(text))
        event = {"id": event_id, "phase": phase, "kind": kind, "teams": list(teams), "audience": audience,
                 "text": self.render(message), "msg": message}
        if extra:
            event.update(extra)
        self.events.append(event)
        return event

    def add_note(self, event: dict, note_id: str):
        """Append " (note)" to an event: its message becomes with_note(base, note)."""
        event["msg"] = msg("with_note", base=event["msg"], note=msg(note_id))
        event["text"] = self.render(event["msg"])

    def apply(self, buffer: Buffer):
        apply_buffer(self.state, self.params.ranges, buffer, self.attribution)

    def run_event(self, event_id, phase, kind, effects, scope: Scope, buffer: Buffer, *, teams, audience, text,
                  scale=1.0, extra=None) -> dict:
        """Run one event's effects into `buffer` and record it, honouring White's scale/replace override."""
        override = self.overrides.get(event_id)
        shown = None
        if override is not None:
            self.used_overrides.add(event_id)
            if override.kind == "scale":
                # an argued action's override sets its scale; any other multiplies it
                scale = scale * override.value if kind != "argued" else override.value
            elif override.kind == "replace":
                effects = tuple(override.value)
            value = override.value if not isinstance(override.value, tuple) else list(override.value)
            shown = {"kind": override.kind, "value": value, "reason": override.reason, "note": override.note}
        changes = []
        self.interpreter.run(effects, scope, scale, buffer, changes, event_id, phase)
        event = self.record(event_id, phase, kind, teams, audience, text)
        event["changes"] = changes  # (target, var, delta, attribution) tuples; JSON turns them into lists
        if scale != 1.0:
            event["scale"] = scale
        if extra:
            event.update(extra)
        if shown:
            event["override"] = shown
            self.record(f"{event_id}:override", phase, "override", teams, "white",
                        msg("override_note" if override.note else "override", reason=override.reason,
                            event=event_id, kind=override.kind, value=repr(shown["value"]),
                            **({"note": override.note} if override.note else {})),
                        target=event_id, reason=override.reason)
        return event
