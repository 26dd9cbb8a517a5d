"""Negotiation: messages between teams, White's broadcasts, and each player's read markers."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wargame import engine

from ..doorbells import Doorbell
from ..models import Exercise, Message, ThreadRead
from .common import ServiceError, bump, clean_text, current_turn_number, log_event, team_codes


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
    bump(exercise.pk, Doorbell.MESSAGE_SENT, audience=readers)
    message = Message.objects.create(exercise=exercise, turn_number=turn_number, kind=kind,
                                     sender_team=sender_team, sender_name=sender_name[:60], body=body,
                                     thread=message_thread(kind=kind, sender_code=sender_team.code if sender_team
                                                           else None, recipient_codes=recipient_codes))
    if to_everyone:
        message.recipients.set(teams.values())
    else:
        message.recipients.set([teams[c] for c in recipient_codes])
    log_event(exercise_id=exercise.pk, turn_number=turn_number, kind="message_sent", actor=sender_name,
              message=message.pk, message_kind=kind)
    return message


PLAYER_MESSAGE_KINDS = (Message.Kind.BILATERAL, Message.Kind.GROUP, Message.Kind.PUBLIC)


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
                           recipient_codes=codes, body=body, turn_number=current_turn_number(exercise.pk))
    thread_mark_read(player=player, thread=message.thread, last_message_id=message.pk)
    return message


@transaction.atomic
def message_broadcast(*, exercise, by, recipient_codes, body):
    """White writes to chosen teams, or to every team when no team is chosen."""
    codes = team_codes(recipient_codes)
    return message_send(exercise=exercise, sender_team=None, sender_name="White", kind=Message.Kind.BROADCAST,
                        recipient_codes=codes, body=body, turn_number=current_turn_number(exercise.pk))


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
