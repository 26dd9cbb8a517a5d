"""White's review of a proposed result: overrides, re-rolls, narratives, injects, argued adjudication.
Each change re-runs the engine on the stored inputs, so the result stays replayable."""

import math

from django.db import transaction
from django.utils.translation import gettext as _

from wargame import engine
from wargame.scenarios import load_scenario

from ..doorbells import Doorbell
from ..models import ArguedAction, EstimateCard, Turn
from .common import (
    INJECT_TEXT_MAX_CHARS, INJECT_TITLE_MAX_CHARS, NARRATIVE_MAX_CHARS, OVERRIDE_NOTE_MAX_CHARS, ServiceError,
    StaleAction, clean_text, record, team_codes, turn_for_white)
from .engine_io import run_engine, turn_inputs


def _change_inputs(turn, change, *, by, kind, **payload):
    """Apply one change to a turn's inputs; in review, re-run the engine so White sees the effect now."""
    inputs = turn_inputs(turn)
    change(inputs)
    fields = ["inputs"]
    if turn.status == Turn.Status.REVIEW:
        turn.result = run_engine(turn, inputs).to_dict()  # raises ServiceError, leaving nothing changed
        fields.append("result")
    elif turn.status == Turn.Status.OPEN and (inputs["injects"] or inputs["fire_now"] or inputs["skip"]):
        _check_injects(turn, inputs)
    turn.inputs = inputs
    turn.save(update_fields=fields)
    record(exercise_id=turn.exercise_id, turn_number=turn.number, kind=kind, actor=by, **payload,
           doorbell=Doorbell.TURN_RESOLVED if turn.status == Turn.Status.REVIEW else Doorbell.INJECTS_CHANGED)
    return turn


def _check_injects(turn, inputs):
    """Validate ad-hoc injects against the model's caps before the turn resolves."""
    run_engine(turn, {**inputs, "overrides": []})


@transaction.atomic
def turn_override(*, exercise, by, turn_number, event_id, kind, value=None, reason="Error", note="", draw=None):
    """White overrides one proposed result: scale, replace, re-roll one draw or enter physical dice."""
    if reason not in engine.OVERRIDE_REASONS:
        raise ServiceError(_("Choose a reason: %(r)s.") % {"r": ", ".join(engine.OVERRIDE_REASONS)})
    if kind not in engine.OVERRIDE_KINDS:
        raise ServiceError(_("Unknown override kind."))
    turn = turn_for_white(exercise, turn_number, {Turn.Status.REVIEW})
    known = {e["id"] for e in (turn.result or {}).get("events", [])} | {
        d["event"] for d in (turn.result or {}).get("draws", [])}
    if event_id not in known:
        raise StaleAction(_("That result is no longer in the proposal; the page has been refreshed."))
    note = clean_text(note, limit=OVERRIDE_NOTE_MAX_CHARS, what=_("A note"))
    if isinstance(value, float) and not math.isfinite(value):
        raise ServiceError(_("Enter a finite number."))
    override = {"event_id": event_id, "kind": kind, "value": value, "reason": reason, "note": note,
                "draw": draw}

    def change(inputs):
        same = (lambda o: o["event_id"] == event_id and (o["kind"] in ("reroll", "manual_dice")) ==
                (kind in ("reroll", "manual_dice")) and (kind not in ("reroll", "manual_dice") or o["draw"] == draw))
        if kind == "reroll":
            # Each re-roll of the same draw gets a new salt, so it lands on a fresh, still-seeded die.
            previous = [o for o in inputs["overrides"] if same(o) and o["kind"] == "reroll"]
            override["value"] = (previous[-1]["value"] if previous else 0) + 1
        inputs["overrides"] = [o for o in inputs["overrides"] if not same(o)] + [override]

    # The logged dict is the same object change() completes, so a re-roll's salt is in the log too.
    return _change_inputs(turn, change, by=by, kind=f"override_{kind}", override=override)


@transaction.atomic
def turn_override_clear(*, exercise, by, turn_number, event_id):
    turn = turn_for_white(exercise, turn_number, {Turn.Status.REVIEW})

    def change(inputs):
        inputs["overrides"] = [o for o in inputs["overrides"] if o["event_id"] != event_id]

    return _change_inputs(turn, change, by=by, kind="override_cleared", event_id=event_id)


@transaction.atomic
def narrative_edit(*, exercise, by, turn_number, team_code, text):
    turn = turn_for_white(exercise, turn_number, {Turn.Status.REVIEW})
    if not exercise.teams.filter(code=team_code).exists():
        raise ServiceError(_("There is no team %(code)s in this exercise.") % {"code": team_code})
    text = clean_text(text, limit=NARRATIVE_MAX_CHARS, what=_("A narrative"))

    def change(inputs):
        inputs["narratives"] = {**inputs["narratives"], team_code: text}

    return _change_inputs(turn, change, by=by, kind="narrative_edited", team=team_code)


@transaction.atomic
def inject_fire_now(*, exercise, by, turn_number, inject_id):
    turn = turn_for_white(exercise, turn_number, {Turn.Status.OPEN, Turn.Status.REVIEW})
    spec = load_scenario(exercise.scenario.slug)
    if inject_id not in {i.id for i in spec.injects}:
        raise ServiceError(_("There is no inject %(id)s in this scenario.") % {"id": inject_id})

    def change(inputs):
        inputs["fire_now"] = sorted(set(inputs["fire_now"]) | {inject_id})
        inputs["skip"] = [i for i in inputs["skip"] if i != inject_id]

    return _change_inputs(turn, change, by=by, kind="inject_fired", inject=inject_id)


@transaction.atomic
def inject_skip(*, exercise, by, turn_number, inject_id):
    turn = turn_for_white(exercise, turn_number, {Turn.Status.OPEN, Turn.Status.REVIEW})

    def change(inputs):
        inputs["skip"] = sorted(set(inputs["skip"]) | {inject_id})
        inputs["fire_now"] = [i for i in inputs["fire_now"] if i != inject_id]

    return _change_inputs(turn, change, by=by, kind="inject_skipped", inject=inject_id)


@transaction.atomic
def inject_adhoc(*, exercise, by, turn_number, title, text, audience, effects):
    """White writes an inject on the spot. Effects are checked against the model's caps."""
    title = clean_text(title, limit=INJECT_TITLE_MAX_CHARS, what=_("An inject title"))
    text = clean_text(text, limit=INJECT_TEXT_MAX_CHARS, what=_("An inject text"))
    if not title or not text:
        raise ServiceError(_("An inject needs a title and a text."))
    codes = set(exercise.teams.values_list("code", flat=True))
    if audience != "all":
        audience = sorted(team_codes(audience))
        if not audience:
            raise ServiceError(_("Choose at least one team, or all teams."))
        unknown = [c for c in audience if c not in codes]
        if unknown:
            raise ServiceError(_("%(codes)s is not a team in this exercise.") % {"codes": ", ".join(unknown)})
    turn = turn_for_white(exercise, turn_number, {Turn.Status.OPEN, Turn.Status.REVIEW})
    inject = {"id": f"W{turn.number}-{len(turn_inputs(turn)['injects']) + 1}", "title": title, "text": text,
              "audience": audience, "effects": list(effects), "decision": ""}

    def change(inputs):
        inputs["injects"] = inputs["injects"] + [inject]

    return _change_inputs(turn, change, by=by, kind="inject_adhoc", inject=inject)


@transaction.atomic
def argued_adjudicate(*, exercise, by, turn_number, team_code, accepted_reasons=None, accepted_counters=None,
                      probability=None, white_card=None):
    """White's part in an argued action: which reasons count, the umpire's probability, or White's card."""
    turn = turn_for_white(exercise, turn_number, {Turn.Status.OPEN, Turn.Status.LOCKED, Turn.Status.REVIEW})
    argued = ArguedAction.objects.select_for_update().filter(turn=turn, team__code=team_code).first()
    if argued is None:
        raise StaleAction(_("That argued action no longer exists."))
    if probability is not None and not 0 <= probability <= 100:
        raise ServiceError(_("A probability is between 0 and 100%."))
    if white_card is not None and white_card not in EstimateCard.CARDS:
        raise ServiceError(_("Cards are 0, 10, 30, 50, 70, 90 or 100%."))
    if accepted_reasons is not None:
        argued.accepted_reasons = sorted(i for i in set(accepted_reasons) if 0 <= i < len(argued.reasons))
    if probability is not None:
        argued.probability = probability
    argued.save()
    if accepted_counters is not None:
        for counter in argued.counters.all():
            counter.accepted = counter.pk in set(accepted_counters)
            counter.save(update_fields=["accepted"])
    if white_card is not None:
        EstimateCard.objects.update_or_create(argued=argued, team=None, defaults={"probability": white_card})
    if turn.status == Turn.Status.REVIEW:
        turn.result = run_engine(turn).to_dict()
        turn.save(update_fields=["result"])
    record(exercise_id=exercise.pk, turn_number=turn.number, kind="argued_adjudicated", actor=by, team=team_code,
           accepted_reasons=argued.accepted_reasons, probability=probability, white_card=white_card,
           doorbell=Doorbell.TURN_RESOLVED if turn.status == Turn.Status.REVIEW else Doorbell.ORDERS_CHANGED)
    return argued
