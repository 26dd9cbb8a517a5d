"""The engine's words in the reader's language.

The engine (pure, English only) gives every event a message next to its English text: ``"msg": [id, params]``
(wargame/engine/messages.py), and every Refusal a ``.msg``. This module holds one gettext template per message
id, with the same placeholders as the engine's English template (``{x:.1f}`` there is ``%(x).1f`` here; the
test in tests/django/test_engine_text.py keeps the two in step), and renders a message in the active language.

Parameters: nested messages are rendered first, lists are joined by ", ", ``%(X_name)s`` is the display name
of the action key in param X (the scenario's, localised once the scenario has a translation: `_localised`).
Strings from the scenario (inject titles and bodies, incident names, ending texts) or from players (argued
action texts) pass through as given; `_scenario_text` is the hook that will look up their translations.

Events stored before messages existed have no "msg": their stored English "text" is shown unchanged.
"""
from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wargame import engine
from wargame.engine.messages import is_msg
from wargame.scenarios import ScenarioError, load_scenario

TEMPLATES = {
    "raw": _("%(text)s"),
    "and": _("%(a)s and %(b)s"),
    "semicolon": _("%(a)s; %(b)s"),
    "with_note": _("%(base)s (%(note)s)"),
    "note_unobserved": _("unobserved"),
    "note_covert_undetected": _("covert, undetected"),
    "note_detected": _("detected"),
    "game_date": _("Q%(quarter)s %(year)s"),
    "override": _("White override (%(reason)s) of %(event)s: %(kind)s %(value)s"),
    "override_note": _("White override (%(reason)s) of %(event)s: %(kind)s %(value)s — %(note)s"),
    "inject": _("%(title)s: %(body)s"),
    "inject_title": _("%(title)s"),
    "inject_body": _("%(body)s"),
    "inject_skipped": _("%(inject)s skipped by White"),
    "inject_not_fired": _("%(inject)s did not fire: %(condition)s does not hold"),
    "ice": _("Ice closes %(zones)s to surface ships (%(date)s)"),
    "ice_bastion": _("Ice closes %(zones)s to surface ships (%(date)s); the bastion's security %(bs)+g this quarter"),
    "ice_headline": _("Winter ice in the northern Sea of Okhotsk"),
    "order_unknown_team": _("Order %(action)s not carried out: unknown team %(team)s"),
    "order_not_carried_out": _("%(team)s's %(action)s not carried out: %(problem)s"),
    "bilateral_missing": _("%(action)s with %(other)s did not happen: %(other)s did not order it; no RP spent"),
    "other_did_not_order": _("%(other)s did not order it"),
    "action": _("%(team)s: %(action)s %(action_name)s"),
    "action_target": _("%(team)s: %(action)s %(action_name)s (%(target)s)"),
    "action_bilateral": _("%(a)s and %(b)s: %(action)s %(action_name)s"),
    "action_joint": _("%(teams)s: %(action_name)s (joint)"),
    "sub_placed": _("%(team)s: %(action)s %(action_name)s (%(zone)s, secret)"),
    "opposed": _("Opposed roll %(action_a)s (%(a)s) vs %(action_b)s (%(b)s): %(winner)s prevails (%(total_a).1f vs "
                 "%(total_b).1f); %(loser)s's %(loser_action)s takes effect ×%(scale)g"),
    "opposed_tie": _("Opposed roll %(action_a)s (%(a)s) vs %(action_b)s (%(b)s): tie (%(total_a).1f); both take "
                     "full effect"),
    "transit_seen": _("%(team)s's transit of %(zone)s is seen by %(seen_by)s"),
    "transit_unseen": _("%(team)s's transit of %(zone)s passes unobserved"),
    "transit_passed": _("%(team)s's flotilla passes %(barrier)s's barrier in %(zone)s (d100 %(roll)s against "
                        "%(chance).0f%% to block)"),
    "transit_blocked": _("%(barrier)s's barrier turns back %(team)s's flotilla in %(zone)s (d100 %(roll)s against "
                         "%(chance).0f%%)"),
    "detection": _("%(hunter)s detects a %(hunted)s submarine in %(zone)s (chance %(chance).0f%%, d100 %(roll)s)"),
    "detection_trail": _("%(hunter)s holds a trail on a %(hunted)s submarine in %(zone)s (chance %(chance).0f%%, "
                         "d100 %(roll)s)"),
    "detection_miss": _("%(hunter)s hunted %(hunted)s's submarine in %(zone)s: no contact (d100 %(roll)s against "
                        "%(chance).0f%%)"),
    "no_contact": _("%(hunter)s: no submarine contact in %(zone)s"),
    "found_by": _("%(hunted)s: your submarine in %(zone)s has been detected by %(hunter)s"),
    "found_unknown": _("%(hunted)s: your submarine in %(zone)s has been detected (by whom is not known)"),
    "argued": _("%(team)s argued: %(text)s — %(outcome)s"),
    "argued_dup": _("%(team)s: only one argued action a turn; extra one dropped"),
    "outcome_yes_and": _("Yes, and"),
    "outcome_yes_but": _("Yes, but"),
    "outcome_no_but": _("No, but"),
    "outcome_no_and": _("No, and"),
    "incident": _("Incident %(a)s–%(b)s: %(incident)s (severity %(severity).1f)"),
    "incident_forced": _("Incident %(a)s–%(b)s: %(incident)s (severity %(severity).1f, forced roll)"),
    "crisis_opened": _("Crisis on %(a)s–%(b)s at rung %(rung)s: before the next turn, each side chooses to "
                       "de-escalate, hold or escalate (48 hours)"),
    "crisis_opened_helped": _("Crisis on %(a)s–%(b)s at rung %(rung)s: before the next turn, each side chooses to "
                              "de-escalate, hold or escalate (48 hours); a de-escalation call gets +%(bonus)s%% "
                              "(INCSEA or hotline, C ≥ %(c_min)s)"),
    "crisis_outcome": _("Crisis sub-turn %(a)s–%(b)s: %(a)s %(choice_a)s, %(b)s %(choice_b)s — rung %(rung)s"),
    "crisis_outcome_calls": _("Crisis sub-turn %(a)s–%(b)s: %(a)s %(choice_a)s, %(b)s %(choice_b)s; %(calls)s — "
                              "rung %(rung)s"),
    "choice_deescalate": _("de-escalates"),
    "choice_hold": _("holds"),
    "choice_escalate": _("escalates"),
    "call_works": _("%(team)s's call works"),
    "call_fails": _("%(team)s's call fails"),
    "high_tension": _("T(%(a)s,%(b)s) ≥ %(threshold)s: incident chances are doubled"),
    "band_change": _("%(a)s–%(b)s relations move into the %(band)s band (IL %(il).1f)"),
    "band_power_political": _("power political"),
    "band_coexistence": _("coexistence"),
    "band_cooperative": _("cooperative"),
    "band_convergence": _("convergence"),
    "domestic_pressure": _("Domestic pressure in %(team)s: support below %(below)s"),
    "game_end": _("The game ends: %(reason)s"),
    "ending_armed_conflict": _("armed conflict between %(a)s and %(b)s (rung %(rung)s): play stops for a hotwash"),
    "ending_turn_limit": _("turn limit reached (%(turns)s turns)"),
    "ending_treaty": _("a peace-treaty framework is agreed"),
    "ending_scenario": _("%(text)s"),
    "treaty": _("Domestic support for a settlement: %(rolls)s"),
    "treaty_roll_holds": _("%(team)s rolls %(roll)s against D %(support).0f (holds)"),
    "treaty_roll_fails": _("%(team)s rolls %(roll)s against D %(support).0f (fails)"),
    "unknown_action": _("unknown action %(action)s"),
    "not_team_action": _("%(action)s is not an action %(team)s can take"),
    "needs_zone": _("%(action)s needs a zone among %(zones)s, got %(target)s"),
    "takes_no_target": _("%(action)s takes no target (got %(target)s)"),
    "needs_target": _("%(action)s needs a target among %(targets)s"),
    "cannot_target": _("%(action)s cannot target %(target)s (allowed: %(targets)s)"),
    "unknown_third": _("unknown third party %(third)s"),
    "action_locked": _("%(action)s is not yet unlocked"),
    "not_unlocked": _("not yet unlocked"),
    "ice_closed": _("%(action)s: ice closes %(zone)s to surface ships in Q%(quarter)s"),
    "prereq_unmet": _("%(action)s prerequisite unmet: %(detail)s"),
    "unknown_team": _("unknown team %(team)s"),
    "too_many_orders": _("more than two actions (%(count)s ordered)"),
    "foreign_order": _("order for %(other)s in %(team)s's orders"),
    "ordered_twice": _("%(action)s ordered twice"),
    "ordered_twice_dropped": _("%(action)s ordered twice; only one is carried out"),
    "too_many_dropped": _("more than two actions; this one is dropped"),
    "over_budget": _("over RP budget (%(cost)s > %(budget)s)"),
    "game_over": _("the game has ended: %(reason)s"),
}


def _localised(spec):
    """The scenario in the active language (its names and inject texts); English when that is the language."""
    lang = (get_language() or "en").split("-")[0]
    if spec is None or lang == "en" or not getattr(spec, "slug", None):
        return spec
    try:
        return load_scenario(spec.slug, lang=lang)
    except ScenarioError:  # a scenario that is no longer installed: its own (English) names
        return spec


def _action_name(key, spec) -> str:
    action = (getattr(spec, "actions", None) or {}).get(key)
    return action.name if action is not None else str(key)


def _scenario_text(msg_id, name, value, spec):
    """Hook: a string the scenario or a player wrote (incident name, ending text, argued text) in the reader's
    language. As given for now; inject titles and bodies are looked up by inject id in _render_params."""
    return value


def _render_params(msg_id, params, spec) -> dict:
    values = {}
    for key, value in params.items():
        if is_msg(value):
            values[key] = _render(value, spec)
        elif isinstance(value, (list, tuple)):
            values[key] = ", ".join(str(_render(v, spec)) if is_msg(v) else str(v) for v in value)
        elif isinstance(value, str):
            values[key] = _scenario_text(msg_id, key, value, spec)
        else:
            values[key] = value
    if msg_id in ("inject", "inject_title", "inject_body") and spec is not None:
        inject = next((i for i in getattr(spec, "injects", ()) or () if i.id == params.get("inject")), None)
        if inject is not None:  # the scenario's own inject: its (localised) title and text
            values.update({k: v for k, v in (("title", inject.title), ("body", inject.text)) if k in values})
    for name in _derived(msg_id):
        values[name] = _action_name(params.get(name[:-5]), spec)
    return values


def _derived(msg_id) -> list:
    from wargame.engine.messages import MESSAGES, derived_base, fields

    return [name for name, _ in fields(MESSAGES[msg_id]) if derived_base(name)]


def _render(message, spec) -> str:
    msg_id, params = message[0], message[1]
    template = TEMPLATES.get(msg_id)
    if template is None:  # an id newer than this app: its English rendering is not at hand
        return str(params.get("text", msg_id))
    return str(template) % _render_params(msg_id, params, spec)


def message_text(message, spec=None) -> str:
    """A message ([id, params]) in the active language. spec: the exercise's scenario, for names."""
    return _render(message, _localised(spec))


def event_text(event, spec=None) -> str:
    """An event's text in the active language: from its "msg", or its stored English "text" (older events)."""
    if not isinstance(event, dict):
        return ""
    message = event.get("msg")
    if is_msg(message):
        return message_text(message, spec)
    return event.get("text", "")


def event_reason_text(event, spec=None) -> str:
    """Why an order was not carried out, in the active language (the stored English reason for old events)."""
    message = event.get("msg")
    if is_msg(message) and message[0] == "order_not_carried_out" and is_msg(message[1].get("problem")):
        return message_text(message[1]["problem"], spec)
    if is_msg(message) and message[0] == "bilateral_missing":
        return message_text(["other_did_not_order", {"other": message[1].get("other", "")}], spec)
    return event.get("reason", "")


def event_headline_text(event, spec=None) -> str:
    """The headline the engine gives an event (TurnResult.headlines), in the active language."""
    if is_msg(event.get("headline_msg")):
        return message_text(event["headline_msg"], spec)
    return event.get("headline") or event_text(event, spec)


def refusal_text(refusal, spec=None) -> str:
    """A reason an order cannot be taken (engine.Refusal, or a plain string from older code) in the active
    language."""
    message = getattr(refusal, "msg", None)
    if is_msg(message):
        return message_text(message, spec)
    return str(refusal or "")


def error_text(error, spec=None) -> str:
    """An EngineInputError for White, in the active language when it carries a message."""
    message = getattr(error, "msg", None)
    if is_msg(message):
        return message_text(message, spec)
    return str(error)


def translated_event(event, spec=None) -> dict:
    """A copy of an event whose "text" (and "reason", "headline") are in the active language; the English
    text stays under "text_en". Templates that print event.text then show the reader's language."""
    return _translated(event, _localised(spec))


def translated_events(events, spec=None) -> list:
    spec = _localised(spec)
    return [_translated(e, spec) for e in events or ()]


def _translated(event, localised_spec):
    if not isinstance(event, dict) or not is_msg(event.get("msg")):
        return event
    out = dict(event)
    out["text_en"] = event.get("text", "")
    out["text"] = _render(event["msg"], localised_spec)
    if "reason" in event and event.get("kind") == "not_carried_out":
        message = event["msg"]
        if message[0] == "order_not_carried_out" and is_msg(message[1].get("problem")):
            out["reason"] = _render(message[1]["problem"], localised_spec)
        elif message[0] == "bilateral_missing":
            out["reason"] = _render(["other_did_not_order", {"other": message[1].get("other", "")}],
                                    localised_spec)
    if "headline" in event and is_msg(event.get("headline_msg")):
        out["headline"] = _render(event["headline_msg"], localised_spec)
    return out


def headlines(events, spec=None) -> list:
    """The turn's public one-liners (as TurnResult.headlines) in the active language."""
    spec = _localised(spec)
    out = []
    for e in events or ():
        if e.get("audience") == "all" and e.get("kind") in engine.HEADLINE_KINDS:
            e = _translated(e, spec)
            out.append(e.get("headline") or e.get("text", ""))
    return out


def narrative(events, code, spec=None) -> str:
    """Everything a team is told in a turn (as TurnResult.narratives[code]) in the active language."""
    spec = _localised(spec)
    return "\n".join(_translated(e, spec).get("text", "") for e in events or ()
                     if e.get("audience") == "all" or (isinstance(e.get("audience"), list) and code in e["audience"]))


def ended_text(events, ended, spec=None) -> str:
    """Why the game ended, in the active language: the reason of the turn's "end" event; else `ended` as
    stored (the engine's English)."""
    for e in reversed(list(events or ())):
        message = e.get("msg") if isinstance(e, dict) else None
        if e.get("kind") == "end" and is_msg(message) and is_msg(message[1].get("reason")):
            return message_text(message[1]["reason"], spec)
    return ended or ""
