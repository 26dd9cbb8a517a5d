"""Forking an exercise at turn N ("what if Russia had not fortified the islands?", GAME_MODEL §8).

``exercise_fork`` copies an exercise into a new one that keeps everything up to turn N: the teams (with open
seats, so the same or new players can join; bot policies kept), turns 1..N−1 as published, turn N re-opened with
its starting state, orders, argued actions and crisis choices (so White can change them and re-resolve it), the
messages and log entries made before turn N locked. ``order_set_by_white`` is how White changes a fork's orders
of turn N: one slot of one team, checked by the engine like a team's own order. One transaction, bulk inserts.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from wargame import engine
from wargame.scenarios import load_scenario

from ..doorbells import Doorbell
from ..models import (ArguedAction, CounterArgument, CrisisChoice, EstimateCard, Event, Exercise, Message, Order,
                      Team, Turn)
from .common import ServiceError, StaleAction, current_turn_locked, record

FORK_NAME_SUFFIX = " — fork at turn %(n)d"
# White's edits of turn N's narratives describe the parent's outcome; the fork re-resolves turn N, so they go.
TURN_N_INPUTS = ("overrides", "injects", "skip", "fire_now")


def _fork_name(parent, n):
    suffix = _(FORK_NAME_SUFFIX) % {"n": n}
    limit = Exercise._meta.get_field("name").max_length
    return parent.name[: limit - len(suffix)] + suffix


@transaction.atomic
def exercise_fork(*, exercise, by, turn_number, facilitator):
    """A new exercise that is ``exercise`` up to published turn ``turn_number``, that turn re-opened for White."""
    try:
        n = int(turn_number)
    except (TypeError, ValueError):
        raise ServiceError(_("Choose the number of a published turn to fork at."))
    parent = Exercise.objects.select_related("scenario").get(pk=exercise.pk)
    turns = {t.number: t for t in Turn.objects.filter(exercise=parent, number__lte=n).order_by("number")}
    fork_at = turns.get(n)
    if fork_at is None or fork_at.status != Turn.Status.PUBLISHED:
        published = list(Turn.objects.filter(exercise=parent, status=Turn.Status.PUBLISHED)
                         .order_by("number").values_list("number", flat=True))
        if not published:
            raise ServiceError(_("Turn %(n)d is not published: no turn of this exercise is published yet, so there "
                                 "is nothing to fork.") % {"n": n})
        raise ServiceError(_("Turn %(n)d is not published: fork at a published turn (%(first)d to %(last)d).")
                           % {"n": n, "first": published[0], "last": published[-1]})

    fork = Exercise.objects.create(
        scenario=parent.scenario, name=_fork_name(parent, n), seed=parent.seed,
        adjudication_mode=parent.adjudication_mode, crisis_minutes=parent.crisis_minutes,
        status=Exercise.Status.RUNNING, state=fork_at.state_before, forked_from=parent, fork_turn=n)
    fork.facilitators.add(facilitator)

    old_teams = list(Team.objects.filter(exercise=parent).order_by("id"))
    made = Team.objects.bulk_create([
        Team(exercise=fork, code=t.code, name=t.name, colour=t.colour, bot_policy=t.bot_policy,
             max_players=t.max_players) for t in old_teams])
    team_map = {old.pk: new for old, new in zip(old_teams, made)}

    old_turns = [turns[k] for k in sorted(turns)]
    new_turns = []
    for t in old_turns:
        copy = Turn(exercise=fork, number=t.number, state_before=t.state_before, crisis_result=t.crisis_result)
        if t.number < n:
            copy.status, copy.result, copy.inputs = t.status, t.result, t.inputs
            copy.locked_at, copy.resolved_at, copy.published_at = t.locked_at, t.resolved_at, t.published_at
            copy.resolve_queued_at, copy.crisis_deadline = t.resolve_queued_at, t.crisis_deadline
        else:  # turn N, open again: its crisis sub-turn (if any) was settled in the parent and is kept
            copy.status = Turn.Status.OPEN
            copy.inputs = {k: v for k, v in (t.inputs or {}).items() if k in TURN_N_INPUTS}
            copy.crisis_deadline = t.crisis_deadline
        new_turns.append(copy)
    new_turns = Turn.objects.bulk_create(new_turns)
    turn_map = {old.pk: new for old, new in zip(old_turns, new_turns)}
    # opened_at is auto_now_add: put the parent's times back in one UPDATE per turn only when they differ.
    for old, new in zip(old_turns, new_turns):
        new.opened_at = old.opened_at
    Turn.objects.bulk_update(new_turns, ["opened_at"])

    old_ids = list(turn_map)
    Order.objects.bulk_create([
        Order(turn=turn_map[o.turn_id], team=team_map[o.team_id], slot=o.slot, action=o.action, target=o.target,
              note=o.note, revision=o.revision, by_bot=o.by_bot, updated_by=None)
        for o in Order.objects.filter(turn_id__in=old_ids).order_by("id")])
    old_argued = list(ArguedAction.objects.filter(turn_id__in=old_ids).order_by("id")
                      .prefetch_related("counters", "cards"))
    new_argued = ArguedAction.objects.bulk_create([
        ArguedAction(turn=turn_map[a.turn_id], team=team_map[a.team_id], action=a.action, intended=a.intended,
                     reasons=a.reasons, aims=a.aims, nearest_action=a.nearest_action, target=a.target,
                     accepted_reasons=a.accepted_reasons, probability=a.probability, revision=a.revision)
        for a in old_argued])
    counters, cards = [], []
    for old, new in zip(old_argued, new_argued):
        counters += [CounterArgument(argued=new, team=team_map[c.team_id], text=c.text, accepted=c.accepted)
                     for c in old.counters.all()]
        cards += [EstimateCard(argued=new, team=team_map.get(c.team_id), probability=c.probability)
                  for c in old.cards.all()]
    CounterArgument.objects.bulk_create(counters)
    EstimateCard.objects.bulk_create(cards)
    CrisisChoice.objects.bulk_create([
        CrisisChoice(turn=turn_map[c.turn_id], team=team_map[c.team_id], choice=c.choice, by_white=c.by_white)
        for c in CrisisChoice.objects.filter(turn_id__in=old_ids).order_by("id")])

    # Messages and the log: what happened before turn N locked in the parent (turn N's negotiation included,
    # its lock, resolution, review and publication not: the fork resolves turn N again).
    cutoff = fork_at.locked_at
    msgs = Message.objects.filter(exercise=parent, turn_number__lte=n)
    events = Event.objects.filter(exercise=parent, turn_number__lte=n)
    if cutoff is not None:
        msgs = msgs.exclude(turn_number=n, created__gte=cutoff)
        events = events.exclude(turn_number=n, created__gte=cutoff)
    else:
        msgs, events = msgs.filter(turn_number__lt=n), events.filter(turn_number__lt=n)
    old_msgs = list(msgs.order_by("created", "id"))
    new_msgs = Message.objects.bulk_create([
        Message(exercise=fork, turn_number=m.turn_number, kind=m.kind, sender_team=team_map.get(m.sender_team_id),
                sender_name=m.sender_name, body=m.body, thread=m.thread) for m in old_msgs], batch_size=500)
    msg_map = {old.pk: new.pk for old, new in zip(old_msgs, new_msgs)}
    for old, new in zip(old_msgs, new_msgs):
        new.created = old.created
    Message.objects.bulk_update(new_msgs, ["created"], batch_size=500)
    through = Message.recipients.through
    through.objects.bulk_create([
        through(message_id=msg_map[r.message_id], team_id=team_map[r.team_id].pk)
        for r in through.objects.filter(message_id__in=list(msg_map))], batch_size=1000)
    old_events = list(events.order_by("id"))
    new_events = []
    for e in old_events:
        payload = e.payload
        if e.kind == "message_sent" and payload.get("message") in msg_map:
            payload = {**payload, "message": msg_map[payload["message"]]}
        new_events.append(Event(exercise=fork, turn_number=e.turn_number, kind=e.kind, actor=e.actor,
                                payload=payload))
    new_events = Event.objects.bulk_create(new_events, batch_size=1000)
    for old, new in zip(old_events, new_events):
        new.created = old.created
    Event.objects.bulk_update(new_events, ["created"], batch_size=1000)

    record(exercise_id=fork.pk, turn_number=n, kind="exercise_forked", actor=by, parent=parent.pk,
           parent_name=parent.name, turn=n, doorbell=Doorbell.ROSTER_CHANGED)
    fork.refresh_from_db()
    return fork


@transaction.atomic
def order_set_by_white(*, exercise, by, team_code, slot, action, target="", turn_number=None):
    """White sets one of a team's two order slots on a fork's re-opened turn N (an empty action clears it).

    Checked by the engine like a team's own order (services.orders.order_save); logged as ``order_set_by_white``.
    """
    try:
        slot = int(slot)
    except (TypeError, ValueError):
        slot = 0
    if slot not in (1, 2):
        raise ServiceError(_("A team has two order slots."))
    exercise = Exercise.objects.select_related("scenario").get(pk=exercise.pk)
    if exercise.forked_from_id is None and exercise.fork_turn is None:
        raise ServiceError(_("White sets orders only on a fork, for the turn it was forked at."))
    if exercise.status == Exercise.Status.ENDED:
        raise StaleAction(_("The exercise has ended; orders are closed."))
    turn = current_turn_locked(exercise.pk, turn_number or exercise.fork_turn)
    if turn.number != exercise.fork_turn:
        raise ServiceError(_("White sets orders only for turn %(n)d, the turn this fork starts from.")
                           % {"n": exercise.fork_turn})
    if turn.status != Turn.Status.OPEN:
        raise StaleAction(_("Turn %(n)d is %(status)s; its orders can no longer change.")
                          % {"n": turn.number, "status": turn.get_status_display().lower()})
    team = Team.objects.filter(exercise=exercise, code=str(team_code or "").strip().upper()).first()
    if team is None:
        raise ServiceError(_("%(code)s is not a team in this exercise.") % {"code": team_code})
    spec = load_scenario(exercise.scenario.slug)
    action = (action or "").strip().upper()
    target = (target or "").strip()
    target = target.lower() if target.lower() in spec.params.zones else target.upper()
    if target and not action:
        raise ServiceError(_("Choose an action for that target, or clear the target."))
    existing = Order.objects.select_for_update().filter(turn=turn, team=team, slot=slot).first()
    if action:
        others = [engine.Order(team=team.code, action=o.action, target=o.target or None)
                  for o in Order.objects.filter(turn=turn, team=team).exclude(slot=slot).exclude(action="")]
        proposed = others + [engine.Order(team=team.code, action=action, target=target or None)]
        problems = engine.check_orders(spec, engine.GameState.from_dict(turn.state_before), team.code, proposed)
        if problems:
            raise ServiceError("; ".join(problems))
    before = {"action": existing.action, "target": existing.target} if existing else None
    if existing is None:
        existing = Order(turn=turn, team=team, slot=slot, revision=0)
    existing.action, existing.target = action, target
    existing.revision += 1
    existing.updated_by = None
    existing.by_bot = ""
    existing.save()
    record(exercise_id=exercise.pk, turn_number=turn.number, kind="order_set_by_white", actor=by, team=team.code,
           slot=slot, action=action, target=target, before=before, revision=existing.revision,
           doorbell=Doorbell.ORDERS_CHANGED)
    return existing
