"""Who sits where: joining, choosing and switching teams, renaming, removing, presence."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..doorbells import Doorbell
from ..models import Exercise, Player, Team
from .common import PlayerRemoved, SeatTaken, ServiceError, StaleAction, bump, clean_text, log_event, record


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
    record(exercise_id=exercise.pk, turn_number=0, kind="player_joined", actor=name, player=player.pk,
           doorbell=Doorbell.ROSTER_CHANGED)
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
    if team.bot_policy:  # a late arrival takes the seat over: the bot stops ordering (its orders so far stay)
        policy, team.bot_policy = team.bot_policy, ""
        team.save(update_fields=["bot_policy"])
        log_event(exercise_id=player.exercise_id, turn_number=0, kind="bot_released",
                  actor=by_facilitator or player.display_name, team=team.code, policy=policy, player=player.pk)
    record(exercise_id=player.exercise_id, turn_number=0, kind="player_assigned",
           actor=by_facilitator or player.display_name, player=player.pk, team=team.code,
           doorbell=Doorbell.ROSTER_CHANGED)
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
    record(exercise_id=player.exercise_id, turn_number=0, kind="player_renamed", actor=by, player=player.pk, old=old,
           new=name, doorbell=Doorbell.ROSTER_CHANGED)
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
    record(exercise_id=player.exercise_id, turn_number=0, kind="player_removed", actor=by, player=player.pk,
           name=player.display_name, team=player.team.code if player.team else "", doorbell=Doorbell.ROSTER_CHANGED)
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
    record(exercise_id=player.exercise_id, turn_number=0, kind="switch_requested" if team else "switch_withdrawn",
           actor=player.display_name, player=player.pk, team=code, doorbell=Doorbell.ROSTER_CHANGED)
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
        bump(player.exercise_id, Doorbell.ROSTER_CHANGED)
    log_event(exercise_id=player.exercise_id, turn_number=0, kind="switch_answered", actor=by, player=player.pk,
              team=player.switch_request.code, approved=bool(approve))
    return player


SEEN_EVERY = timedelta(seconds=20)


def player_seen(*, player):
    """Mark a player connected. Panel refreshes are frequent, so write at most every 20 seconds."""
    now = timezone.now()
    if player.last_seen is None or now - player.last_seen >= SEEN_EVERY:
        Player.objects.filter(pk=player.pk).update(last_seen=now)
        player.last_seen = now
