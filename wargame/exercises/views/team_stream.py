"""A team's stream: the dashboard's doorbell, carrying the panels each doorbell changed.

On the public stream every open dashboard answered each doorbell with a request. Here the server renders
a team's changed panels once per version (in one process; the others read them from the fragments cache)
and pushes them down the stream; the page swaps them in by id (``sse-swap="panels"``).
Only what differs per person still costs a request: the unread count, on ``message_sent``, and only on
the teams the message was for. The CSRF token of each browser and the turn clock's second are filled in
as each stream sends; "Saved by you" is shown by the page itself.

The stream is private, so it opens through the dashboard's own gate, and it closes the moment the seat
goes: at every roster change each stream checks its seat, and a player who left, moved or was removed
gets ``seat_lost`` instead of any further panel. Doorbells reach a stream in the order they rang, so no
panel rendered after the change can overtake it.
"""

import asyncio
import json
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import redis
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.functional import SimpleLazyObject as lazy

from .. import access, live, selectors
from ..doorbells import Doorbell
from ..models import Exercise, Player, Team, Turn
from . import player as dashboard
from .common import out_of_band
from .ops import gate_then_release, stream_response

log = logging.getLogger(__name__)

CLOCK_PLACEHOLDER = "__seconds_left_on_the_turn_clock__"
SEAT_EVENTS = {Doorbell.ROSTER_CHANGED, Doorbell.EXERCISE_DELETED}


@dataclass(frozen=True)
class Viewer:
    exercise_id: int
    team_id: int
    team_code: str
    player_id: int | None  # None: White looking on, read-only
    session_key: str | None
    csrf_token: str
    language: str


@dataclass(frozen=True)
class TeamPanels:
    """A team's panels at one version, rendered once for every teammate."""
    version: int
    html: dict  # panel id -> HTML holding the CSRF and clock placeholders
    deadline: float | None  # when the open turn's clock runs out, in epoch seconds


# Renders take turns on one thread per process: under the GIL, threads rendering side by side would all
# finish late, where one after another the first team's panels leave after one render.
_render_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="team-stream")


def _in_render_thread(fn):
    return sync_to_async(fn, thread_sensitive=False, executor=_render_thread)


class _OncePerKey:
    """Run a coroutine once per key in this process; every stream asking meanwhile awaits that run."""

    def __init__(self, size=512):
        self.runs = OrderedDict()
        self.size = size

    async def get(self, key, make, *args):
        task = self.runs.get(key)
        if task is None:
            task = self.runs[key] = asyncio.ensure_future(make(*args))
            while len(self.runs) > self.size:
                self.runs.popitem(last=False)
        try:
            return await asyncio.shield(task)  # a reader who leaves must not cancel the others' rendering
        except Exception:
            self.runs.pop(key, None)  # the next doorbell tries again
            raise


_renders = _OncePerKey()
_rosters = _OncePerKey()


async def team_events(request, code, team):
    team, player = await sync_to_async(gate_then_release)(access.access_team_as_player, request, code, team)
    viewer = Viewer(exercise_id=team.exercise_id, team_id=team.pk, team_code=team.code,
                    player_id=player.pk if player else None, session_key=request.session.session_key,
                    csrf_token=get_token(request), language=translation.get_language())

    async def handle(events):
        return await _handle(viewer, events)

    return stream_response(team.exercise, handle)


async def _handle(viewer, events):
    # A doorbell meant for other teams (a message between them) is only a new version here: "changed".
    events = [live.public(event) if viewer.team_code in event.get("audience", [viewer.team_code])
              else {**live.public(event), "kind": "changed"} for event in events]
    kinds = {event.get("kind") for event in events}
    # Render at the newest version this process has heard of, not this stream's own: every stream that
    # handles a burst of doorbells at about the same moment then asks for the same rendering.
    version = max(live.latest_version(viewer.exercise_id), *(event.get("version", 0) for event in events))
    doorbells = [live.frame(event.get("kind", "changed"), json.dumps(event)) for event in events]
    try:
        if kinds & SEAT_EVENTS and not await _still_seated(viewer, version):
            return [live.frame("seat_lost", json.dumps({"exercise": viewer.exercise_id}))], False
        wanted = tuple(name for name, on in dashboard.PUSHED_PANEL_EVENTS.items() if on & kinds)
        if not wanted:
            return doorbells, True
        panels = await _renders.get((viewer.team_id, version, viewer.language, viewer.player_id is None, wanted),
                                    _team_panels, viewer, version, wanted)
        return [live.frame("panels", _for_viewer(viewer, panels, wanted)), *doorbells], True
    except Exception:
        # End the stream instead: the browser reconnects, sees from the hello that it is behind, and asks.
        log.exception("team stream for team %s could not push %s", viewer.team_id, sorted(kinds))
        return [], False


async def _team_panels(viewer, version, wanted):
    """The team's panels for this doorbell: rendered by one process, the others read them from the cache."""
    key = (f"pushed:{viewer.team_id}:{version}:{viewer.language}:{int(viewer.player_id is None)}:"
           f"{'+'.join(wanted)}")
    try:
        panels, mine = await sync_to_async(_claim, thread_sensitive=False)(key)
        for _ in range(200 if not (panels or mine) else 0):  # another process is rendering them
            await asyncio.sleep(0.01)
            if (panels := await sync_to_async(cache.get, thread_sensitive=False)(key)) is not None:
                break
    except redis.RedisError:
        panels = None  # no cache to share through: render here
    if panels is None:
        panels = await _in_render_thread(_render_team_panels)(viewer, wanted)
        try:
            await sync_to_async(cache.set, thread_sensitive=False)(key, panels, 600)
        except redis.RedisError:
            pass
    return panels


def _claim(key):
    """(the panels if rendered already, whether this process now renders them)."""
    panels = cache.get(key)
    return panels, panels is None and cache.add(f"{key}:rendering", 1, 5)


async def _still_seated(viewer, version):
    exists, seats = await _rosters.get((viewer.exercise_id, version), _in_render_thread(_seats), viewer.exercise_id)
    if viewer.player_id is None:
        return exists  # White: the exercise itself is the only thing that can go
    return (viewer.player_id, viewer.team_id, viewer.session_key) in seats


def _seats(exercise_id):
    """(exercise still there, {(player, team, session key)} of every seated player): one query per roster change."""
    try:
        seats = set(Player.objects.filter(exercise_id=exercise_id, removed_at__isnull=True, team__isnull=False)
                    .values_list("pk", "team_id", "session_key"))
        return bool(seats) or Exercise.objects.filter(pk=exercise_id).exists(), seats
    finally:
        connection.close()  # a stream's thread must not keep a connection between doorbells


def _load(viewer):
    team = Team.objects.select_related("exercise__scenario").get(pk=viewer.team_id)
    player = Player.objects.get(pk=viewer.player_id) if viewer.player_id else None
    return team, player, dashboard._dashboard_context(None, team, player, seen=False)


def _render_team_panels(viewer, wanted):
    """The panels as every teammate sees them: no one's unread count, no one's token, no clock's second."""
    try:
        with translation.override(viewer.language):
            team, player, context = _load(viewer)
            turn = context["turn"]
            context.update(keep_unread_badge=True, summary=lazy(lambda: _summary_with_clock(team, turn)))
            html = dashboard.team_fragments(team, player, context, wanted, pushed=True)
            deadline = None
            if turn is not None and turn.status == Turn.Status.OPEN and turn.deadline is not None:
                deadline = turn.deadline.timestamp()
            return TeamPanels(version=team.exercise.version, html=html, deadline=deadline)
    finally:
        connection.close()


def _summary_with_clock(team, turn):
    summary = selectors.turn_summary(team.exercise, turn=turn)
    if summary["seconds_left"] is not None:
        summary = {**summary, "seconds_left": CLOCK_PLACEHOLDER}  # each stream fills in its own second
    return summary


def _for_viewer(viewer, panels, wanted):
    text = "".join(out_of_band(panels.html[name]) for name in wanted)
    seconds = "0" if panels.deadline is None else str(max(0, int(panels.deadline - time.time())))
    return text.replace(dashboard.CSRF_PLACEHOLDER, viewer.csrf_token).replace(CLOCK_PLACEHOLDER, seconds)
