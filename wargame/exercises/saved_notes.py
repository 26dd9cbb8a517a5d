"""White's in-place confirmations ("Scaled ×0.5 — saved"), remembered for half a minute.

A change answers with its own row, but the change also rings the doorbell, and the review's
refresh can land first and replace the row the answer was aimed at. Every render of the review
therefore reads the recent confirmations too, so whichever answer lands last still says it.
Best effort: without Redis the note simply does not outlive its own answer.
"""

import logging
import time

import redis
from django.core.cache import cache

log = logging.getLogger(__name__)

KEEP_SECONDS = 30


def _key(exercise_id, user_id):
    return f"saved-notes:{exercise_id}:{user_id}"


def note_remember(*, exercise_id, user_id, note_id, text):
    try:
        notes = cache.get(_key(exercise_id, user_id)) or {}
        notes[note_id] = (text, time.time())
        cache.set(_key(exercise_id, user_id), notes, KEEP_SECONDS)
    except (redis.RedisError, OSError) as exc:
        log.warning("saved note not remembered (%s)", exc)


def notes_recent(*, exercise_id, user_id):
    """{note id: text} of this person's confirmations in the last half minute."""
    try:
        notes = cache.get(_key(exercise_id, user_id)) or {}
    except (redis.RedisError, OSError):
        return {}
    now = time.time()
    return {note_id: text for note_id, (text, at) in notes.items() if now - at < KEEP_SECONDS}
