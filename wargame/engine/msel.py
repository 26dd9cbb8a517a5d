"""The scripted injects (the MSEL) through a game: which are due, which fired, which wait.

Pure reads of the scenario, the events each resolved turn recorded and White's inputs (skip, fire now).
The app turns the statuses into words; the rules of when an inject is due live here and in the inject
phase of the resolver, which fires them.
"""
from __future__ import annotations

from dataclasses import dataclass

from .events import audience_includes

# A scripted inject's place in the game, in the order the console explains them.
FIRED, PROPOSED, QUEUED, SKIPPED, WAITING, SCHEDULED = "fired", "proposed", "queued", "skipped", "waiting", "scheduled"


@dataclass(frozen=True)
class ResolvedTurn:
    """What msel_status needs of a turn the engine resolved: its number, whether White published it,
    the events it recorded and White's inputs for it."""
    number: int
    published: bool
    events: tuple
    inputs: dict


@dataclass(frozen=True)
class InjectStatus:
    inject: object  # the InjectSpec
    status: str
    turn: int | None = None  # the turn it fired (or fires) in
    why: str = ""  # the engine's reason it fired: "turn 3", a condition that held, "fired now by White"


def msel_status(scenario, resolved, pending_inputs) -> list[InjectStatus]:
    """Each scripted inject's status. ``resolved``: ResolvedTurn for every turn with a result, oldest
    first; ``pending_inputs``: White's inputs for the turn now open (or {})."""
    fired, skipped = {}, set()
    for turn in resolved:
        for e in turn.events:
            if e.get("kind") == "inject" and e.get("inject"):
                fired.setdefault(e["inject"], (turn.number, turn.published, e.get("why", "")))
        skipped |= set((turn.inputs or {}).get("skip", []))
    pending = pending_inputs or {}
    out = []
    for inj in scenario.injects:
        trigger = inj.trigger or {}
        if inj.id in fired:
            number, published, why = fired[inj.id]
            out.append(InjectStatus(inj, FIRED if published else PROPOSED, number, why))
        elif inj.id in pending.get("fire_now", []):
            out.append(InjectStatus(inj, QUEUED))
        elif inj.id in skipped or inj.id in pending.get("skip", []):
            out.append(InjectStatus(inj, SKIPPED))
        elif "when" in trigger:
            out.append(InjectStatus(inj, WAITING))
        else:
            out.append(InjectStatus(inj, SCHEDULED, trigger.get("turn")))
    return out


def injects_announced(scenario, turn_number, inputs, code) -> list[dict]:
    """The injects a team is told about as a turn opens: scripted ones due by turn (not by condition,
    which only the resolution knows) or fired now by White, unless skipped; and White's ad-hoc ones."""
    inputs = inputs or {}
    rows = []
    for inj in scenario.injects:
        trigger = inj.trigger or {}
        scheduled = trigger.get("turn") == turn_number and "when" not in trigger
        if (scheduled or inj.id in inputs.get("fire_now", [])) and inj.id not in inputs.get("skip", []):
            if audience_includes(inj.audience, code):
                rows.append({"id": inj.id, "title": inj.title, "text": inj.text, "decision": inj.decision})
    for inj in inputs.get("injects", []):
        if audience_includes(inj["audience"], code):
            rows.append({"id": inj["id"], "title": inj["title"], "text": inj["text"], "decision": ""})
    return rows
