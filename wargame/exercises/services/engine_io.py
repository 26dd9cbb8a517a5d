"""Between the database and the engine: a turn's rows as engine inputs, and the engine run on them.
Pure reads plus one pure call; the writes that store the result live in turns.py and review.py."""

from wargame import engine
from wargame.scenarios import load_scenario

from .. import engine_text
from ..models import ArguedAction, CrisisChoice, Order
from .common import ServiceError


def engine_orders(turn):
    qs = Order.objects.filter(turn=turn).select_related("team").exclude(action="")
    return [engine.Order(team=o.team.code, action=o.action, target=o.target or None) for o in qs]


def engine_argued(turn):
    rows = ArguedAction.objects.filter(turn=turn).select_related("team").prefetch_related("counters", "cards__team")
    argued = []
    for a in rows:
        argued.append(engine.ArguedOrder(
            team=a.team.code, text=a.action, intended=a.intended, reasons=tuple(a.reasons), aims=tuple(a.aims),
            nearest_action=a.nearest_action or None, target=a.target or None,
            probability=a.probability,
            cards=tuple(((c.team.code if c.team else "WHITE"), c.probability) for c in a.cards.all()),
            accepted_reasons=len(a.accepted_reasons),
            accepted_counters=sum(1 for c in a.counters.all() if c.accepted),
            counter_arguments=tuple(c.text for c in a.counters.all())))
    return argued


def crisis_teams(turn):
    """The codes of the teams that must choose in the crisis sub-turn opening this turn (none: no crisis)."""
    state = engine.GameState.from_dict(turn.state_before)
    return sorted({code for key in engine.crisis_dyads(state) for code in key.split("-")})


def crisis_choices(turn):
    """{team code: choice} made so far in the crisis sub-turn opening this turn."""
    return dict(CrisisChoice.objects.filter(turn=turn).values_list("team__code", "choice"))


def turn_inputs(turn):
    data = {"overrides": [], "injects": [], "skip": [], "fire_now": [], "narratives": {}}
    data.update(turn.inputs or {})
    return data


def run_engine(turn, inputs=None):
    """Resolve a turn from its stored state and every input White has given. Pure and repeatable."""
    exercise = turn.exercise
    spec = load_scenario(exercise.scenario.slug)
    inputs = inputs or turn_inputs(turn)
    try:
        return engine.resolve_turn(
            spec, engine.GameState.from_dict(turn.state_before), engine_orders(turn) + engine_argued(turn),
            seed=exercise.seed,
            overrides=[engine.Override(**o) for o in inputs["overrides"]],
            injects=[engine.InjectInput(**{**i, "audience": i["audience"] if i["audience"] == "all"
                                            else tuple(i["audience"]), "effects": tuple(i["effects"])})
                     for i in inputs["injects"]],
            skip_injects=frozenset(inputs["skip"]), fire_now=frozenset(inputs["fire_now"]),
            crisis_choices=crisis_choices(turn),
            argued_mode=engine.ARGUED_MODE_FOR_SETTING.get(exercise.adjudication_mode))
    except engine.EngineInputError as exc:
        raise ServiceError(engine_text.error_text(exc, spec)) from exc
