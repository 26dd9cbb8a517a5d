"""Exercises as White manages them: create from a scenario, co-facilitators, end, archive, delete."""

import logging
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wargame.scenarios import load_scenario, scenario_slugs

from .. import live
from ..doorbells import Doorbell
from ..models import Exercise, Scenario, Team, Turn
from .common import ServiceError, StaleAction, clean_text, current_turn_number, log_event, record


log = logging.getLogger(__name__)


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
    log_event(exercise_id=exercise.pk, turn_number=0, kind="exercise_created", actor=facilitator, scenario=spec.slug,
              seed=seed, teams=sorted(wanted), mode=mode)
    return exercise


@transaction.atomic
def facilitator_add(*, exercise, user, by):
    exercise.facilitators.add(user)
    log_event(exercise_id=exercise.pk, turn_number=0, kind="facilitator_added", actor=by, user=user.username)


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
    record(exercise_id=exercise.pk, turn_number=current_turn_number(exercise.pk), kind="exercise_ended", actor=by,
           reason=reason, doorbell=Doorbell.TURN_PUBLISHED)
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
    record(exercise_id=exercise.pk, turn_number=0, kind="exercise_archived" if archived else "exercise_unarchived",
           actor=by, doorbell=Doorbell.ROSTER_CHANGED)
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
    live.publish_on_commit(exercise_id=exercise_id, kind=Doorbell.EXERCISE_DELETED, version=version)
    return exercise_id


@transaction.atomic
def observers_console_set(*, exercise, allowed, by):
    Exercise.objects.filter(pk=exercise.pk).update(observers_see_console=allowed)
    record(exercise_id=exercise.pk, turn_number=0, kind="observers_console", actor=by, allowed=allowed,
           doorbell=Doorbell.ROSTER_CHANGED)


PRACTICE_SLUG = "practice"
# Who plays each seat of a practice game until a player takes it (roster.player_choose_team clears the bot).
# Russia answers in kind (mirror): what a player on Japan aims at Moscow comes back next turn, an offer as an
# offer, and in the crisis Russia copies Japan's choice. Japan and China keep their routine (status quo) and hold
# in a crisis, so the mirror always has a choice to copy when a player sits elsewhere.
PRACTICE_BOTS = {"JPN": "status_quo", "RUS": "mirror", "CHN": "status_quo"}


@transaction.atomic
def exercise_start_practice(*, facilitator):
    """White's one click: a practice exercise (the short `practice` scenario) whose every team a bot plays
    until a player joins it."""
    from .bots import bot_assign

    spec = load_scenario(PRACTICE_SLUG)
    exercise = exercise_create(scenario_slug=PRACTICE_SLUG, name=_("Practice game"), facilitator=facilitator,
                               team_codes=[t.code for t in spec.teams if t.played_by_default])
    for team in exercise.teams.order_by("code"):
        bot_assign(exercise=exercise, by=facilitator, team_code=team.code,
                   policy=PRACTICE_BOTS.get(team.code, "status_quo"))
    return exercise
