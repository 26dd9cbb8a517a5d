"""A team's own view: its state as it perceives it, orders, catalogue, proposals, argued actions, injects and
published results. Only what the team may see; access has already checked the seat."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _lazy

from wargame import engine
from wargame.maps import zone_name

from .. import engine_text
from ..models import ArguedAction, Order, Turn
from .common import current_turn, dyad_rows, last_published_turn, scenario_for


def team_view(*, team):
    """What one team may see: its own state exactly, the others through fog."""
    exercise = team.exercise
    spec = scenario_for(exercise)
    state = engine.GameState.from_dict(exercise.state)
    codes = set(exercise.teams.values_list("code", flat=True)) | set(state.actors)
    own = state.actors[team.code]
    perceived = engine.perceive(spec, state, team.code, seed=exercise.seed)
    objectives = engine.objectives_status(spec, state, team.code)
    team_spec = next(t for t in spec.teams if t.code == team.code)
    return {
        "spec": team_spec,
        "own_vars": [{"name": k, "value": round(v)} for k, v in own.vars.items()],
        "rp": state.rp.get(team.code, 0),
        "dyads": dyad_rows(state, codes, only_with=team.code),
        "perceived": perceived,
        "objectives": objectives,
    }


def team_orders(*, team, turn):
    slots = {o.slot: o for o in Order.objects.filter(turn=turn, team=team).select_related("updated_by")}
    return [slots.get(1), slots.get(2)]


def team_catalogue(*, team):
    exercise = team.exercise
    spec = scenario_for(exercise)
    turn = current_turn(exercise)
    state = engine.GameState.from_dict(turn.state_before if turn else exercise.state)
    # Actions an inject must unlock stay out of sight until it does.
    rows = [(a, ok, _translated_refusal(why, spec)) for a, ok, why in engine.available_actions(spec, state, team.code)
            if ok or why.code != engine.NOT_UNLOCKED]
    groups = [(label, [r for r in rows if r[0].category == category]) for category, label in CATEGORIES]
    others = [t for t in exercise.teams.all() if t.pk != team.pk]
    # Sea zones, for the orders that go to a zone (patrols, hunts, transits), when the team has one.
    zones = [(z, zone_name(z)) for z in spec.params.zones] if any(a.zones for a, _ok, _why in rows) else []
    return {"actions": rows, "groups": [g for g in groups if g[1]], "targets": others, "zones": zones}


CATEGORIES = (("military", _lazy("Military")), ("diplomatic", _lazy("Diplomatic")),
              ("economic", _lazy("Economic")), ("information", _lazy("Information")))


def team_last_result(*, team):
    return _team_result(team, last_published_turn(team.exercise))


def team_published_turns(*, team):
    """Numbers of the turns published so far: a team may re-read each of them."""
    return list(team.exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("number")
                .values_list("number", flat=True))


def team_turn_result(*, team, number):
    """One published turn as this team saw it (the same rules as the "Last turn" panel), or None
    when that turn is not published."""
    turn = team.exercise.turns.filter(status=Turn.Status.PUBLISHED, number=number).first()
    result = _team_result(team, turn)
    if result is not None:
        result["injects"] = team_injects(team=team, turn=turn)
        result["orders"] = [o for o in team_orders(team=team, turn=turn) if o and o.action]
    return result


def _translated_refusal(why, spec):
    """The reason as a Refusal in the reader's language (same code and message), so a template prints it."""
    if not why:
        return why
    return engine.Refusal(engine_text.refusal_text(why, spec), why.code, getattr(why, "msg", None))


def _team_result(team, turn):
    if turn is None or not turn.result:
        return None
    spec = scenario_for(team.exercise)
    events = turn.result.get("events", [])
    edited = (turn.inputs or {}).get("narratives") or {}
    # the engine's narrative in the reader's language, unless White wrote this team's narrative
    narrative = (turn.result.get("narratives", {}).get(team.code, "") if team.code in edited
                 or not any("msg" in e for e in events) else engine_text.narrative(events, team.code, spec))
    return {
        "turn": turn,
        "narrative": narrative,
        "headlines": (engine_text.headlines(events, spec) if any("msg" in e for e in events)
                      else turn.result.get("headlines", [])),
        "events": engine_text.translated_events([e for e in events if engine.visible_to(e, team.code)], spec),
    }


def team_proposals(*, team, turn):
    """Bilateral actions: what others propose to this team, and whether each will happen."""
    if turn is None:
        return []
    spec = scenario_for(team.exercise)
    bilateral = [k for k, a in spec.actions.items() if a.bilateral]
    orders = list(Order.objects.filter(turn=turn, action__in=bilateral).select_related("team"))
    teams = {o.team.code: o.team for o in orders}
    rows = []
    for p in engine.bilateral_status(spec, [engine.Order(o.team.code, o.action, o.target or None) for o in orders],
                                     team.code):
        if p.incoming:
            rows.append({"action": spec.actions[p.action], "from": teams[p.other], "incoming": True, "agreed": p.agreed})
        else:
            rows.append({"action": spec.actions[p.action], "to": p.other, "incoming": False, "agreed": False})
    return rows


def team_argued(*, team, turn):
    """This team's argued action, and the other teams' ones it may counter or estimate."""
    if turn is None:
        return {"own": None, "others": []}
    rows = list(ArguedAction.objects.filter(turn=turn).select_related("team", "updated_by")
                .prefetch_related("counters__team", "cards"))
    own = next((a for a in rows if a.team_id == team.pk), None)
    others = []
    for a in rows:
        if a.team_id == team.pk:
            continue
        my_card = next((c.probability for c in a.cards.all() if c.team_id == team.pk), None)
        others.append({"argued": a, "my_card": my_card})
    return {"own": own, "others": others}


def team_injects(*, team, turn):
    """Injects this team is told about at the start of the turn: the MSEL's turn triggers and White's own."""
    if turn is None:
        return []
    return engine.injects_announced(scenario_for(team.exercise), turn.number, turn.inputs, team.code)


def join_team_rows(*, exercise):
    """The team picker: each team with its seated count (removed players do not count) and its briefing."""
    spec = scenario_for(exercise)
    counts = dict(exercise.players.filter(removed_at__isnull=True, team__isnull=False)
                  .values("team_id").annotate(n=Count("pk")).values_list("team_id", "n"))
    return [{"team": t, "count": counts.get(t.pk, 0), "spec": next((s for s in spec.teams if s.code == t.code), None)}
            for t in exercise.teams.all()]


def team_by_code(*, exercise, code):
    return exercise.teams.filter(code=(code or "").strip().upper()).first()


def other_teams(*, player):
    """Teams a seated player could ask White to move them to."""
    return list(player.exercise.teams.exclude(pk=player.team_id))
