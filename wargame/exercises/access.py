"""The only gate. Views get every object through these functions, which return it or raise.

Roles: a facilitator (Django user listed on the exercise), a player (browser session joined to
a team), an observer (browser session that joined with the observer code), and a stranger.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Exercise, Player, Team

SESSION_PLAYERS = "players"  # {exercise_id: player_id}
SESSION_OBSERVING = "observing"  # [exercise_id, ...]


class PlayerRemoved(PermissionDenied):
    """The session's player was removed by White. Rendered as a page that says so (urls.handler403)."""

    def __init__(self, player):
        super().__init__("removed")
        self.player = player


def _is_facilitator(user, exercise):
    return user.is_authenticated and (
        user.is_superuser or exercise.facilitators.filter(pk=user.pk).exists()
    )


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
    """A player White acts on (move, rename, remove, answer a switch request): (exercise, player) or 404."""
    exercise = access_exercise_as_facilitator(request, exercise_id)
    try:
        player = Player.objects.select_related("team").get(pk=int(player_id or 0), exercise=exercise)
    except (Player.DoesNotExist, TypeError, ValueError):
        raise Http404
    return exercise, player


def access_exercise_to_join(code):
    """The exercise a join code opens, or None: the join page says a wrong code is wrong, not 404."""
    code = (code or "").strip().upper()
    return Exercise.objects.filter(join_code=code).first() if code else None


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
    only when White allows it. They can never act."""
    try:
        exercise = Exercise.objects.select_related("scenario").get(observer_code=code.upper())
    except Exercise.DoesNotExist:
        raise Http404
    if console and not exercise.observers_see_console:
        raise Http404
    return exercise
