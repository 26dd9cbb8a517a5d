"""Every write. Each service owns its transaction, locks what it changes and rings the
doorbell on commit. Keyword-only arguments, named <thing>_<verb>."""

import logging
import math
import os
import random
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wargame import engine
from wargame.scenarios import load_scenario, scenario_slugs

from . import jobs, live
from .models import (ArguedAction, CounterArgument, EstimateCard, Event, Exercise, Message, Order, Player, Scenario,
                     Team, ThreadRead, Turn)

log = logging.getLogger(__name__)


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


def _bump(exercise_id, kind, audience=None):
    """Advance the exercise version and ring the doorbell once the transaction commits. ``audience``: the
    codes of the only teams the change concerns (a message's readers); None for everyone."""
    Exercise.objects.filter(pk=exercise_id).update(version=F("version") + 1)
    version = Exercise.objects.values_list("version", flat=True).get(pk=exercise_id)
    live.publish_on_commit(exercise_id=exercise_id, kind=kind, version=version, audience=audience)
    return version


def _log(*, exercise_id, turn_number, kind, actor="", **payload):
    return Event.objects.create(
        exercise_id=exercise_id, turn_number=turn_number, kind=kind, actor=str(actor)[:80], payload=payload
    )


def _record(*, exercise_id, turn_number, kind, doorbell, actor="", audience=None, **payload):
    """The tail of every write that changes what someone sees: log it, bump the version, ring the doorbell."""
    _log(exercise_id=exercise_id, turn_number=turn_number, kind=kind, actor=actor, **payload)
    return _bump(exercise_id, doorbell, audience=audience)


ORDER_CONFLICT = _lazy("%(who)s changed this order while you were editing. Both versions are shown: "
                       "keep theirs, or replace it with yours.")
ARGUED_CONFLICT = _lazy("%(who)s changed the argued action while you were editing. Both versions are "
                        "shown: keep theirs, or replace it with yours.")


def _check_revision(existing, base_revision, message):
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


def scenario_sync():
    """Mirror the scenario files into the Scenario table (title and summary only)."""
    rows = []
    for slug in scenario_slugs():
        spec = load_scenario(slug)
        row, _created = Scenario.objects.update_or_create(
            slug=slug, defaults={"title": spec.title, "summary": spec.summary}
        )
        rows.append(row)
    return rows


@transaction.atomic
def exercise_create(*, scenario_slug, name, facilitator, seed=None, team_codes=None, mode=Exercise.Mode.CARDS):
    spec = load_scenario(scenario_slug)
    scenario, _created = Scenario.objects.update_or_create(
        slug=spec.slug, defaults={"title": spec.title, "summary": spec.summary}
    )
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    state = spec.initial_state()
    name = clean_text(name, limit=Exercise._meta.get_field("name").max_length, what=_("An exercise name"))
    exercise = Exercise.objects.create(
        scenario=scenario, name=name or spec.title, seed=seed, adjudication_mode=mode,
        state=state.to_dict(),
    )
    exercise.facilitators.add(facilitator)
    wanted = set(team_codes) if team_codes else {t.code for t in spec.teams if t.played_by_default}
    for t in spec.teams:
        if t.code in wanted:
            Team.objects.create(exercise=exercise, code=t.code, name=t.name, colour=t.colour,
                                max_players=settings.TEAM_MAX_PLAYERS)
    Turn.objects.create(exercise=exercise, number=1, state_before=state.to_dict())
    _log(exercise_id=exercise.pk, turn_number=0, kind="exercise_created", actor=facilitator,
         scenario=spec.slug, seed=seed, teams=sorted(wanted), mode=mode)
    return exercise


@transaction.atomic
def facilitator_add(*, exercise, user, by):
    exercise.facilitators.add(user)
    _log(exercise_id=exercise.pk, turn_number=0, kind="facilitator_added", actor=by, user=user.username)


ENDED_REASON_MAX_CHARS = 200


@transaction.atomic
def exercise_end(*, exercise, by, reason):
    """White ends the exercise: no more joins, orders or messages. The open turn's clock stops, so beat
    never locks it; published turns and the log stay readable."""
    reason = clean_text(reason, limit=ENDED_REASON_MAX_CHARS, what=_("A reason"))
    if not reason:
        raise ServiceError(_("Say why the exercise ends; players will read it."))
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if exercise.status == Exercise.Status.ENDED:
        raise StaleAction(_("The exercise has already ended."))
    exercise.status, exercise.ended_reason = Exercise.Status.ENDED, reason
    exercise.save(update_fields=["status", "ended_reason"])
    Turn.objects.select_for_update().filter(exercise=exercise, status=Turn.Status.OPEN).update(
        deadline=None, paused_remaining=None)
    _record(exercise_id=exercise.pk, turn_number=_current_turn_number(exercise.pk), kind="exercise_ended", actor=by,
         reason=reason, doorbell="turn_published")
    # The panels that show an end refresh on turn_published, as when the last turn's publication ends it.
    return exercise


@transaction.atomic
def exercise_archive(*, exercise, by, archived=True):
    """Move an ended exercise out of White's list (or back). It stays readable."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if archived and exercise.status != Exercise.Status.ENDED:
        raise ServiceError(_("End the exercise before archiving it."))
    if bool(exercise.archived_at) == archived:
        raise StaleAction(_("The exercise is already archived.") if archived else _("The exercise is not archived."))
    exercise.archived_at = timezone.now() if archived else None
    exercise.save(update_fields=["archived_at"])
    _record(exercise_id=exercise.pk, turn_number=0, kind="exercise_archived" if archived else "exercise_unarchived",
         actor=by, doorbell="roster_changed")
    return exercise


@transaction.atomic
def exercise_delete(*, exercise, by, confirm_name):
    """Delete an exercise and everything in it, once White types its name. Open pages hear it and 404."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if " ".join((confirm_name or "").split()) != " ".join(exercise.name.split()):
        raise ServiceError(_("Type the exercise's name exactly, “%(name)s”, to delete it.") % {"name": exercise.name})
    log.warning("exercise %s (%s) deleted by %s", exercise.pk, exercise.name, by)
    version = exercise.version + 1
    exercise_id = exercise.pk
    exercise.delete()
    live.publish_on_commit(exercise_id=exercise_id, kind="exercise_deleted", version=version)
    return exercise_id


NAME_MAX_CHARS = 40


def _clean_name(display_name):
    """A display name: whitespace normalised, 1–40 characters, no control characters."""
    name = " ".join(clean_text(display_name, limit=200, what=_("A display name")).split())
    if not name:
        raise ServiceError(_("Please enter a display name."))
    if len(name) > NAME_MAX_CHARS:
        raise ServiceError(_("Display names are at most 40 characters."))
    return name


def _seated(team):
    """Players who count toward a team's size: removed players do not."""
    return team.players.filter(removed_at__isnull=True)


def _locked_player(player):
    return Player.objects.select_for_update(of=("self",)).select_related("team", "switch_request").get(pk=player.pk)


@transaction.atomic
def player_join(*, exercise, display_name, session_key, player_id=None):
    """Join with a display name, or come back: a browser session that already has a player in this exercise
    (``player_id`` from its session, or the same name, case and spaces aside, under this session key) gets
    that player back instead of a ghost. White's removal stands: a removed player cannot rejoin from here."""
    name = _clean_name(display_name)
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)  # one join at a time per exercise
    if exercise.status == Exercise.Status.ENDED:
        raise ServiceError(_("This exercise has ended; it no longer takes new players."))
    mine = Player.objects.select_related("team").filter(exercise=exercise, session_key=session_key)
    existing = (mine.filter(pk=player_id).first() if player_id else None) or mine.filter(
        display_name__iexact=name).order_by("removed_at", "joined").first()
    if existing is not None:
        if existing.removed_at:
            raise PlayerRemoved(_("White removed you from this exercise. If that is a mistake, ask White."))
        return existing
    player = Player.objects.create(exercise=exercise, display_name=name, session_key=session_key,
                                   last_seen=timezone.now())
    _record(exercise_id=exercise.pk, turn_number=0, kind="player_joined", actor=name, player=player.pk, doorbell="roster_changed")
    return player


def player_session_rekey(*, old_key, new_key):
    """A browser's session key was rotated (join, sign-in): its seats follow it."""
    if old_key and new_key and old_key != new_key:
        Player.objects.filter(session_key=old_key).update(session_key=new_key)


@transaction.atomic
def player_choose_team(*, player, team_code, by_facilitator=None):
    """A player takes a seat, or White moves a player (``by_facilitator``). Returns the updated player."""
    # Lock order: the exercise row, then the team (see message_send).
    Exercise.objects.select_for_update().filter(pk=player.exercise_id).values_list("pk", flat=True).first()
    team = (Team.objects.select_for_update().filter(exercise_id=player.exercise_id, code=team_code).first())
    if team is None:
        raise ServiceError(_("There is no team %(code)s in this exercise.") % {"code": team_code})
    player = _locked_player(player)
    if player.removed_at:
        raise PlayerRemoved(_("%(name)s was removed from this exercise.") % {"name": player.display_name})
    if player.team_id and player.team_id != team.pk and not by_facilitator:
        # A seat is a team's secret-keeper: moving would open the other team's briefing and orders.
        raise SeatTaken(_("You are seated with %(team)s. Only White can move you to another team.")
                        % {"team": player.team.name})
    if player.team_id != team.pk and _seated(team).count() >= team.max_players:
        raise ServiceError(_("%(team)s is full (%(n)d players). Choose another team or ask White.")
                           % {"team": team.name, "n": team.max_players})
    fields = ["team"]
    if by_facilitator and player.switch_pending and player.switch_request_id == team.pk:
        player.switch_answer = "approved"  # White moved them where they asked to go
        fields.append("switch_answer")
    player.team = team
    player.save(update_fields=fields)
    _record(exercise_id=player.exercise_id, turn_number=0, kind="player_assigned",
         actor=by_facilitator or player.display_name, player=player.pk, team=team.code, doorbell="roster_changed")
    return player


@transaction.atomic
def player_rename(*, player, display_name, by):
    """White corrects a display name. Messages already sent keep the name they were sent under."""
    name = _clean_name(display_name)
    player = _locked_player(player)
    old = player.display_name
    if name == old:
        return player
    player.display_name = name
    player.save(update_fields=["display_name"])
    _record(exercise_id=player.exercise_id, turn_number=0, kind="player_renamed", actor=by, player=player.pk,
         old=old, new=name, doorbell="roster_changed")
    return player


@transaction.atomic
def player_remove(*, player, by):
    """White removes a player: the row stays (their orders and messages keep their author), the session
    loses its seat and the player stops counting toward the team's size."""
    player = _locked_player(player)
    if player.removed_at:
        raise StaleAction(_("%(name)s was already removed.") % {"name": player.display_name})
    player.removed_at = timezone.now()
    player.switch_request, player.switch_requested_at, player.switch_answer = None, None, ""
    player.save(update_fields=["removed_at", "switch_request", "switch_requested_at", "switch_answer"])
    _record(exercise_id=player.exercise_id, turn_number=0, kind="player_removed", actor=by, player=player.pk,
         name=player.display_name, team=player.team.code if player.team else "", doorbell="roster_changed")
    return player


@transaction.atomic
def player_switch_request(*, player, team_code):
    """A seated player asks White to move them to another team; an empty team code withdraws the request."""
    player = _locked_player(player)
    if player.removed_at:
        raise PlayerRemoved(_("White removed you from this exercise."))
    if player.team_id is None:
        raise ServiceError(_("Choose a team first; you can ask to switch once you are seated."))
    if Exercise.objects.filter(pk=player.exercise_id, status=Exercise.Status.ENDED).exists():
        raise ServiceError(_("The exercise has ended; teams no longer change."))
    code = (team_code or "").strip().upper()
    if not code:
        if not player.switch_pending:
            raise StaleAction(_("You have no request waiting."))
        team = None
    else:
        team = Team.objects.filter(exercise_id=player.exercise_id, code=code).first()
        if team is None:
            raise ServiceError(_("There is no team %(code)s in this exercise.") % {"code": code})
        if team.pk == player.team_id:
            raise ServiceError(_("You are already with %(team)s.") % {"team": team.name})
    player.switch_request = team
    player.switch_requested_at = timezone.now() if team else None
    player.switch_answer = ""
    player.save(update_fields=["switch_request", "switch_requested_at", "switch_answer"])
    _record(exercise_id=player.exercise_id, turn_number=0, kind="switch_requested" if team else "switch_withdrawn",
         actor=player.display_name, player=player.pk, team=code, doorbell="roster_changed")
    return player


@transaction.atomic
def player_switch_decide(*, player, approve, by):
    """White answers a switch request: approving moves the player (refused, and left waiting, if the team
    is full); declining leaves them where they are. Either way the player sees the answer."""
    player = _locked_player(player)
    if not player.switch_pending:
        raise StaleAction(_("That request was already answered or withdrawn."))
    if approve:
        player = player_choose_team(player=player, team_code=player.switch_request.code, by_facilitator=by)
    else:
        player.switch_answer = "declined"
        player.save(update_fields=["switch_answer"])
        _bump(player.exercise_id, "roster_changed")
    _log(exercise_id=player.exercise_id, turn_number=0, kind="switch_answered", actor=by, player=player.pk,
         team=player.switch_request.code, approved=bool(approve))
    return player


SEEN_EVERY = timedelta(seconds=20)


def player_seen(*, player):
    """Mark a player connected. Panel refreshes are frequent, so write at most every 20 seconds."""
    now = timezone.now()
    if player.last_seen is None or now - player.last_seen >= SEEN_EVERY:
        Player.objects.filter(pk=player.pk).update(last_seen=now)
        player.last_seen = now


def _current_turn_locked(exercise_id, number=None):
    qs = Turn.objects.select_for_update().filter(exercise_id=exercise_id)
    turn = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if turn is None:
        raise StaleAction(_("That turn does not exist."))
    return turn


def _engine_orders(turn):
    qs = Order.objects.filter(turn=turn).select_related("team").exclude(action="")
    return [engine.Order(team=o.team.code, action=o.action, target=o.target or None) for o in qs]


def _engine_argued(turn):
    rows = ArguedAction.objects.filter(turn=turn).select_related("team").prefetch_related("counters", "cards__team")
    argued = []
    for a in rows:
        argued.append(engine.ArguedOrder(
            team=a.team.code, text=a.action, intended=a.intended, reasons=tuple(a.reasons), aims=tuple(a.aims),
            nearest_action=a.nearest_action or None, target=a.target or None,
            probability=a.probability,
            cards=tuple(((c.team.code if c.team else "WHITE"), c.probability) for c in a.cards.all()),
            accepted_reasons=len(a.accepted_reasons),
            accepted_counters=sum(1 for c in a.counters.all() if c.accepted),
            counter_arguments=tuple(c.text for c in a.counters.all())))
    return argued


def _inputs(turn):
    data = {"overrides": [], "injects": [], "skip": [], "fire_now": [], "narratives": {}}
    data.update(turn.inputs or {})
    return data


def _run_engine(turn, inputs=None):
    """Resolve a turn from its stored state and every input White has given. Pure and repeatable."""
    exercise = turn.exercise
    spec = load_scenario(exercise.scenario.slug)
    inputs = inputs or _inputs(turn)
    try:
        return engine.resolve_turn(
            spec, engine.GameState.from_dict(turn.state_before), _engine_orders(turn) + _engine_argued(turn),
            seed=exercise.seed,
            overrides=[engine.Override(**o) for o in inputs["overrides"]],
            injects=[engine.InjectInput(**{**i, "audience": i["audience"] if i["audience"] == "all"
                                            else tuple(i["audience"]), "effects": tuple(i["effects"])})
                     for i in inputs["injects"]],
            skip_injects=frozenset(inputs["skip"]), fire_now=frozenset(inputs["fire_now"]),
            argued_mode=engine.ARGUED_MODE_FOR_SETTING.get(exercise.adjudication_mode))
    except engine.EngineInputError as exc:
        raise ServiceError(str(exc)) from exc


@transaction.atomic
def order_save(*, player, turn_number, slot, action, target="", note="", base_revision=0):
    """Save one of a team's two order slots, refusing stale pages, conflicts and illegal orders."""
    if slot not in (1, 2):
        raise ServiceError(_("A team has two order slots."))
    turn = _open_turn_for(player, turn_number)
    team = player.team
    existing = Order.objects.select_for_update().filter(turn=turn, team=team, slot=slot).first()
    current_revision = _check_revision(existing, base_revision, ORDER_CONFLICT)
    action = (action or "").strip().upper()
    target = (target or "").strip().upper()
    note = clean_text(note, limit=NOTE_MAX_CHARS, what=_("An order note"))
    if target and not action:
        raise ServiceError(_("Choose an action for that target, or clear the target."))
    others = [engine.Order(team=team.code, action=o.action, target=o.target or None)
              for o in Order.objects.filter(turn=turn, team=team).exclude(slot=slot).exclude(action="")]
    if action:
        spec = load_scenario(turn.exercise.scenario.slug)
        proposed = others + [engine.Order(team=team.code, action=action, target=target or None)]
        problems = engine.check_orders(spec, engine.GameState.from_dict(turn.state_before), team.code, proposed)
        if problems:
            raise ServiceError("; ".join(problems))
    if existing is None:
        existing = Order(turn=turn, team=team, slot=slot, revision=0)
    # Orders are the team's own; only a bilateral proposal shows to its target, old and new.
    concerned = sorted({team.code, *(code for code in (existing.target, target) if code)})
    existing.action, existing.target, existing.note = action, target, note
    existing.revision = current_revision + 1
    existing.updated_by = player
    existing.save()
    _record(exercise_id=player.exercise_id, turn_number=turn.number, kind="order_saved", actor=player.display_name,
         team=team.code, slot=slot, action=action, target=target, revision=existing.revision, doorbell="orders_changed", audience=concerned)
    return existing


@transaction.atomic
def turn_set_deadline(*, turn, minutes, by):
    turn = _current_turn_locked(turn.exercise_id, turn.number)
    if turn.status != Turn.Status.OPEN:
        raise StaleAction(_("Turn %(n)d is no longer open.") % {"n": turn.number})
    if not 0 < minutes <= 240:
        raise ServiceError(_("A turn clock runs between 1 and 240 minutes."))
    turn.deadline = timezone.now() + timedelta(minutes=minutes)
    turn.paused_remaining = None
    turn.save(update_fields=["deadline", "paused_remaining"])
    _record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="clock_set", actor=by, minutes=minutes, doorbell="clock_changed")
    return turn


@transaction.atomic
def turn_lock(*, exercise, by, turn_number=None):
    """Close a turn to orders and hand it to the worker. Locking twice is refused, never repeated."""
    turn = _current_turn_locked(exercise.pk, turn_number)
    if turn.status != Turn.Status.OPEN:
        raise StaleAction(_("Turn %(n)d is already %(status)s.") % {"n": turn.number,
                                                                    "status": turn.get_status_display().lower()})
    turn.status = Turn.Status.LOCKED
    turn.locked_at = turn.resolve_queued_at = timezone.now()
    turn.save(update_fields=["status", "locked_at", "resolve_queued_at"])
    _record_lock(turn, by)
    return turn


def _record_lock(turn, by):
    orders = [{"team": o.team, "action": o.action, "target": o.target} for o in _engine_orders(turn)]
    _record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="turn_locked", actor=by, orders=orders, doorbell="turn_locked")
    jobs.send_on_commit(jobs.RESOLVE_TURN, turn.pk)  # best effort: if the broker is down, beat re-queues it


def resolve_grace():
    """How long a locked or resolving turn may wait for its result before beat re-queues it."""
    seconds = getattr(settings, "RESOLVE_GRACE_SECONDS", None) or os.environ.get("RESOLVE_GRACE_SECONDS") or 10
    return timedelta(seconds=float(seconds))


# Re-queues back off: each waits at least as long as the turn had waited before the last one (so grace,
# grace, 2×, 4×…), capped here so a turn resolves within 30 s of a worker coming back (cap + beat's 5 s tick).
# A dead worker for an hour then costs about 180 no-op tasks, not 720.
RESOLVE_REQUEUE_MAX_INTERVAL = timedelta(seconds=20)


def turns_requeue(*, now=None):
    """Beat calls this with the deadlines: re-queue every turn whose resolve task went missing.

    The broker was down at lock, or Redis lost its queue, or a worker died holding the task (Redis would
    redeliver it only after its visibility timeout). Resolution is exactly-once, so a spare task is harmless.
    The conditional UPDATE of resolve_queued_at (compare-and-set on the value read) is the claim, so two
    beats never both re-queue, and it throttles: the first re-queue waits the grace, each later one as
    long as the turn had waited before the last (grace, grace, 2x, 4x...), never more than 20 seconds.
    """
    now = now or timezone.now()
    grace = resolve_grace()
    waiting = Turn.objects.filter(status__in=(Turn.Status.LOCKED, Turn.Status.RESOLVING), result__isnull=True)
    requeued = []
    for turn_id, locked_at, queued_at in waiting.values_list("pk", "locked_at", "resolve_queued_at"):
        backoff = grace
        if queued_at and locked_at:
            backoff = max(grace, min(queued_at - locked_at, RESOLVE_REQUEUE_MAX_INTERVAL))
        last = queued_at or locked_at
        if last is not None and now - last < backoff:
            continue
        if waiting.filter(pk=turn_id, resolve_queued_at=queued_at).update(resolve_queued_at=now):
            log.warning("turn %s: no result since its resolve task of %s; re-queueing", turn_id, last)
            jobs.send(jobs.RESOLVE_TURN, turn_id)
            requeued.append(turn_id)
    return requeued


@transaction.atomic
def turn_resolve_retry(*, exercise, by, turn_number=None):
    """White's "Retry now": send the locked turn to the worker again. Refused unless it awaits its result."""
    turn = _current_turn_locked(exercise.pk, turn_number)
    if turn.status not in (Turn.Status.LOCKED, Turn.Status.RESOLVING) or turn.result is not None:
        raise StaleAction(_("Turn %(n)d is %(status)s; only a turn waiting for its result can be retried.")
                          % {"n": turn.number, "status": turn.get_status_display().lower()})
    turn.resolve_queued_at = timezone.now()
    turn.save(update_fields=["resolve_queued_at"])
    _log(exercise_id=exercise.pk, turn_number=turn.number, kind="resolve_retried", actor=by)
    jobs.send_on_commit(jobs.RESOLVE_TURN, turn.pk)
    return turn


def deadlines_enforce(*, now=None):
    """Beat calls this every few seconds: lock every open turn whose deadline has passed.

    The conditional UPDATE is the claim, so two beats (or a beat and White) never lock twice.
    """
    now = now or timezone.now()
    locked = []
    for turn_id in Turn.objects.filter(status=Turn.Status.OPEN, deadline__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Turn.objects.filter(pk=turn_id, status=Turn.Status.OPEN, deadline__lte=now).update(
                status=Turn.Status.LOCKED, locked_at=now, resolve_queued_at=now)
            if claimed:
                _record_lock(Turn.objects.get(pk=turn_id), "clock")
                locked.append(turn_id)
    turns_requeue(now=now)
    return locked


def turn_resolve(*, turn_id):
    """Run the engine on a locked turn. Idempotent: a second delivery finds the turn claimed."""
    # Show "resolving" at once; the claim that matters is the locked re-check below.
    if Turn.objects.filter(pk=turn_id, status=Turn.Status.LOCKED).update(status=Turn.Status.RESOLVING):
        exercise_id = Turn.objects.values_list("exercise_id", flat=True).get(pk=turn_id)
        with transaction.atomic():
            _bump(exercise_id, "turn_resolving")
    with transaction.atomic():
        turn = Turn.objects.select_for_update().select_related("exercise__scenario").get(pk=turn_id)
        if turn.status not in (Turn.Status.LOCKED, Turn.Status.RESOLVING) or turn.result is not None:
            log.info("turn %s already resolved, skipping", turn_id)
            return False
        exercise = turn.exercise
        result = _run_engine(turn)
        turn.result = result.to_dict()
        turn.status = Turn.Status.REVIEW
        turn.resolved_at = timezone.now()
        turn.save(update_fields=["result", "status", "resolved_at"])
        _record(exercise_id=exercise.pk, turn_number=turn.number, kind="turn_resolved", actor="engine",
             draws=turn.result.get("draws", []), doorbell="turn_resolved")
        return True


@transaction.atomic
def turn_publish(*, exercise, by, turn_number=None):
    """Release White's reviewed results to the teams and open the next turn."""
    turn = _current_turn_locked(exercise.pk, turn_number)
    if turn.status != Turn.Status.REVIEW:
        raise StaleAction(_("Turn %(n)d is %(status)s; only a turn in review can be published.")
                          % {"n": turn.number, "status": turn.get_status_display().lower()})
    exercise = Exercise.objects.select_for_update().select_related("scenario").get(pk=exercise.pk)
    new_state = turn.result["state"]
    edited = _inputs(turn)["narratives"]
    if edited:
        turn.result = {**turn.result, "narratives": {**turn.result.get("narratives", {}), **edited}}
    turn.status = Turn.Status.PUBLISHED
    turn.published_at = timezone.now()
    turn.save(update_fields=["status", "published_at", "result"])
    exercise.state = new_state
    ended = new_state.get("ended")  # the engine's end phase decides, the turn limit included
    if ended:
        exercise.status = Exercise.Status.ENDED
        exercise.ended_reason = str(ended)
    else:
        Turn.objects.create(exercise=exercise, number=turn.number + 1, state_before=new_state)
    exercise.save(update_fields=["state", "status", "ended_reason"])
    _record(exercise_id=exercise.pk, turn_number=turn.number, kind="turn_published", actor=by,
         ended=bool(ended), doorbell="turn_published")
    return turn


def message_thread(*, kind, sender_code, recipient_codes):
    """The thread a message belongs to: one per counterpart, per group, public, or from White."""
    if kind == Message.Kind.PUBLIC:
        return "public"
    if kind == Message.Kind.BROADCAST:
        return "white"
    if kind == Message.Kind.BILATERAL:
        return engine.dyad_key(sender_code, recipient_codes[0])
    return "group:" + "-".join(sorted({sender_code, *recipient_codes}))


@transaction.atomic
def message_send(*, exercise, sender_team, sender_name, kind, recipient_codes, body, turn_number):
    body = clean_text(body, limit=settings.MESSAGE_MAX_CHARS, what=_("A message"))
    if not body:
        raise ServiceError(_("A message cannot be empty."))
    teams = {t.code: t for t in exercise.teams.all()}
    unknown = [c for c in recipient_codes if c not in teams]
    if unknown:
        raise ServiceError(_("%(codes)s is not a team in this exercise.") % {"codes": ", ".join(unknown)})
    if kind in (Message.Kind.BILATERAL, Message.Kind.GROUP) and not recipient_codes:
        raise ServiceError(_("Choose at least one team to write to."))
    if kind == Message.Kind.BILATERAL and len(recipient_codes) != 1:
        raise ServiceError(_("A bilateral message goes to exactly one other team."))
    # The exercise row first, as every seat change does: inserting the message and its recipients takes
    # key-share locks on the teams, and taking the exercise row after them deadlocked against a join
    # (which locks a team, then the exercise) on PostgreSQL under load.
    to_everyone = kind == Message.Kind.PUBLIC or (kind == Message.Kind.BROADCAST and not recipient_codes)
    readers = None if to_everyone else sorted({*recipient_codes, *([sender_team.code] if sender_team else [])})
    _bump(exercise.pk, "message_sent", audience=readers)
    message = Message.objects.create(exercise=exercise, turn_number=turn_number, kind=kind,
                                     sender_team=sender_team, sender_name=sender_name[:60], body=body,
                                     thread=message_thread(kind=kind, sender_code=sender_team.code if sender_team
                                                           else None, recipient_codes=recipient_codes))
    if to_everyone:
        message.recipients.set(teams.values())
    else:
        message.recipients.set([teams[c] for c in recipient_codes])
    _log(exercise_id=exercise.pk, turn_number=turn_number, kind="message_sent", actor=sender_name,
         message=message.pk, message_kind=kind)
    return message


# ---- White's hand on the turn: clock, overrides, dice, injects, narratives ----

def _turn_for_white(exercise, turn_number, allowed):
    turn = _current_turn_locked(exercise.pk, turn_number)
    if turn.status not in allowed:
        raise StaleAction(_("Turn %(n)d is %(status)s; that can no longer be done. The page has been refreshed.")
                          % {"n": turn.number, "status": turn.get_status_display().lower()})
    return turn


def _change_inputs(turn, change, *, by, kind, **payload):
    """Apply one change to a turn's inputs; in review, re-run the engine so White sees the effect now."""
    inputs = _inputs(turn)
    change(inputs)
    fields = ["inputs"]
    if turn.status == Turn.Status.REVIEW:
        turn.result = _run_engine(turn, inputs).to_dict()  # raises ServiceError, leaving nothing changed
        fields.append("result")
    elif turn.status == Turn.Status.OPEN and (inputs["injects"] or inputs["fire_now"] or inputs["skip"]):
        _check_injects(turn, inputs)
    turn.inputs = inputs
    turn.save(update_fields=fields)
    _record(exercise_id=turn.exercise_id, turn_number=turn.number, kind=kind, actor=by, **payload, doorbell="turn_resolved" if turn.status == Turn.Status.REVIEW else "injects_changed")
    return turn


def _check_injects(turn, inputs):
    """Validate ad-hoc injects against the model's caps before the turn resolves."""
    _run_engine(turn, {**inputs, "overrides": []})


@transaction.atomic
def turn_override(*, exercise, by, turn_number, event_id, kind, value=None, reason="Error", note="", draw=None):
    """White overrides one proposed result: scale, replace, re-roll one draw or enter physical dice."""
    if reason not in engine.OVERRIDE_REASONS:
        raise ServiceError(_("Choose a reason: %(r)s.") % {"r": ", ".join(engine.OVERRIDE_REASONS)})
    if kind not in engine.OVERRIDE_KINDS:
        raise ServiceError(_("Unknown override kind."))
    turn = _turn_for_white(exercise, turn_number, {Turn.Status.REVIEW})
    known = {e["id"] for e in (turn.result or {}).get("events", [])} | {
        d["event"] for d in (turn.result or {}).get("draws", [])}
    if event_id not in known:
        raise StaleAction(_("That result is no longer in the proposal; the page has been refreshed."))
    note = clean_text(note, limit=OVERRIDE_NOTE_MAX_CHARS, what=_("A note"))
    if isinstance(value, float) and not math.isfinite(value):
        raise ServiceError(_("Enter a finite number."))
    override = {"event_id": event_id, "kind": kind, "value": value, "reason": reason, "note": note,
                "draw": draw}

    def change(inputs):
        same = (lambda o: o["event_id"] == event_id and (o["kind"] in ("reroll", "manual_dice")) ==
                (kind in ("reroll", "manual_dice")) and (kind not in ("reroll", "manual_dice") or o["draw"] == draw))
        if kind == "reroll":
            # Each re-roll of the same draw gets a new salt, so it lands on a fresh, still-seeded die.
            previous = [o for o in inputs["overrides"] if same(o) and o["kind"] == "reroll"]
            override["value"] = (previous[-1]["value"] if previous else 0) + 1
        inputs["overrides"] = [o for o in inputs["overrides"] if not same(o)] + [override]

    # The logged dict is the same object change() completes, so a re-roll's salt is in the log too.
    return _change_inputs(turn, change, by=by, kind=f"override_{kind}", override=override)


@transaction.atomic
def turn_override_clear(*, exercise, by, turn_number, event_id):
    turn = _turn_for_white(exercise, turn_number, {Turn.Status.REVIEW})

    def change(inputs):
        inputs["overrides"] = [o for o in inputs["overrides"] if o["event_id"] != event_id]

    return _change_inputs(turn, change, by=by, kind="override_cleared", event_id=event_id)


@transaction.atomic
def narrative_edit(*, exercise, by, turn_number, team_code, text):
    turn = _turn_for_white(exercise, turn_number, {Turn.Status.REVIEW})
    if not exercise.teams.filter(code=team_code).exists():
        raise ServiceError(_("There is no team %(code)s in this exercise.") % {"code": team_code})
    text = clean_text(text, limit=NARRATIVE_MAX_CHARS, what=_("A narrative"))

    def change(inputs):
        inputs["narratives"] = {**inputs["narratives"], team_code: text}

    return _change_inputs(turn, change, by=by, kind="narrative_edited", team=team_code)


@transaction.atomic
def inject_fire_now(*, exercise, by, turn_number, inject_id):
    turn = _turn_for_white(exercise, turn_number, {Turn.Status.OPEN, Turn.Status.REVIEW})
    spec = load_scenario(exercise.scenario.slug)
    if inject_id not in {i.id for i in spec.injects}:
        raise ServiceError(_("There is no inject %(id)s in this scenario.") % {"id": inject_id})

    def change(inputs):
        inputs["fire_now"] = sorted(set(inputs["fire_now"]) | {inject_id})
        inputs["skip"] = [i for i in inputs["skip"] if i != inject_id]

    return _change_inputs(turn, change, by=by, kind="inject_fired", inject=inject_id)


@transaction.atomic
def inject_skip(*, exercise, by, turn_number, inject_id):
    turn = _turn_for_white(exercise, turn_number, {Turn.Status.OPEN, Turn.Status.REVIEW})

    def change(inputs):
        inputs["skip"] = sorted(set(inputs["skip"]) | {inject_id})
        inputs["fire_now"] = [i for i in inputs["fire_now"] if i != inject_id]

    return _change_inputs(turn, change, by=by, kind="inject_skipped", inject=inject_id)


@transaction.atomic
def inject_adhoc(*, exercise, by, turn_number, title, text, audience, effects):
    """White writes an inject on the spot. Effects are checked against the model's caps."""
    title = clean_text(title, limit=INJECT_TITLE_MAX_CHARS, what=_("An inject title"))
    text = clean_text(text, limit=INJECT_TEXT_MAX_CHARS, what=_("An inject text"))
    if not title or not text:
        raise ServiceError(_("An inject needs a title and a text."))
    codes = set(exercise.teams.values_list("code", flat=True))
    if audience != "all":
        audience = sorted(team_codes(audience))
        if not audience:
            raise ServiceError(_("Choose at least one team, or all teams."))
        unknown = [c for c in audience if c not in codes]
        if unknown:
            raise ServiceError(_("%(codes)s is not a team in this exercise.") % {"codes": ", ".join(unknown)})
    turn = _turn_for_white(exercise, turn_number, {Turn.Status.OPEN, Turn.Status.REVIEW})
    inject = {"id": f"W{turn.number}-{len(_inputs(turn)['injects']) + 1}", "title": title, "text": text,
              "audience": audience, "effects": list(effects), "decision": ""}

    def change(inputs):
        inputs["injects"] = inputs["injects"] + [inject]

    return _change_inputs(turn, change, by=by, kind="inject_adhoc", inject=inject)


@transaction.atomic
def clock_pause(*, exercise, by):
    turn = _turn_for_white(exercise, None, {Turn.Status.OPEN})
    if turn.deadline is None:
        raise ServiceError(_("The clock is not running."))
    turn.paused_remaining = max(turn.deadline - timezone.now(), timedelta(0))
    turn.deadline = None
    turn.save(update_fields=["deadline", "paused_remaining"])
    _record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="clock_paused", actor=by, doorbell="clock_changed")
    return turn


@transaction.atomic
def clock_resume(*, exercise, by):
    turn = _turn_for_white(exercise, None, {Turn.Status.OPEN})
    if turn.paused_remaining is None:
        raise ServiceError(_("The clock is not paused."))
    turn.deadline = timezone.now() + turn.paused_remaining
    turn.paused_remaining = None
    turn.save(update_fields=["deadline", "paused_remaining"])
    _record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="clock_resumed", actor=by, doorbell="clock_changed")
    return turn


@transaction.atomic
def clock_extend(*, exercise, by, minutes):
    turn = _turn_for_white(exercise, None, {Turn.Status.OPEN})
    if not 0 < minutes <= 120:
        raise ServiceError(_("Extend by 1 to 120 minutes."))
    if turn.deadline is not None:
        turn.deadline += timedelta(minutes=minutes)
    elif turn.paused_remaining is not None:
        turn.paused_remaining += timedelta(minutes=minutes)
    else:
        raise ServiceError(_("Set a clock first."))
    turn.save(update_fields=["deadline", "paused_remaining"])
    _record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="clock_extended", actor=by, minutes=minutes, doorbell="clock_changed")
    return turn


@transaction.atomic
def argued_adjudicate(*, exercise, by, turn_number, team_code, accepted_reasons=None, accepted_counters=None,
                      probability=None, white_card=None):
    """White's part in an argued action: which reasons count, the umpire's probability, or White's card."""
    turn = _turn_for_white(exercise, turn_number, {Turn.Status.OPEN, Turn.Status.LOCKED, Turn.Status.REVIEW})
    argued = ArguedAction.objects.select_for_update().filter(turn=turn, team__code=team_code).first()
    if argued is None:
        raise StaleAction(_("That argued action no longer exists."))
    if probability is not None and not 0 <= probability <= 100:
        raise ServiceError(_("A probability is between 0 and 100%."))
    if white_card is not None and white_card not in EstimateCard.CARDS:
        raise ServiceError(_("Cards are 0, 10, 30, 50, 70, 90 or 100%."))
    if accepted_reasons is not None:
        argued.accepted_reasons = sorted(i for i in set(accepted_reasons) if 0 <= i < len(argued.reasons))
    if probability is not None:
        argued.probability = probability
    argued.save()
    if accepted_counters is not None:
        for counter in argued.counters.all():
            counter.accepted = counter.pk in set(accepted_counters)
            counter.save(update_fields=["accepted"])
    if white_card is not None:
        EstimateCard.objects.update_or_create(argued=argued, team=None, defaults={"probability": white_card})
    if turn.status == Turn.Status.REVIEW:
        turn.result = _run_engine(turn).to_dict()
        turn.save(update_fields=["result"])
    _record(exercise_id=exercise.pk, turn_number=turn.number, kind="argued_adjudicated", actor=by, team=team_code,
         accepted_reasons=argued.accepted_reasons, probability=probability, white_card=white_card, doorbell="turn_resolved" if turn.status == Turn.Status.REVIEW else "orders_changed")
    return argued


@transaction.atomic
def observers_console_set(*, exercise, allowed, by):
    Exercise.objects.filter(pk=exercise.pk).update(observers_see_console=allowed)
    _record(exercise_id=exercise.pk, turn_number=0, kind="observers_console", actor=by, allowed=allowed, doorbell="roster_changed")


# ---- argued actions (matrix-game moves), counter-arguments and estimative cards ----

def _open_turn_for(player, turn_number):
    turn = _current_turn_locked(player.exercise_id, turn_number)
    if Exercise.objects.filter(pk=player.exercise_id, status=Exercise.Status.ENDED).exists():
        raise StaleAction(_("The exercise has ended; orders are closed. Your text is kept below."))
    if turn.status != Turn.Status.OPEN:
        raise StaleAction(_("Turn %(n)d has locked; this can no longer change. Your text is kept below.")
                          % {"n": turn.number})
    return turn


@transaction.atomic
def argued_save(*, player, turn_number, action, intended, reasons, aims=(), nearest_action="", target="",
                base_revision=0):
    """A team's one argued action per turn. Teammates share it; a stale revision is a conflict."""
    turn = _open_turn_for(player, turn_number)
    action, intended = (action or "").strip(), (intended or "").strip()
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not action or not intended:
        raise ServiceError(_("Say what your team does and the result it wants."))
    if not reasons:
        raise ServiceError(_("Give at least one reason why it should work."))
    if len(reasons) > 3:
        raise ServiceError(_("Give at most three reasons."))
    if any(len(x) > 600 for x in [action, intended, *reasons]):
        raise ServiceError(_("Keep each field under 600 characters."))
    for x in [action, intended, *reasons]:
        clean_text(x, limit=600, what=_("Each field"))
    spec = load_scenario(turn.exercise.scenario.slug)
    nearest_action = (nearest_action or "").strip().upper()
    if nearest_action and nearest_action not in spec.actions:
        raise ServiceError(_("%(key)s is not an action in the catalogue.") % {"key": nearest_action})
    target = (target or "").strip().upper()
    if target and not Team.objects.filter(exercise_id=player.exercise_id, code=target).exists():
        raise ServiceError(_("%(code)s is not a team in this exercise.") % {"code": target})
    existing = ArguedAction.objects.select_for_update().filter(turn=turn, team=player.team).first()
    current = _check_revision(existing, base_revision, ARGUED_CONFLICT)
    argued = existing or ArguedAction(turn=turn, team=player.team, revision=0)
    argued.action, argued.intended, argued.reasons = action, intended, reasons
    aims = [clean_text(a, limit=AIM_MAX_CHARS, what=_("Each aim")) for a in aims]
    aims = [a for a in aims if a]
    if len(aims) > 6:
        raise ServiceError(_("Name at most six aims."))
    argued.aims = aims
    argued.nearest_action, argued.target = nearest_action, target
    argued.revision = current + 1
    argued.updated_by = player
    argued.save()
    _record(exercise_id=player.exercise_id, turn_number=turn.number, kind="argued_saved", actor=player.display_name,
         team=player.team.code, action=action, intended=intended, reasons=reasons, revision=argued.revision, doorbell="orders_changed")
    return argued


@transaction.atomic
def counter_post(*, player, turn_number, argued_team_code, text):
    turn = _open_turn_for(player, turn_number)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("A counter-argument cannot be empty."))
    if len(text) > 600:
        raise ServiceError(_("Keep a counter-argument under 600 characters."))
    argued = ArguedAction.objects.filter(turn=turn, team__code=argued_team_code).first()
    if argued is None or argued.team_id == player.team_id:
        raise ServiceError(_("You can counter another team's argued action only."))
    counter = CounterArgument.objects.create(argued=argued, team=player.team, text=text, author=player)
    _record(exercise_id=player.exercise_id, turn_number=turn.number, kind="counter_posted", actor=player.display_name,
         team=player.team.code, against=argued_team_code, text=text, doorbell="orders_changed")
    return counter


@transaction.atomic
def card_pick(*, player, turn_number, argued_team_code, probability):
    turn = _open_turn_for(player, turn_number)
    if turn.exercise.adjudication_mode != Exercise.Mode.CARDS:
        raise ServiceError(_("This exercise does not use estimative cards."))
    if probability not in EstimateCard.CARDS:
        raise ServiceError(_("Cards are 0, 10, 30, 50, 70, 90 or 100%."))
    argued = ArguedAction.objects.filter(turn=turn, team__code=argued_team_code).first()
    if argued is None or argued.team_id == player.team_id:
        raise ServiceError(_("Teams pick cards on other teams' argued actions only."))
    card, _created = EstimateCard.objects.update_or_create(argued=argued, team=player.team,
                                                           defaults={"probability": probability})
    _record(exercise_id=player.exercise_id, turn_number=turn.number, kind="card_picked", actor=player.display_name,
         team=player.team.code, on=argued_team_code, probability=probability, doorbell="orders_changed")
    return card


# ---- Negotiation: players write to teams, White broadcasts, reading marks a thread read ----

from django.db import IntegrityError  # noqa: E402


PLAYER_MESSAGE_KINDS = (Message.Kind.BILATERAL, Message.Kind.GROUP, Message.Kind.PUBLIC)


def _current_turn_number(exercise_id):
    return Turn.objects.filter(exercise_id=exercise_id).order_by("-number").values_list("number", flat=True).first() or 0


@transaction.atomic
def message_post(*, player, kind, recipient_codes, body):
    """A player writes for their team: to one team, to a group of teams, or to all (public).

    A group of one other team is a bilateral message; a team never writes to itself.
    Returns the message; the sender's own read marker moves past it.
    """
    team = player.team
    if team is None:
        raise ServiceError(_("Choose a team before writing messages."))
    exercise = team.exercise
    if exercise.status == Exercise.Status.ENDED:
        raise ServiceError(_("The exercise has ended; negotiation is closed."))
    if kind not in PLAYER_MESSAGE_KINDS:
        raise ServiceError(_("Teams can write to one team, to a group of teams, or to everyone."))
    codes = team_codes(recipient_codes)
    if team.code in codes:
        raise ServiceError(_("Your own team sees your messages already; choose other teams."))
    if kind == Message.Kind.PUBLIC:
        codes = []
    elif kind == Message.Kind.GROUP and len(codes) == 1:
        kind = Message.Kind.BILATERAL
    message = message_send(exercise=exercise, sender_team=team, sender_name=player.display_name, kind=kind,
                           recipient_codes=codes, body=body, turn_number=_current_turn_number(exercise.pk))
    thread_mark_read(player=player, thread=message.thread, last_message_id=message.pk)
    return message


@transaction.atomic
def message_broadcast(*, exercise, by, recipient_codes, body):
    """White writes to chosen teams, or to every team when no team is chosen."""
    codes = team_codes(recipient_codes)
    return message_send(exercise=exercise, sender_team=None, sender_name="White", kind=Message.Kind.BROADCAST,
                        recipient_codes=codes, body=body, turn_number=_current_turn_number(exercise.pk))


@transaction.atomic
def thread_mark_read(*, player, thread, last_message_id):
    """Move a player's read marker on one thread forward (never back). Private: rings no doorbell."""
    if ThreadRead.objects.filter(player=player, thread=thread, last_message_id__lt=last_message_id).update(
            last_message_id=last_message_id):
        return True
    if ThreadRead.objects.filter(player=player, thread=thread).exists():
        return False
    try:
        with transaction.atomic():
            ThreadRead.objects.create(player=player, thread=thread, last_message_id=last_message_id)
    except IntegrityError:  # a second tab created it first
        ThreadRead.objects.filter(player=player, thread=thread, last_message_id__lt=last_message_id).update(
            last_message_id=last_message_id)
    return True
