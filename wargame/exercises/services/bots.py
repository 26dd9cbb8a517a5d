"""Bots for empty seats: White hands a team without players to one of its actor's written policies
(engine.bots) and takes it back at any turn. A bot orders when the turn locks and chooses in crisis sub-turns;
its orders take the players' path (orders._save_order: the same checks and the same log, actor "bot:<policy>"),
its crisis choices White's (crisis._choose, by "bot:<policy>")."""

from django.db import transaction
from django.utils.translation import gettext as _

from wargame import engine
from wargame.scenarios import load_scenario

from ..doorbells import Doorbell
from ..models import CrisisChoice, Exercise, Order, Team, Turn
from .common import ServiceError, current_turn_number, log_event, record
from .engine_io import crisis_choices, crisis_teams, engine_orders


def bot_actor(policy):
    return f"bot:{policy}"


def _team(exercise, team_code):
    team = Team.objects.select_for_update().filter(exercise=exercise, code=str(team_code).strip().upper()).first()
    if team is None:
        raise ServiceError(_("%(code)s is not a team in this exercise.") % {"code": team_code})
    return team


def _seated(team):
    return team.players.filter(removed_at__isnull=True).exists()


@transaction.atomic
def bot_assign(*, exercise, by, team_code, policy):
    """Hand a team without players to a bot with one of its actor's policies (or change the bot's policy)."""
    if Exercise.objects.filter(pk=exercise.pk, status=Exercise.Status.ENDED).exists():
        raise ServiceError(_("The exercise has ended."))
    team = _team(exercise, team_code)
    policy = (policy or "").strip()
    if policy not in engine.BOT_POLICY_NAMES:
        raise ServiceError(_("Choose one of the bot's policies: %(names)s.")
                           % {"names": ", ".join(engine.BOT_POLICY_NAMES)})
    if _seated(team):
        raise ServiceError(_("%(team)s has players seated: a bot takes only an empty seat. Move or remove its "
                             "players first.") % {"team": team.name})
    team.bot_policy = policy
    team.save(update_fields=["bot_policy"])
    record(exercise_id=exercise.pk, turn_number=current_turn_number(exercise.pk), kind="bot_assigned", actor=by,
           team=team.code, policy=policy, doorbell=Doorbell.ROSTER_CHANGED)
    return team


@transaction.atomic
def bot_release(*, exercise, by, team_code):
    """White takes a team back from its bot. Orders the bot already gave stay; it gives no more."""
    team = _team(exercise, team_code)
    if not team.bot_policy:
        raise ServiceError(_("%(team)s is not run by a bot.") % {"team": team.name})
    policy, team.bot_policy = team.bot_policy, ""
    team.save(update_fields=["bot_policy"])
    record(exercise_id=exercise.pk, turn_number=current_turn_number(exercise.pk), kind="bot_released", actor=by,
           team=team.code, policy=policy, doorbell=Doorbell.ROSTER_CHANGED)
    return team


def _bot_teams(exercise_id, codes=None):
    qs = Team.objects.filter(exercise_id=exercise_id).exclude(bot_policy="").prefetch_related("players")
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return [t for t in qs if not any(p.removed_at is None for p in t.players.all())]


def bots_order(*, turn):
    """At lock time: every bot team's orders for this turn, through the players' checks and log. Runs inside the
    lock's transaction; a refused order is logged and skipped, never stops the lock."""
    from .orders import _save_order

    teams = _bot_teams(turn.exercise_id)
    if not teams:
        return []
    spec = load_scenario(turn.exercise.scenario.slug)
    state = engine.GameState.from_dict(turn.state_before)
    previous = Turn.objects.filter(exercise_id=turn.exercise_id, number=turn.number - 1).first()
    last_orders = engine_orders(previous) if previous else []
    saved = []
    for team in teams:
        policy = team.bot_policy
        orders = engine.bot_orders(spec, state, team.code, policy, seed=turn.exercise.seed, turn=turn.number,
                                   last_orders=last_orders)
        rows = {o.slot: o for o in Order.objects.select_for_update().filter(turn=turn, team=team)}
        # The bot's orders replace the team's: clear its slots first so each is checked with the bot's other one.
        Order.objects.filter(turn=turn, team=team).exclude(action="").update(action="", target="")
        for slot in (1, 2):
            o = orders[slot - 1] if slot <= len(orders) else None
            row = rows.get(slot)
            if o is None and row is None:
                continue
            try:
                saved.append(_save_order(
                    turn=turn, team=team, slot=slot, action=o.action if o else "", target=(o.target or "") if o else "",
                    note="", existing=row, revision=row.revision if row else 0, updated_by=None, by_bot=policy,
                    actor=bot_actor(policy)))
            except ServiceError as exc:
                log_event(exercise_id=turn.exercise_id, turn_number=turn.number, kind="bot_order_refused",
                          actor=bot_actor(policy), team=team.code, slot=slot, reason=str(exc))
    return saved


def _last_choice(turn, code):
    """The team's choice in the latest earlier crisis sub-turn, if any (for mirror)."""
    row = (CrisisChoice.objects.filter(turn__exercise_id=turn.exercise_id, turn__number__lt=turn.number,
                                       team__code=code).order_by("-turn__number").first())
    return row.choice if row else None


def bots_choose_in_crisis(*, turn, force=False):
    """Every bot team of the crisis sub-turn opening `turn` that has not chosen chooses now. A mirror waits for the
    other side's choice unless `force` (the crisis is being settled: with nothing to copy it holds). Non-mirror
    bots choose first, so a mirror can copy a bot. Returns the choices made."""
    from .crisis import _choose, crisis_pending

    codes = crisis_teams(turn)
    if not codes or not crisis_pending(turn):
        return {}
    teams = sorted(_bot_teams(turn.exercise_id, codes), key=lambda t: (t.bot_policy == "mirror", t.code))
    if not teams:
        return {}
    spec = load_scenario(turn.exercise.scenario.slug)
    state = engine.GameState.from_dict(turn.state_before)
    dyads = engine.crisis_dyads(state)
    made = {}
    for team in teams:
        chosen = crisis_choices(turn)
        if team.code in chosen:
            continue
        mine = [k for k in dyads if team.code in k.split("-")]
        if not mine:
            continue
        dyad = max(mine, key=lambda k: (state.dyads[k].rung if k in state.dyads else 0, k))
        a, b = dyad.split("-")
        other = b if team.code == a else a
        other_choice = chosen.get(other)
        if team.bot_policy == "mirror" and other_choice is None:
            if not force:
                continue
            other_choice = _last_choice(turn, other)
        choice = engine.bot_crisis_choice(spec, state, team.code, team.bot_policy, dyad, other_choice=other_choice)
        _choose(turn, team, choice, by_white=bot_actor(team.bot_policy), settle=not force)
        made[team.code] = choice
    return made
