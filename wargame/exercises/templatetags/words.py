"""Words instead of codes: what the console, the review and the plenary show a person.

Load with ``{% load words %}``. Every filter takes what the page already has (an action key, an
event dict from a turn's result, a variable name, prose with citation keys) and, where names live in
the scenario, the scenario spec (``console.spec`` on the console; ``spec`` wherever a view passes
``selectors.scenario_for(exercise)``). Nothing here parses engine text: labels come from the typed
fields of an event (``kind``, ``action``, ``teams``, ``inject``, ``incident``, ``adjudication``).

The glossary below is the one place the variables are explained; change a sentence here and every
page follows.

Filters and tags, with how to use them (the player templates can use them the same way):

``{{ order.action|action_label:spec }}``
    "ASW patrols at Soya/Okhotsk" followed by the key as a small tag (``<span class="code-tag">M2</span>``).
``{{ order.action|action_name:spec }}``
    The plain name only ("ASW patrols at Soya/Okhotsk"); the key itself when the scenario lacks it.
``{{ code|team_name:spec }}``
    "Japan" for "JPN" (falls back to the standard actor names for actors no team plays).
``{{ "JPN-RUS"|pair_name:spec }}``
    "Japan–Russia".
``{{ event|event_label:spec }}``
    A readable headline for one event of a turn's result, e.g. "Japan: ASW patrols at Soya/Okhotsk",
    "Incident, China–United States: unsafe manoeuvre", "China–Japan: incident roll, no incident".
``{{ event|event_headline:spec }}``
    The same for a public headline (the plenary): an inject is just its title.
``{{ event.adjudication.outcome|outcome_label }}``
    "Yes, but" with its meaning as a tooltip, for yes_and / yes_but / no_but / no_and.
``{{ "ASW"|var_abbr }}`` or ``{{ "ASW"|var_abbr:"focus" }}``
    ``<abbr title="Anti-submarine warfare: …">ASW</abbr>``; "focus" also makes it reachable by
    keyboard, where the explanation shows on focus (console.css). Unknown names pass through escaped.
``{{ "ASW"|var_name }}`` / ``{{ "ASW"|var_help }}``
    "Anti-submarine warfare" / the full sentence, as plain text.
``{{ text|cite:spec }}``
    Escapes the text and turns "[rinna]" into a readable reference ("Rinna") that links to
    ``#source-rinna`` and carries the full source as its title. Use with ``{% sources_list spec %}``.
``{{ text|cite_linebreaks:spec }}``
    The same, with paragraphs as ``linebreaks`` makes them.
``{% sources_list spec %}``
    The scenario's sources, each with ``id="source-<key>"`` so the references above land on it.
``{{ override|override_words }}``
    An override White made ("Scaled ×0.5", "Effects replaced", "Re-rolled", "Physical dice 4 + 6").
``{{ event.id|dom_id }}``
    An event id usable as an HTML id ("t1-incident-CHN-JPN").
``{{ change|change_label:spec }}``
    One entry of an event's ``changes`` ([subject, variable, delta, attribution]) in words:
    "Japan–Russia T +5.0 (spillover)" with the variable as an ``<abbr>``.
"""

import re

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wargame.engine.adjudication import OUTCOME_LABELS
from wargame.exercises.selectors import dom_id as to_dom_id
from wargame.maps import zone_name

register = template.Library()

# The glossary: name and a sentence in plain words for each variable the game shows.
GLOSSARY = {
    "N": (_lazy("Naval posture"), _lazy("How much naval strength a country keeps at sea in the region (0–100).")),
    "ASW": (_lazy("Anti-submarine warfare"),
            _lazy("How well a country can find and follow submarines (0–100). Japan's ASW worries Russia's bastion.")),
    "D": (_lazy("Domestic support"),
          _lazy("Political capital at home (0–100). Below 30 the government comes under domestic pressure.")),
    "LL": (_lazy("Legal latitude"),
           _lazy("Japan only: how far its security laws let the Self-Defense Forces act (0–100). "
                 "A chokepoint barrier needs 40.")),
    "BS": (_lazy("Bastion security"),
           _lazy("Russia only: how safe its missile submarines feel in the Sea of Okhotsk (0–100).")),
    "SP": (_lazy("Sanctions pressure"),
           _lazy("Russia only: the weight of sanctions since Crimea (0–100). At 70 or more Russia earns 1 RP less "
                 "a turn.")),
    "KM": (_lazy("Kuril militarisation"),
           _lazy("Russia only: how heavily the Kuril islands are armed, from 0 to 5.")),
    "AX": (_lazy("Strait access"),
           _lazy("China only: how freely its ships pass the Korea, Tsugaru and Soya straits (0–100).")),
    "IL": (_lazy("Institution level"),
           _lazy("How settled a pair's relationship is: 0–24 power politics, 25–49 coexistence, 50–74 cooperative, "
                 "75 and above convergence.")),
    "C": (_lazy("Communication"),
          _lazy("How deep a pair's talks, hotlines and confidence-building go (0–100). Deeper communication damps "
                "tension and spillover.")),
    "T": (_lazy("Tension"),
          _lazy("How hostile a pair's relations are (0–100). It sets the escalation rung; 95 is armed conflict.")),
    "E": (_lazy("Economic ties"), _lazy("How much trade and investment binds a pair (0–100).")),
    "RP": (_lazy("Resource points"), _lazy("What a team can spend on actions each turn.")),
}

OUTCOME_HELP = {
    "yes_and": _lazy("Succeeded by a wide margin: it works, with a bonus."),
    "yes_but": _lazy("Succeeded narrowly: it works, with a cost or a catch."),
    "no_but": _lazy("Failed narrowly: it does not work, but something is gained."),
    "no_and": _lazy("Failed by a wide margin: it does not work, and things get worse."),
}

# For actors no team plays in an exercise, and for pages without a scenario at hand.
ACTOR_NAMES = {"JPN": _lazy("Japan"), "RUS": _lazy("Russia"), "CHN": _lazy("China"),
               "USA": _lazy("United States"), "KOR": _lazy("South Korea"), "PRK": _lazy("North Korea"),
               "WHITE": _lazy("White cell")}

SHORT_AUTHORS = {"Ministry of Foreign Affairs of Japan": "MOFA Japan",
                 "Stockholm International Peace Research Institute": "SIPRI",
                 "Ministry of Defense of Japan": "MOD Japan"}

CITATION = re.compile(r"\[([a-z0-9][a-z0-9-]*)\]")


def _code_tag(code):
    return format_html('<span class="code-tag">{}</span>', code)


@register.filter
def action_name(key, spec=None):
    action = getattr(spec, "actions", {}).get(key) if key else None
    return action.name if action else (key or "")


@register.filter
def action_label(key, spec=None):
    if not key:
        return ""
    name = action_name(key, spec)
    if name == key:
        return _code_tag(key)
    return format_html('<span class="action-name">{}</span> {}', name, _code_tag(key))


@register.filter
def team_name(code, spec=None):
    if not code:
        return ""
    for team in getattr(spec, "teams", ()) or ():
        if team.code == code:
            return team.name
    return str(ACTOR_NAMES.get(code) or zone_name(code))  # an order's target may be a sea zone


@register.filter
def pair_name(key, spec=None):
    parts = str(key or "").split("-")
    if len(parts) != 2:
        return key
    return "–".join(team_name(p, spec) for p in parts)


def _pair(teams, spec):
    return "–".join(team_name(c, spec) for c in teams or ())


def _inject_title(inject_id, spec):
    for inj in getattr(spec, "injects", ()) or ():
        if inj.id == inject_id:
            return inj.title
    return ""


@register.filter
def event_label(event, spec=None):
    """A headline for one event, from its typed fields; the engine's own text when the kind is new."""
    if not isinstance(event, dict):
        return ""
    kind = event.get("kind")
    teams = event.get("teams") or []
    who = team_name(teams[0], spec) if teams else ""
    if kind == "action" and event.get("action"):
        return f"{who}: {action_name(event['action'], spec)}" if who else action_name(event["action"], spec)
    if kind == "not_carried_out" and event.get("action"):
        return _("%(who)s: %(action)s, not carried out") % {"who": who, "action": action_name(event["action"], spec)}
    if kind == "incident":
        return _("Incident, %(pair)s: %(what)s") % {"pair": _pair(teams, spec),
                                                     "what": event.get("incident") or event.get("label", "")}
    if kind == "roll" and event.get("roll_of") == "incident":
        return _("%(pair)s: incident roll, no incident") % {"pair": _pair(teams, spec)}
    if kind == "roll":
        return _("A roll that changed nothing")
    if kind == "inject":
        title = event.get("headline") or _inject_title(event.get("inject"), spec)
        if title:
            return _("Inject: %(title)s") % {"title": title}
    if kind == "override":
        return _("White's override (%(reason)s)") % {"reason": event.get("reason", "")}
    if kind == "argued" and who:
        outcome = OUTCOME_LABELS.get((event.get("adjudication") or {}).get("outcome"), "")
        label = _("%(who)s: argued action") % {"who": who}
        return f"{label} — {outcome}" if outcome else label
    return event.get("headline") or event.get("text", "")


@register.filter
def event_headline(event, spec=None):
    """The projector's one-liner: like event_label, but an inject is just its title."""
    if isinstance(event, dict) and event.get("kind") == "inject":
        title = event.get("headline") or _inject_title(event.get("inject"), spec)
        if title:
            return title
    return event_label(event, spec)


RUNG_WORDS = {0: _lazy("routine"), 1: _lazy("gestures"), 2: _lazy("show of force"),
              3: _lazy("legal harassment / mobilisation"), 4: _lazy("harassing acts"),
              5: _lazy("dramatic confrontation"), 6: _lazy("limited force"), 7: _lazy("armed conflict")}
CRISIS_CHOICE_LABELS = {"deescalate": _lazy("De-escalate"), "hold": _lazy("Hold"), "escalate": _lazy("Escalate")}


@register.filter
def mmss(seconds):
    """A clock's first face before app.js ticks it: 175 -> "2:55"."""
    try:
        seconds = max(0, int(seconds))
    except (TypeError, ValueError):
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.filter
def crisis_choice_label(choice):
    return CRISIS_CHOICE_LABELS.get(choice, choice or "")


CRISIS_CHOICE_VERBS = {"deescalate": _lazy("%(team)s de-escalates"), "hold": _lazy("%(team)s holds"),
                       "escalate": _lazy("%(team)s escalates")}


@register.filter
def crisis_outcome_words(event, spec=None):
    """A crisis outcome (the engine's crisis_outcome event) in words: who chose what, each call, the rung."""
    if not event:
        return ""
    parts = [str(CRISIS_CHOICE_VERBS.get(choice, "%(team)s")) % {"team": team_name(team, spec)}
             for team, choice in (event.get("choices") or {}).items()]
    for call in event.get("calls") or ():
        words = _("%(team)s's call works") if call.get("success") else _("%(team)s's call fails")
        parts.append(words % {"team": team_name(call.get("team"), spec)})
    rung = event.get("rung")
    text = "; ".join(parts)
    if rung is not None:
        text += ". " + _("Now at rung %(r)s, %(name)s.") % {"r": rung, "name": RUNG_WORDS.get(rung, "")}
    return text


@register.filter
def outcome_label(code):
    label = OUTCOME_LABELS.get(code)
    if not label:
        return code or ""
    return format_html('<span class="outcome outcome-{}" title="{}">{}</span>', code, OUTCOME_HELP[code], label)


@register.filter
def var_name(var):
    entry = GLOSSARY.get(var)
    return str(entry[0]) if entry else (var or "")


@register.filter
def var_help(var):
    entry = GLOSSARY.get(var)
    return f"{entry[0]}: {entry[1]}" if entry else ""


@register.filter
def var_abbr(var, mode=""):
    entry = GLOSSARY.get(var)
    if not entry:
        return escape(var)
    help_text = var_help(var)
    if mode == "focus":
        return format_html('<abbr class="help" title="{}" data-help="{}" tabindex="0">{}</abbr>', help_text,
                           help_text, var)
    return format_html('<abbr class="help" title="{}">{}</abbr>', help_text, var)


def source_short(text):
    """A readable short form of one source: the author's surname or the body's short name, and a year."""
    author = text.split(",", 1)[0].strip()
    author = SHORT_AUTHORS.get(author, author)
    if re.match(r"^([A-Z]\. ?)+[A-Z][\w-]+$", author):  # "A. V. Rinna" -> "Rinna"
        author = author.rsplit(" ", 1)[-1]
    if len(author) > 40:
        author = author[:38].rsplit(" ", 1)[0] + "…"
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", text)
    return f"{author} {year.group(1)}" if year and year.group(1) not in author else author


def _refs(spec):
    return getattr(spec, "source_refs", None) or {}


@register.filter
def cite(text, spec=None):
    refs = _refs(spec)
    escaped = str(escape(text or ""))

    def one(match):
        key = match.group(1)
        if key not in refs:
            return match.group(0)
        return str(format_html('<a class="cite" href="#source-{}" title="{}">{}</a>', key, refs[key],
                               source_short(refs[key])))

    return mark_safe(CITATION.sub(one, escaped))


@register.filter
def cite_linebreaks(text, spec=None):
    return linebreaks_filter(cite(text, spec), autoescape=False)


@register.inclusion_tag("includes/sources_list.html")
def sources_list(spec):
    return {"sources": [{"key": k, "text": v, "short": source_short(v)} for k, v in _refs(spec).items()]}


@register.filter
def change_label(change, spec=None):
    """One change of an event: [subject, variable, delta, attribution] as words."""
    try:
        subject, var, delta = change[0], change[1], change[2]
    except (IndexError, KeyError, TypeError):
        return ""
    attr = change[3] if len(change) > 3 else ""
    if attr == "presence":  # a task group moved into a zone: [zone, actor, count, "presence"]
        return format_html("{} {}", team_name(var, spec), _("deploys to %(zone)s") % {
            "zone": str(subject).replace("_", " ")})
    if var == "unlock":  # ["", "unlock", "M3"]: an inject opens an action
        return format_html("{} {}", _("Unlocks"), action_label(delta, spec))
    if var == "cost":  # ["E1", "cost", -1]: an action's price changes
        try:
            n = float(delta)
        except (TypeError, ValueError):
            n = 0
        words = _("%(n)g RP less") if n < 0 else _("%(n)g RP more")
        return format_html("{} {} {}", action_label(subject, spec), _("costs"), words % {"n": abs(n)})
    who = pair_name(subject, spec) if "-" in str(subject) else team_name(subject, spec)
    try:
        amount = f"{float(delta):+.1f}"
    except (TypeError, ValueError):
        amount = str(delta)
    if attr:
        return format_html("{} {} {} <em>({})</em>", who, var_abbr(var), amount, attr)
    return format_html("{} {} {}", who, var_abbr(var), amount)


@register.filter
def dom_id(value):
    """An event id as a DOM id fragment ("t1:incident:CHN-JPN" -> "t1-incident-CHN-JPN")."""
    return to_dom_id(value)


@register.filter
def override_words(override):
    """What White did to a result, in words: "Scaled ×0.5", "Effects replaced", "Re-rolled", "Physical dice 4 + 6"."""
    return override_summary(override.get("kind"), override.get("value"))


def override_summary(kind, value):
    if kind == "scale":
        return _("Scaled ×%(v)s") % {"v": f"{value:g}" if isinstance(value, (int, float)) else value}
    if kind == "replace":
        return _("Effects replaced")
    if kind == "reroll":
        return _("Re-rolled")
    if kind == "manual_dice":
        faces = " + ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else value
        return _("Physical dice %(faces)s") % {"faces": faces}
    return kind or ""


@register.filter
def note_text(notes, note_id):
    """The recent confirmation kept for one in-place change (see exercises/saved_notes.py), or ""."""
    return (notes or {}).get(note_id, "")
