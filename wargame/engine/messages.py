"""Every message the engine writes for people: a stable id and an English template.

An event carries ``"msg": [id, params]`` next to its English ``"text"``; a Refusal carries ``.msg`` the same
way. The engine renders ``text`` from the template here, so the two never disagree, and the app translates
the id (wargame/exercises/engine_text.py holds a template per id with the same placeholders).

Parameters are JSON-safe: team codes, action keys, zone ids, numbers, strings from the scenario or from a
player, lists of those (shown joined by ", ") and nested messages (a two-item list ``[id, params]``, rendered
first). A placeholder ``{X_name}`` is not a parameter: it is the display name of the action key in param
``X`` (the scenario's name; the app uses the localised one). A placeholder may carry a format spec
(``{chance:.0f}``); the app's template uses the %-style equivalent (``%(chance).0f``).
"""
from __future__ import annotations

import string
from functools import lru_cache

MESSAGES = {
    # free text the engine passes on unchanged (an ad-hoc inject whose title and text do not fit "inject")
    "raw": "{text}",
    # ---- joining pieces
    "and": "{a} and {b}",
    "semicolon": "{a}; {b}",
    "with_note": "{base} ({note})",
    "note_unobserved": "unobserved",
    "note_covert_undetected": "covert, undetected",
    "note_detected": "detected",
    "game_date": "Q{quarter} {year}",
    # ---- overrides
    "override": "White override ({reason}) of {event}: {kind} {value}",
    "override_note": "White override ({reason}) of {event}: {kind} {value} — {note}",
    # ---- injects and the season
    "inject": "{title}: {body}",
    "inject_title": "{title}",
    "inject_body": "{body}",
    "inject_skipped": "{inject} skipped by White",
    "inject_not_fired": "{inject} did not fire: {condition} does not hold",
    "ice": "Ice closes {zones} to surface ships ({date})",
    "ice_bastion": "Ice closes {zones} to surface ships ({date}); the bastion's security {bs:+g} this quarter",
    "ice_headline": "Winter ice in the northern Sea of Okhotsk",
    # ---- orders
    "order_unknown_team": "Order {action} not carried out: unknown team {team}",
    "order_not_carried_out": "{team}'s {action} not carried out: {problem}",
    "bilateral_missing": "{action} with {other} did not happen: {other} did not order it; no RP spent",
    "other_did_not_order": "{other} did not order it",
    # ---- actions
    "action": "{team}: {action} {action_name}",
    "action_target": "{team}: {action} {action_name} ({target})",
    "action_bilateral": "{a} and {b}: {action} {action_name}",
    "action_joint": "{teams}: {action_name} (joint)",
    "sub_placed": "{team}: {action} {action_name} ({zone}, secret)",
    # ---- opposed rolls
    "opposed": "Opposed roll {action_a} ({a}) vs {action_b} ({b}): {winner} prevails ({total_a:.1f} vs "
               "{total_b:.1f}); {loser}'s {loser_action} takes effect ×{scale:g}",
    "opposed_tie": "Opposed roll {action_a} ({a}) vs {action_b} ({b}): tie ({total_a:.1f}); both take full effect",
    # ---- straits
    "transit_seen": "{team}'s transit of {zone} is seen by {seen_by}",
    "transit_unseen": "{team}'s transit of {zone} passes unobserved",
    "transit_passed": "{team}'s flotilla passes {barrier}'s barrier in {zone} (d100 {roll} against {chance:.0f}% "
                      "to block)",
    "transit_blocked": "{barrier}'s barrier turns back {team}'s flotilla in {zone} (d100 {roll} against "
                       "{chance:.0f}%)",
    # ---- submarines
    "detection": "{hunter} detects a {hunted} submarine in {zone} (chance {chance:.0f}%, d100 {roll})",
    "detection_trail": "{hunter} holds a trail on a {hunted} submarine in {zone} (chance {chance:.0f}%, d100 {roll})",
    "detection_miss": "{hunter} hunted {hunted}'s submarine in {zone}: no contact (d100 {roll} against "
                      "{chance:.0f}%)",
    "no_contact": "{hunter}: no submarine contact in {zone}",
    "found_by": "{hunted}: your submarine in {zone} has been detected by {hunter}",
    "found_unknown": "{hunted}: your submarine in {zone} has been detected (by whom is not known)",
    # ---- argued actions
    "argued": "{team} argued: {text} — {outcome}",
    "argued_dup": "{team}: only one argued action a turn; extra one dropped",
    "outcome_yes_and": "Yes, and",
    "outcome_yes_but": "Yes, but",
    "outcome_no_but": "No, but",
    "outcome_no_and": "No, and",
    # ---- incidents
    "incident": "Incident {a}–{b}: {incident} (severity {severity:.1f})",
    "incident_forced": "Incident {a}–{b}: {incident} (severity {severity:.1f}, forced roll)",
    # ---- crises
    "crisis_opened": "Crisis on {a}–{b} at rung {rung}: before the next turn, each side chooses to de-escalate, "
                     "hold or escalate (48 hours)",
    "crisis_opened_helped": "Crisis on {a}–{b} at rung {rung}: before the next turn, each side chooses to "
                            "de-escalate, hold or escalate (48 hours); a de-escalation call gets +{bonus}% "
                            "(INCSEA or hotline, C ≥ {c_min})",
    "crisis_outcome": "Crisis sub-turn {a}–{b}: {a} {choice_a}, {b} {choice_b} — rung {rung}",
    "crisis_outcome_calls": "Crisis sub-turn {a}–{b}: {a} {choice_a}, {b} {choice_b}; {calls} — rung {rung}",
    "choice_deescalate": "de-escalates",
    "choice_hold": "holds",
    "choice_escalate": "escalates",
    "call_works": "{team}'s call works",
    "call_fails": "{team}'s call fails",
    # ---- triggers
    "high_tension": "T({a},{b}) ≥ {threshold}: incident chances are doubled",
    "band_change": "{a}–{b} relations move into the {band} band (IL {il:.1f})",
    "band_power_political": "power political",
    "band_coexistence": "coexistence",
    "band_cooperative": "cooperative",
    "band_convergence": "convergence",
    "domestic_pressure": "Domestic pressure in {team}: support below {below}",
    # ---- the end
    "game_end": "The game ends: {reason}",
    "ending_armed_conflict": "armed conflict between {a} and {b} (rung {rung}): play stops for a hotwash",
    "ending_turn_limit": "turn limit reached ({turns} turns)",
    "ending_treaty": "a peace-treaty framework is agreed",
    "ending_scenario": "{text}",
    "treaty": "Domestic support for a settlement: {rolls}",
    "treaty_roll_holds": "{team} rolls {roll} against D {support:.0f} (holds)",
    "treaty_roll_fails": "{team} rolls {roll} against D {support:.0f} (fails)",
    # ---- refusals: why an order cannot be carried out
    "unknown_action": "unknown action {action}",
    "not_team_action": "{action} is not an action {team} can take",
    "needs_zone": "{action} needs a zone among {zones}, got {target}",
    "takes_no_target": "{action} takes no target (got {target})",
    "needs_target": "{action} needs a target among {targets}",
    "cannot_target": "{action} cannot target {target} (allowed: {targets})",
    "unknown_third": "unknown third party {third}",
    "action_locked": "{action} is not yet unlocked",
    "not_unlocked": "not yet unlocked",
    "ice_closed": "{action}: ice closes {zone} to surface ships in Q{quarter}",
    "prereq_unmet": "{action} prerequisite unmet: {detail}",
    "unknown_team": "unknown team {team}",
    "too_many_orders": "more than two actions ({count} ordered)",
    "foreign_order": "order for {other} in {team}'s orders",
    "ordered_twice": "{action} ordered twice",
    "ordered_twice_dropped": "{action} ordered twice; only one is carried out",
    "too_many_dropped": "more than two actions; this one is dropped",
    "over_budget": "over RP budget ({cost} > {budget})",
    # ---- errors White may see
    "game_over": "the game has ended: {reason}",
}

_FORMATTER = string.Formatter()


def msg(msg_id: str, **params) -> list:
    """A message: [id, params] (a list, so it survives a JSON round trip unchanged)."""
    if msg_id not in MESSAGES:
        raise KeyError(f"unknown message id {msg_id!r}")
    return [msg_id, params]


def is_msg(value) -> bool:
    return (isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], dict))


@lru_cache(maxsize=None)
def fields(template: str) -> tuple:
    """((name, format spec), ...) of a template's placeholders, in order."""
    return tuple((name, spec or "") for _, name, spec, _ in _FORMATTER.parse(template) if name is not None)


@lru_cache(maxsize=None)
def _derived(msg_id: str) -> tuple:
    """((placeholder, base param), ...) of a message's derived {X_name} placeholders."""
    return tuple((name, derived_base(name)) for name, _ in fields(MESSAGES[msg_id]) if derived_base(name))


def derived_base(name: str) -> str | None:
    """The param a derived placeholder names ("action_name" -> "action"), else None."""
    return name[:-5] if name.endswith("_name") else None


def render(message, names=None) -> str:
    """The English text of a message. names(action key) -> display name, for {X_name} placeholders."""
    msg_id, params = message
    values = {key: _value(value, names) for key, value in params.items()}
    for name, base in _derived(msg_id):
        values[name] = names(params[base]) if names is not None else str(params[base])
    return MESSAGES[msg_id].format(**values)


def _value(value, names):
    if is_msg(value):
        return render(value, names)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_value(v, names)) for v in value)
    return value


def _joined(items, link) -> object:
    """A list of items as one nested message of `link` messages ("and", "semicolon"); one item stands alone."""
    items = list(items)
    out = items[-1]
    for item in reversed(items[:-1]):
        out = msg(link, a=item, b=out)
    return out


def join_and(items) -> object:
    """A list of items as one nested message: "A and B and C" (a single item stands alone)."""
    return _joined(items, "and")


def join_semicolon(items) -> object:
    return _joined(items, "semicolon")


def action_names(scenario):
    """names() for render: an action key -> the scenario's (English) name of that action."""
    actions = scenario.actions

    def names(key):
        spec = actions.get(key)
        return spec.name if spec is not None else str(key)

    return names
