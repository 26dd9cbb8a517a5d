"""What every write shares: the refusals a person reads, text limits, and the tail that logs a change,
bumps the exercise version and rings the doorbell on commit."""

import re

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .. import live
from ..models import Event, Exercise, Turn


class ServiceError(Exception):
    """A refusal a person should read: the message names the reason."""

class StaleAction(ServiceError):
    """The page was out of date: the thing already happened or can no longer happen."""


class SeatTaken(ServiceError):
    """A seated player tried to change team themselves."""


class PlayerRemoved(ServiceError):
    """White removed this player from the exercise."""


class OrderConflict(ServiceError):
    """A teammate saved the same order slot first."""


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NOTE_MAX_CHARS = 1000
AIM_MAX_CHARS = 200
NARRATIVE_MAX_CHARS = 8000
INJECT_TITLE_MAX_CHARS = 200
INJECT_TEXT_MAX_CHARS = 4000
OVERRIDE_NOTE_MAX_CHARS = 500


def clean_text(value, *, limit, what):
    """Strip a person's text and refuse (never truncate) what is too long or holds control characters."""
    text = (value or "").strip()
    if len(text) > limit:
        raise ServiceError(_("%(what)s is at most %(n)d characters; this one has %(m)d. Your text is kept.")
                           % {"what": what, "n": limit, "m": len(text)})
    if CONTROL_CHARACTERS.search(text):
        raise ServiceError(_("%(what)s contains a control character; remove it and save again.") % {"what": what})
    return text


def bump(exercise_id, kind, audience=None):
    """Advance the exercise version and ring the doorbell once the transaction commits. ``audience``: the
    codes of the only teams the change concerns (a message's readers); None for everyone."""
    Exercise.objects.filter(pk=exercise_id).update(version=F("version") + 1)
    version = Exercise.objects.values_list("version", flat=True).get(pk=exercise_id)
    live.publish_on_commit(exercise_id=exercise_id, kind=kind, version=version, audience=audience)
    return version


def log_event(*, exercise_id, turn_number, kind, actor="", **payload):
    return Event.objects.create(
        exercise_id=exercise_id, turn_number=turn_number, kind=kind, actor=str(actor)[:80], payload=payload
    )


def record(*, exercise_id, turn_number, kind, doorbell, actor="", audience=None, **payload):
    """The tail of every write that changes what someone sees: log it, bump the version, ring the doorbell."""
    log_event(exercise_id=exercise_id, turn_number=turn_number, kind=kind, actor=actor, **payload)
    return bump(exercise_id, doorbell, audience=audience)


ORDER_CONFLICT = _lazy("%(who)s changed this order while you were editing. Both versions are shown: "
                       "keep theirs, or replace it with yours.")
ARGUED_CONFLICT = _lazy("%(who)s changed the argued action while you were editing. Both versions are "
                        "shown: keep theirs, or replace it with yours.")


def check_revision(existing, base_revision, message):
    """Refuse a save made from a stale page: a teammate saved since it was drawn. Returns the revision."""
    current = existing.revision if existing else 0
    if current != base_revision:
        who = existing.updated_by.display_name if existing and existing.updated_by else _("a teammate")
        raise OrderConflict(str(message) % {"who": who})
    return current


def team_codes(codes):
    """Team codes as people send them: stripped, upper case, each once, in the order given."""
    out = []
    for code in codes:
        code = str(code).strip().upper()
        if code and code not in out:
            out.append(code)
    return out


def current_turn_locked(exercise_id, number=None):
    qs = Turn.objects.select_for_update().filter(exercise_id=exercise_id)
    turn = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if turn is None:
        raise StaleAction(_("That turn does not exist."))
    return turn


def turn_for_white(exercise, turn_number, allowed):
    turn = current_turn_locked(exercise.pk, turn_number)
    if turn.status not in allowed:
        raise StaleAction(_("Turn %(n)d is %(status)s; that can no longer be done. The page has been refreshed.")
                          % {"n": turn.number, "status": turn.get_status_display().lower()})
    return turn


def current_turn_number(exercise_id):
    latest = Turn.objects.filter(exercise_id=exercise_id).order_by("-number").values_list("number", flat=True)
    return latest.first() or 0
