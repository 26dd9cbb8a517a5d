"""Injects: scripted (MSEL turn), condition-triggered and White's ad-hoc ones, all from one snapshot."""
from __future__ import annotations

from ..conditions import cond_text, cond_value, eval_cond
from ..effects import Buffer, Scope
from ..messages import msg, render


def fire_injects(turn, skip: frozenset, fire_now: frozenset, adhoc):
    """skip / fire_now: MSEL ids White holds back / fires this turn; adhoc: White's InjectInputs."""
    state = turn.state
    number = turn.number
    buffer = Buffer()
    for inject in turn.scenario.injects:
        if inject.id in state.fired:
            continue
        trigger = inject.trigger
        due = trigger.get("turn") == number or inject.id in fire_now
        condition = trigger.get("when")
        if not due and ("turn" in trigger or condition is None):
            continue
        if inject.id in skip:
            if trigger.get("turn") == number or (condition and eval_cond(condition, state)):
                turn.record(f"t{number}:inject:{inject.id}:skipped", "injects", "inject_skipped", [], "white",
                            msg("inject_skipped", inject=inject.id))
            continue
        if inject.id in fire_now:
            why = "fired now by White"
        else:
            if condition is not None and not eval_cond(condition, state):
                if "turn" in trigger:
                    turn.record(f"t{number}:inject:{inject.id}:not_fired", "injects", "inject_not_fired", [],
                                "white", msg("inject_not_fired", inject=inject.id, condition=cond_text(condition)))
                continue
            if inject.unless and eval_cond(inject.unless, state):
                continue
            why = f"turn {number}" if "turn" in trigger else ""
            if condition is not None:
                why = (why + " and " if why else "") + _why(condition, state)
        _fire(turn, buffer, inject.id, inject.title, inject.text, inject.audience, inject.effects, inject.decision,
              why)
    for inject in adhoc:
        _fire(turn, buffer, inject.id, inject.title, inject.text, inject.audience, tuple(inject.effects),
              inject.decision, "ad-hoc inject from White")
    turn.apply(buffer)


def _fire(turn, buffer, inject_id, title, text, audience, effects, decision, why):
    audience = audience if audience == "all" else list(audience)
    scope = Scope()
    event = turn.run_event(f"t{turn.number}:inject:{inject_id}", "injects", "inject", effects, scope, buffer,
                           teams=[] if audience == "all" else audience, audience=audience,
                           text=_inject_message(inject_id, title, text),
                           extra={"inject": inject_id, "why": why, "headline": title,
                                  "headline_msg": msg("inject_title", inject=inject_id, title=title)})
    if decision:
        event["decision"] = decision
    if scope.ordered_both is not None:
        event["ordered_both"] = scope.ordered_both
    turn.state.fired = turn.state.fired + (inject_id,)


def _inject_message(inject_id, title, text) -> list:
    """The inject's message: its title and text (the app may show the scenario's translation by inject id)."""
    shown = f"{title}: {text}".strip(": ")
    for message in (msg("inject", inject=inject_id, title=title, body=text), msg("inject_title", inject=inject_id,
                    title=title), msg("inject_body", inject=inject_id, body=text)):
        if render(message) == shown:
            return message
    return msg("raw", text=shown)


def _why(condition, state) -> str:
    """The condition that held, with the values that made it hold."""
    if "all" in condition:
        return " and ".join(_why(c, state) for c in condition["all"])
    if "var" in condition:
        value = cond_value(condition, state)
        if value is not None:
            return f"{cond_text(condition)} (now {round(value, 1):g})"
    return cond_text(condition)
