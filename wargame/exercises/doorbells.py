"""The doorbells: what a write rings (once it commits) so that open pages know what changed.

Services ring them through services.common.record; the streams carry them as SSE event names; views map
them to the panels they change, and templates listen for them (`sse:<name>`). One list, here, so a name
cannot be misspelt on one side only: a test renders every page and checks each `sse:` it listens for.
"""
from enum import StrEnum


class Doorbell(StrEnum):
    ROSTER_CHANGED = "roster_changed"  # someone joined, moved, was renamed or removed; switch requests
    ORDERS_CHANGED = "orders_changed"  # an order, argued action, counter or card was saved
    CLOCK_CHANGED = "clock_changed"  # the turn's deadline was set, paused, resumed or extended
    INJECTS_CHANGED = "injects_changed"  # White queued, skipped or wrote an inject for the open turn
    MESSAGE_SENT = "message_sent"
    TURN_LOCKED = "turn_locked"
    TURN_RESOLVING = "turn_resolving"
    TURN_RESOLVED = "turn_resolved"  # a proposed result is ready for White's review (or changed in it)
    TURN_PUBLISHED = "turn_published"
    CRISIS_CHANGED = "crisis_changed"  # a crisis team chose, or the crisis sub-turn was settled
    EXERCISE_DELETED = "exercise_deleted"
    FORECAST_CHANGED = "forecast_changed"  # White's forecast started, moved on, finished or was cancelled (console only)
    DEBRIEF_RELEASED = "debrief_released"  # White released (or withdrew, or changed) the public after-action review


NAMES = frozenset(d.value for d in Doorbell)
