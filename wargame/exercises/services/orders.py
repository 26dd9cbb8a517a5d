"""What a team submits for the open turn: catalogue orders, its argued action, counters and estimate cards."""

from django.db import transaction
from django.utils.translation import gettext as _

from wargame import engine
from wargame.scenarios import load_scenario

from .. import engine_text
from ..doorbells import Doorbell
from ..models import ArguedAction, CounterArgument, EstimateCard, Exercise, Order, Team, Turn
from .common import (
    AIM_MAX_CHARS, ARGUED_CONFLICT, NOTE_MAX_CHARS, ORDER_CONFLICT, ServiceError, StaleAction, check_revision,
    clean_text, current_turn_locked, record)


@transaction.atomic
def order_save(*, player, turn_number, slot, action, target="", note="", base_revision=0):
    """Save one of a team's two order slots, refusing stale pages, conflicts and illegal orders."""
    if slot not in (1, 2):
        raise ServiceError(_("A team has two order slots."))
    turn = open_turn_for(player, turn_number)
    existing = Order.objects.select_for_update().filter(turn=turn, team=player.team, slot=slot).first()
    current_revision = check_revision(existing, base_revision, ORDER_CONFLICT)
    return _save_order(turn=turn, team=player.team, slot=slot, action=action, target=target, note=note,
                       existing=existing, revision=current_revision, updated_by=player, actor=player.display_name)


def _save_order(*, turn, team, slot, action, target, note, existing, revision, updated_by=None, by_bot="", actor):
    """The one path every order takes, a player's or a bot's: clean it, check it against the engine's rules and
    the team's RP with its other slot, save it and log it. ``existing``: the slot's row (locked) or None."""
    action = (action or "").strip().upper()
    target = (target or "").strip()
    spec = load_scenario(turn.exercise.scenario.slug)
    # A target is a team code (upper case) or, for an order that goes to a sea zone, a zone id (lower case).
    target = target.lower() if target.lower() in spec.params.zones else target.upper()
    note = clean_text(note, limit=NOTE_MAX_CHARS, what=_("An order note"))
    if target and not action:
        raise ServiceError(_("Choose an action for that target, or clear the target."))
    others = [engine.Order(team=team.code, action=o.action, target=o.target or None)
              for o in Order.objects.filter(turn=turn, team=team).exclude(slot=slot).exclude(action="")]
    if action:
        proposed = others + [engine.Order(team=team.code, action=action, target=target or None)]
        problems = engine.check_orders(spec, engine.GameState.from_dict(turn.state_before), team.code, proposed)
        if problems:
            raise ServiceError("; ".join(engine_text.refusal_text(p, spec) for p in problems))
    if existing is None:
        existing = Order(turn=turn, team=team, slot=slot, revision=0)
    # Orders are the team's own; only a bilateral proposal shows to its target, old and new.
    concerned = sorted({team.code, *(code for code in (existing.target, target) if code)})
    existing.action, existing.target, existing.note = action, target, note
    existing.revision = revision + 1
    existing.updated_by = updated_by
    existing.by_bot = by_bot
    existing.save()
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind="order_saved", actor=actor,
           team=team.code, slot=slot, action=action, target=target, revision=existing.revision,
           doorbell=Doorbell.ORDERS_CHANGED, audience=concerned)
    return existing


# ---- argued actions (matrix-game moves), counter-arguments and estimative cards ----

def open_turn_for(player, turn_number):
    turn = current_turn_locked(player.exercise_id, turn_number)
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
    turn = open_turn_for(player, turn_number)
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
    current = check_revision(existing, base_revision, ARGUED_CONFLICT)
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
    record(exercise_id=player.exercise_id, turn_number=turn.number, kind="argued_saved", actor=player.display_name,
           team=player.team.code, action=action, intended=intended, reasons=reasons, revision=argued.revision,
           doorbell=Doorbell.ORDERS_CHANGED)
    return argued


@transaction.atomic
def counter_post(*, player, turn_number, argued_team_code, text):
    turn = open_turn_for(player, turn_number)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("A counter-argument cannot be empty."))
    if len(text) > 600:
        raise ServiceError(_("Keep a counter-argument under 600 characters."))
    argued = ArguedAction.objects.filter(turn=turn, team__code=argued_team_code).first()
    if argued is None or argued.team_id == player.team_id:
        raise ServiceError(_("You can counter another team's argued action only."))
    counter = CounterArgument.objects.create(argued=argued, team=player.team, text=text, author=player)
    record(exercise_id=player.exercise_id, turn_number=turn.number, kind="counter_posted", actor=player.display_name,
           team=player.team.code, against=argued_team_code, text=text, doorbell=Doorbell.ORDERS_CHANGED)
    return counter


@transaction.atomic
def card_pick(*, player, turn_number, argued_team_code, probability):
    turn = open_turn_for(player, turn_number)
    if turn.exercise.adjudication_mode != Exercise.Mode.CARDS:
        raise ServiceError(_("This exercise does not use estimative cards."))
    if probability not in EstimateCard.CARDS:
        raise ServiceError(_("Cards are 0, 10, 30, 50, 70, 90 or 100%."))
    argued = ArguedAction.objects.filter(turn=turn, team__code=argued_team_code).first()
    if argued is None or argued.team_id == player.team_id:
        raise ServiceError(_("Teams pick cards on other teams' argued actions only."))
    card, _created = EstimateCard.objects.update_or_create(argued=argued, team=player.team,
                                                           defaults={"probability": probability})
    record(exercise_id=player.exercise_id, turn_number=turn.number, kind="card_picked", actor=player.display_name,
           team=player.team.code, on=argued_team_code, probability=probability, doorbell=Doorbell.ORDERS_CHANGED)
    return card
