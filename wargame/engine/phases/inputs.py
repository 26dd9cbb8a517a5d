"""White's inputs to a turn, checked before anything resolves: overrides and ad-hoc injects."""
from __future__ import annotations

from ..effects import validate_effect
from ..orders import InjectError, InjectInput, Override, OverrideError, validate_override


def check_inputs(scenario, overrides, injects) -> tuple[dict, dict]:
    """(effect overrides {event id: Override}, dice fixes {(event id, k): ("reroll", salt) | ("manual", faces)}).

    Raises OverrideError / InjectError for anything out of range.
    """
    params = scenario.params
    cap = float(params.adj.get("cap", 10))
    effect_overrides, dice_fixes = _check_overrides(scenario, overrides, cap)
    _check_injects(scenario, injects, cap)
    return effect_overrides, dice_fixes


def _check_overrides(scenario, overrides, cap):
    params = scenario.params
    scale_min, scale_max = params.adj.get("scale_min", 0.5), params.adj.get("scale_max", 1.5)
    effect_overrides = {}
    dice_fixes = {}
    for o in overrides:
        if not isinstance(o, Override):
            raise OverrideError(f"expected an Override, got {o!r}")
        validate_override(o, cap, scale_min, scale_max)
        if o.kind == "replace":
            if not isinstance(o.value, (list, tuple)):
                raise OverrideError(f"override of {o.event_id}: replace needs a list of effects, got {o.value!r}")
            errors = []
            for i, e in enumerate(o.value):
                errors += validate_effect(e, f"override {o.event_id} effects[{i}]", params.actors,
                                          actions=tuple(scenario.actions), zones=params.zones, cap=cap)
            if errors:
                raise OverrideError("; ".join(errors))
        if o.kind in ("reroll", "manual_dice"):
            k = o.draw if (o.draw is not None or o.kind == "reroll") else 0
            if (o.event_id, k) in dice_fixes:
                raise OverrideError(f"two dice overrides for {o.event_id} draw {k}")
            dice_fixes[(o.event_id, k)] = ("reroll", o.value or 1) if o.kind == "reroll" else ("manual", o.value)
        else:
            if o.event_id in effect_overrides:
                raise OverrideError(f"two effect overrides for {o.event_id}")
            effect_overrides[o.event_id] = o
    return effect_overrides, dice_fixes


def _check_injects(scenario, injects, cap):
    params = scenario.params
    ids = set()
    for inject in injects:
        if not isinstance(inject, InjectInput):
            raise InjectError(f"expected an InjectInput, got {inject!r}")
        if not inject.id or not isinstance(inject.id, str):
            raise InjectError("an ad-hoc inject needs an id")
        if inject.id in ids or any(s.id == inject.id for s in scenario.injects):
            raise InjectError(f"inject id {inject.id} is already used")
        ids.add(inject.id)
        audience = inject.audience
        if audience != "all" and not (isinstance(audience, (list, tuple)) and all(a in params.teams for a in audience)):
            raise InjectError(f"inject {inject.id}: audience must be 'all' or team codes, got {audience!r}")
        errors = []
        for i, e in enumerate(inject.effects):
            errors += validate_effect(e, f"inject {inject.id} effects[{i}]", params.actors,
                                      actions=tuple(scenario.actions), zones=params.zones, cap=cap, refs=())
        if errors:
            raise InjectError("; ".join(errors))
