"""What an event of a turn result is: its id, who may read it, and which kinds make headlines.

Every event the engine records has an id "t<turn>:<kind>:<subject>" (the subject may hold more colons,
as in "t1:order:JPN:M2") and an audience: "all", "white", or a list of team codes. The app reads both
through this module only, so the format is known in one place.
"""
from __future__ import annotations

from dataclasses import dataclass

# Kinds of public event the plenary view and the headlines show.
HEADLINE_KINDS = frozenset(("inject", "incident", "crisis", "crisis_outcome", "treaty", "band_change", "end", "action",
                            "argued", "trigger", "ice", "transit_blocked"))


@dataclass(frozen=True)
class EventId:
    turn: int
    kind: str
    subject: str = ""

    def __str__(self):
        return f"t{self.turn}:{self.kind}:{self.subject}" if self.subject else f"t{self.turn}:{self.kind}"

    @property
    def pair(self) -> tuple[str, str] | None:
        """The two teams of a dyad subject ("CHN-JPN"), else None."""
        parts = self.subject.split("-")
        return (parts[0], parts[1]) if len(parts) == 2 and ":" not in self.subject and all(parts) else None


def parse_event_id(text) -> EventId | None:
    """The parts of an engine event id, or None when the text is not one."""
    parts = str(text).split(":", 2)
    if len(parts) < 2 or not parts[0].startswith("t") or not parts[0][1:].isdigit() or not parts[1]:
        return None
    return EventId(int(parts[0][1:]), parts[1], parts[2] if len(parts) == 3 else "")


def audience_includes(audience, code: str) -> bool:
    """Whether a team is in an audience: "all", "white" (White only) or a list of team codes."""
    return audience == "all" or (not isinstance(audience, str) and code in audience)


def visible_to(event: dict, code: str) -> bool:
    """Whether a team may read an event of a turn result. An event without an audience is White's."""
    return audience_includes(event.get("audience", "white"), code)


def public(event: dict) -> bool:
    return event.get("audience") == "all"
