"""Crisis sub-turns (GAME_MODEL §4 step 7): when a turn ends with a dyad at rung 4 or more, the next turn opens
with 48 hours of game time, a few minutes of the room's, in which those two teams each choose to de-escalate,
hold or escalate. The choices are inputs of the turn, like orders; the engine's crisis phase settles them.

The phase is settled as soon as every crisis team has chosen, when its clock runs out (beat), or when White
settles it, so the room sees the outcome at once (turn.crisis_result); the turn's resolution later runs the
same phase on the same choices and seed, and gets the same outcome. A crisis that ends in armed conflict locks
the turn: play stops for the hot wash once White publishes.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wargame import engine
from wargame.scenarios import load_scenario

from .. import jobs
from ..doorbells import Doorbell
from ..models import CrisisChoice, Exercise, Team, Turn
from .common import ServiceError, StaleAction, current_turn_locked, current_turn_number, record
from .engine_io import crisis_choices, crisis_teams
from .turns import lock_claimed

CRISIS_MINUTES_MAX = 30


def crisis_pending(turn):
    return turn.status == Turn.Status.OPEN and turn.crisis_result is None and bool(crisis_teams(turn))


def _crisis_turn(exercise_id, turn_number):
    turn = current_turn_locked(exercise_id, turn_number)
    if not crisis_pending(turn):
        raise StaleAction(_("There is no crisis waiting for a choice in turn %(n)d.") % {"n": turn.number})
    return turn


def _choose(turn, team, choice, *, player=None, by_white="", settle=True):
    if choice not in engine.CRISIS_CHOICES:
        raise ServiceError(_("Choose de-escalate, hold or escalate."))
    if team.code not in crisis_teams(turn):
        raise ServiceError(_("%(team)s is not in this crisis.") % {"team": team.name})
    row, _created = CrisisChoice.objects.update_or_create(
        turn=turn, team=team, defaults={"choice": choice, "chosen_by": player, "by_white": by_white})
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="crisis_chosen",
           actor=player.display_name if player else by_white, team=team.code, choice=choice,
           doorbell=Doorbell.CRISIS_CHANGED)
    if not by_white.startswith("bot:"):  # a bot waiting for this side's choice (mirror) answers now
        from .bots import bots_choose_in_crisis
        bots_choose_in_crisis(turn=turn)
    if settle and set(crisis_choices(turn)) >= set(crisis_teams(turn)):
        jobs.send_on_commit(jobs.SETTLE_CRISIS, turn.pk)
    return row


@transaction.atomic
def crisis_choose(*, player, turn_number, choice):
    """A player chooses for their team. They may change their mind until the crisis is settled."""
    if player.team is None:
        raise ServiceError(_("Choose a team first."))
    turn = _crisis_turn(player.exercise_id, turn_number)
    return _choose(turn, player.team, choice, player=player)


@transaction.atomic
def crisis_choose_for_team(*, exercise, by, turn_number, team_code, choice):
    """White chooses for a team, typically one with no players."""
    turn = _crisis_turn(exercise.pk, turn_number)
    team = Team.objects.filter(exercise=exercise, code=team_code).first()
    if team is None:
        raise ServiceError(_("%(code)s is not a team in this exercise.") % {"code": team_code})
    return _choose(turn, team, choice, by_white=str(by)[:80])


@transaction.atomic
def crisis_settle_now(*, exercise, by, turn_number=None):
    """White settles the crisis now; a team that has not chosen holds."""
    turn = _crisis_turn(exercise.pk, turn_number)
    return crisis_settle(turn_id=turn.pk, by=by, force=True)


@transaction.atomic
def crisis_set_minutes(*, exercise, by, minutes):
    if not 1 <= minutes <= CRISIS_MINUTES_MAX:
        raise ServiceError(_("A crisis sub-turn lasts between 1 and %(n)d minutes.") % {"n": CRISIS_MINUTES_MAX})
    Exercise.objects.filter(pk=exercise.pk).update(crisis_minutes=minutes)
    record(exercise_id=exercise.pk, turn_number=current_turn_number(exercise.pk), kind="crisis_minutes_set", actor=by, minutes=minutes,
           doorbell=Doorbell.CLOCK_CHANGED)


@transaction.atomic
def crisis_settle(*, turn_id, by="crisis clock", force=False, now=None):
    """Settle a crisis once: every team has chosen, its clock ran out, or White forces it. Exactly once: the
    row lock and the null result are the claim. Returns True when this call settled it."""
    now = now or timezone.now()
    turn = Turn.objects.select_for_update().select_related("exercise__scenario").get(pk=turn_id)
    if not crisis_pending(turn):
        return False
    due = force or (turn.crisis_deadline and turn.crisis_deadline <= now)
    if due:  # a bot that has not chosen (a mirror with nothing to copy yet) chooses now
        from .bots import bots_choose_in_crisis
        bots_choose_in_crisis(turn=turn, force=True)
    choices = crisis_choices(turn)
    waiting = set(crisis_teams(turn)) - set(choices)
    if waiting and not due:
        return False
    spec = load_scenario(turn.exercise.scenario.slug)
    outcome = engine.resolve_crisis(spec, engine.GameState.from_dict(turn.state_before), choices,
                                    seed=turn.exercise.seed)
    turn.crisis_result = {"events": outcome.events, "draws": outcome.draws, "ended": outcome.ended or "",
                          "choices": {code: choices.get(code, "hold") for code in crisis_teams(turn)}}
    turn.save(update_fields=["crisis_result"])
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="crisis_settled", actor=by,
           choices=turn.crisis_result["choices"], ended=bool(outcome.ended), doorbell=Doorbell.CRISIS_CHANGED)
    if outcome.ended:  # armed conflict: the turn resolves at once and play stops when White publishes
        lock_claimed(turn, by="crisis", now=now)
    return True


def crises_enforce(*, now=None):
    """Beat: settle every crisis whose clock has run out."""
    now = now or timezone.now()
    due = Turn.objects.filter(status=Turn.Status.OPEN, crisis_result__isnull=True, crisis_deadline__lte=now)
    return [turn_id for turn_id in due.values_list("pk", flat=True) if crisis_settle(turn_id=turn_id, now=now)]
