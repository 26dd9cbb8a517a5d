"""The only gate. Views get every object through these functions, which return it or raise.

Roles: a facilitator (Django user listed on the exercise, or a superuser), a player (browser session
joined to a team), an observer (browser session that joined with the observer code), and a stranger.
Who may write, and to whom, is decided here too (``may_write_messages``, ``access_thread_to_write``,
``access_broadcast_recipients``); the services then check what is written.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from wargame.scenarios import loader as scenario_loader

from . import selectors
from .models import Exercise, Player, Team, UploadedScenario

SESSION_PLAYERS = "players"  # {exercise_id: player_id}
SESSION_OBSERVING = "observing"  # [exercise_id, ...]


class PlayerRemoved(PermissionDenied):
    """The session's player was removed by White. Rendered as a page that says so (urls.handler403)."""

    def __init__(self, player):
        super().__init__("removed")
        self.player = player


class ExerciseEnded(PermissionDenied):
    """The exercise has ended: it takes no more players. The join page says so (the view catches it)."""

    def __init__(self, exercise):
        super().__init__("ended")
        self.exercise = exercise


class ConsoleClosed(Http404):
    """An observer asked for White's console while White does not share it: the plenary view answers."""

    def __init__(self, exercise):
        super().__init__("console closed")
        self.exercise = exercise


class PlayerNotFound(Http404):
    """White named a player who is not in this exercise (the exercise itself is White's: ``exercise``)."""

    def __init__(self, exercise):
        super().__init__("no such player")
        self.exercise = exercise


class NoThread(BadRequest):
    """A message sent with no conversation open."""


class WriteRefused(PermissionDenied):
    """Writing here is not allowed; the message says why and the form shows it beside what was typed.
    ``team``, ``player`` and ``thread`` are what the refusing gate had already found (when it had)."""

    def __init__(self, message, *, team=None, player=None, thread=None):
        super().__init__(message)
        self.message, self.team, self.player, self.thread = message, team, player, thread

    def __str__(self):
        return str(self.message)


def _is_facilitator(user, exercise):
    return user.is_authenticated and (
        user.is_superuser or exercise.facilitators.filter(pk=user.pk).exists()
    )


def _facilitated_by(user):
    """The exercises a signed-in user may run: a superuser every one, anyone else those that list them."""
    exercises = Exercise.objects.select_related("scenario")
    return exercises if user.is_superuser else exercises.filter(facilitators=user)


def access_exercises_as_facilitator(request):
    """White's list: {"current": [...], "archived": [...]}, the same exercises ``access_exercise_as_facilitator``
    opens (a superuser's list holds every exercise)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    mine = _facilitated_by(request.user)
    return {"current": list(mine.filter(archived_at__isnull=True)),
            "archived": list(mine.filter(archived_at__isnull=False))}


def access_exercise_as_facilitator(request, exercise_id):
    if not request.user.is_authenticated:
        raise PermissionDenied
    try:
        exercise = Exercise.objects.select_related("scenario").get(pk=exercise_id)
    except Exercise.DoesNotExist:
        raise Http404
    if not _is_facilitator(request.user, exercise):
        raise Http404
    return exercise


def access_player_as_facilitator(request, exercise_id, player_id):
    """A player White acts on (move, rename, remove, answer a switch request): (exercise, player) or 404.
    A player not in the exercise raises ``PlayerNotFound`` (an Http404 that carries White's exercise)."""
    exercise = access_exercise_as_facilitator(request, exercise_id)
    try:
        player = Player.objects.select_related("team").get(pk=int(player_id or 0), exercise=exercise)
    except (Player.DoesNotExist, TypeError, ValueError):
        raise PlayerNotFound(exercise)
    return exercise, player


def access_user_to_add(username):
    """The account White names to run the exercise with them, or None when no account has that username."""
    username = (username or "").strip()
    return get_user_model().objects.filter(username=username).first() if username else None


def access_exercise_to_join(code):
    """The exercise a join code opens, or None: the join page says a wrong code is wrong, not 404.
    An exercise that has ended takes no one: ``ExerciseEnded``."""
    code = (code or "").strip().upper()
    exercise = Exercise.objects.filter(join_code=code).first() if code else None
    if exercise is not None and exercise.status == Exercise.Status.ENDED:
        raise ExerciseEnded(exercise)
    return exercise


def access_team_to_join(exercise, code):
    """A team of this exercise named by its code (the team a player asked for), or None."""
    return selectors.team_by_code(exercise=exercise, code=code)


def access_exercise_by_code(code):
    """Public: the code alone opens only public views (plenary, join, the doorbell)."""
    try:
        return Exercise.objects.select_related("scenario").get(join_code=code.upper())
    except Exercise.DoesNotExist:
        raise Http404


def session_player(request, exercise):
    player_id = request.session.get(SESSION_PLAYERS, {}).get(str(exercise.pk))
    if player_id is None:
        return None
    return (
        Player.objects.select_related("team", "exercise")
        .filter(pk=player_id, exercise=exercise, session_key=request.session.session_key)
        .first()
    )


def access_player(request, code):
    """The session's player in this exercise (with or without a team), else 404; removed: PlayerRemoved."""
    exercise = access_exercise_by_code(code)
    player = session_player(request, exercise)
    if player is None:
        raise Http404
    if player.removed_at:
        raise PlayerRemoved(player)
    return player


def _session_player_ids(request):
    """The players this browser joined as, or [] when it has no session key to prove it."""
    if not request.session.session_key:
        return []
    return [pid for pid in request.session.get(SESSION_PLAYERS, {}).values() if isinstance(pid, int)]


def _seated_player(request, code, team_code):
    """The common case in one query: this session's player, seated on this team of this exercise."""
    player_ids = _session_player_ids(request)
    if not player_ids:
        return None
    player = (Player.objects.select_related("team__exercise__scenario")
              .filter(pk__in=player_ids, session_key=request.session.session_key,
                      exercise__join_code=code.upper(), team__code=team_code.upper())
              .first())
    if player is not None:
        player.exercise = player.team.exercise  # the same row: no second query when a view reads it
    return player


@dataclass
class Seat:
    """A seated player's team at its current version: what a cached team panel needs, and no more."""
    pk: int  # the player
    last_seen: datetime | None
    team_id: int
    version: int


def access_team_seat(request, code, team_code):
    """This session's seat on this team, unremoved, in one plain query; None otherwise (White, a removed
    player, a stranger), and the caller then asks ``access_team_as_player``, which decides and explains.

    The cached team panels are the most frequent request in a room; through the ORM this check cost
    more than the rest of the request (building the query each time), so it is written out once here."""
    player_ids = _session_player_ids(request)
    if not player_ids:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_seat_sql(len(player_ids)),
                       [*player_ids, request.session.session_key, code.upper(), team_code.upper()])
        row = cursor.fetchone()
    if row is None:
        return None
    last_seen = parse_datetime(row[1]) if isinstance(row[1], str) else row[1]
    if last_seen is not None and timezone.is_naive(last_seen):  # SQLite keeps UTC without a zone
        last_seen = timezone.make_aware(last_seen, UTC)
    return Seat(pk=row[0], last_seen=last_seen, team_id=row[2], version=row[3])


def _seat_sql(n):
    player, team, exercise = Player._meta.db_table, Team._meta.db_table, Exercise._meta.db_table
    return (f"SELECT p.id, p.last_seen, t.id, e.version FROM {player} p "
            f"JOIN {team} t ON t.id = p.team_id JOIN {exercise} e ON e.id = t.exercise_id "
            f"WHERE p.id IN ({', '.join(['%s'] * n)}) AND p.session_key = %s AND p.removed_at IS NULL "
            f"AND p.exercise_id = e.id AND e.join_code = %s AND t.code = %s")


def access_team_as_player(request, code, team_code):
    """The team whose private views are asked for. Only its own players get it; facilitators
    of the exercise get it read-only (``player`` is then None). Anyone else gets 404."""
    player = _seated_player(request, code, team_code)
    if player is not None:
        if player.removed_at:
            raise PlayerRemoved(player)  # their old dashboard says White removed them, not a bare 404
        return player.team, player
    exercise = access_exercise_by_code(code)
    try:
        team = Team.objects.select_related("exercise", "exercise__scenario").get(
            exercise=exercise, code=team_code.upper()
        )
    except Team.DoesNotExist:
        raise Http404
    player = session_player(request, exercise)
    if player is not None and player.removed_at and player.team_id == team.pk:
        raise PlayerRemoved(player)  # their old dashboard says White removed them, not a bare 404
    if player is not None and player.team_id == team.pk:
        return team, player
    if _is_facilitator(request.user, exercise):
        return team, None
    raise Http404


def access_team_for_orders(request, code, team_code):
    """Writing a team's orders: its own players only."""
    team, player = access_team_as_player(request, code, team_code)
    if player is None:
        raise PermissionDenied
    return team, player


def access_exercise_as_observer(code, *, console=False):
    """Observers hold the observer code. They see the plenary view, and the console read-only
    only when White allows it (``console=True``; else ``ConsoleClosed``, an Http404). They can never act."""
    try:
        exercise = Exercise.objects.select_related("scenario").get(observer_code=code.upper())
    except Exercise.DoesNotExist:
        raise Http404
    if console and not exercise.observers_see_console:
        raise ConsoleClosed(exercise)
    return exercise


def access_public_debrief(request, code):
    """The public after-action review at /x/<code>/debrief/: once White releases it, for the exercise's own
    players (any seat this browser holds, removed ones included: it is their game) and its facilitators.
    Anyone else, and everyone before the release, gets 404."""
    exercise = access_exercise_by_code(code)
    if exercise.debrief_released_at is None:
        raise Http404
    if _is_facilitator(request.user, exercise):
        return exercise
    if Player.objects.filter(pk__in=_session_player_ids(request), exercise=exercise,
                             session_key=request.session.session_key).exists():
        return exercise
    raise Http404


def access_observer_debrief(code):
    """The public after-action review for observers (/o/<observer code>/debrief/), once released."""
    exercise = access_exercise_as_observer(code)
    if exercise.debrief_released_at is None:
        raise Http404
    return exercise


def access_export_as_facilitator(request, exercise_id, export_id):
    """One of White's export files: (exercise, export) or 404."""
    exercise = access_exercise_as_facilitator(request, exercise_id)
    export = exercise.exports.filter(pk=export_id).first()
    if export is None:
        raise Http404
    return exercise, export


def access_forecast_as_facilitator(request, exercise_id, forecast_id):
    """One of White's forecasts: (exercise, forecast) or 404. Never a player's or an observer's."""
    exercise = access_exercise_as_facilitator(request, exercise_id)
    forecast = exercise.forecasts.filter(pk=forecast_id).first()
    if forecast is None:
        raise Http404
    return exercise, forecast


@dataclass(frozen=True)
class ScenarioEntry:
    """A scenario as the facilitators' scenario pages see it: shipped with the game (``uploaded`` None) or
    uploaded by a facilitator (its row)."""
    slug: str
    uploaded: UploadedScenario | None = None


def access_scenarios(request):
    """Every scenario, for any signed-in facilitator (the scenarios are the installation's, as the pack is):
    {"shipped": [ScenarioEntry], "uploaded": [ScenarioEntry]}."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    rows = UploadedScenario.objects.select_related("uploaded_by").defer("rules_yaml", "text_yaml")
    return {"shipped": [ScenarioEntry(slug) for slug in scenario_loader.shipped_slugs()],
            "uploaded": [ScenarioEntry(row.slug, row) for row in rows]}


def access_scenario(request, slug):
    """One scenario by slug for a signed-in facilitator (shipped or uploaded), or 404."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    if slug in scenario_loader.shipped_slugs():
        return ScenarioEntry(slug)
    row = UploadedScenario.objects.select_related("uploaded_by").filter(slug=str(slug)).first()
    if row is None:
        raise Http404
    return ScenarioEntry(slug, row)


def access_team_as_facilitator(request, exercise_id, team_code):
    """A team White acts on (hand it to a bot, take it back): (exercise, team) or 404."""
    exercise = access_exercise_as_facilitator(request, exercise_id)
    team = exercise.teams.filter(code=str(team_code).upper()).first()
    if team is None:
        raise Http404
    return exercise, team


def access_turn_result_as_player(request, code, team_code, number):
    """An earlier published turn as this team saw it: (team, player, result). Its players and White; 404
    for a turn not yet published."""
    team, player = access_team_as_player(request, code, team_code)
    past = selectors.team_turn_result(team=team, number=number)
    if past is None:
        raise Http404
    return team, player, past


# ---- negotiation: who may write, and to whom ----

def may_write_messages(exercise, player):
    """A team's own player writes while the exercise runs; White reads a team's threads, never writes there."""
    return player is not None and exercise.status != Exercise.Status.ENDED


def access_thread(team, thread_key, *, teams=None):
    """A thread the team is party to, as ``selectors.thread_info`` describes it; 404 for any other."""
    thread = selectors.thread_info(team=team, thread=thread_key, teams=teams)
    if thread is None:
        raise Http404
    return thread


def access_thread_to_write(request, code, team_code, thread_key):
    """Writing in an open thread: (team, player, thread). Only the team's own players (403 for White, 404 for
    anyone else); no thread named: ``NoThread`` (400); a thread the team is not party to: 404; a thread only
    White writes in: ``WriteRefused``. The thread decides the recipients (``thread["recipient_codes"]``)."""
    team, player = access_team_for_orders(request, code, team_code)
    key = (thread_key or "").strip()
    if not key:
        raise NoThread(_("Open a conversation before writing."))
    thread = access_thread(team, key)
    if not thread["can_write"]:
        raise WriteRefused(_("Only White writes in this thread."), team=team, player=player, thread=thread)
    return team, player, thread


def access_broadcast_recipients(exercise, codes):
    """The teams White's broadcast goes to: [] for every team (all ticked), else the codes ticked.
    None ticked: ``WriteRefused``."""
    if not codes:
        raise WriteRefused(_("Choose at least one team to write to."))
    return [] if set(codes) == {t.code for t in exercise.teams.all()} else list(codes)
