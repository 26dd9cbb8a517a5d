"""The facilitator's pack: printable pages generated from a scenario's files, so they stay true when it changes.

Four parts, one document (or one part with ``?part=``):
- timeline: each turn's quarter (``engine.game_date``) and the injects its rules trigger then, with the
  "Historical basis" of each inject's text; condition-triggered injects listed as "when …";
- guide: the learning objectives and the hot-wash questions (``pack:`` in the text file), turn by turn beside
  that turn's injects, and how to read the debrief's thesis chart (the five parts of ΔT);
- roles: one card per team: briefings, sub-roles, objectives, RP income and the actions its ``who`` allows;
- rules: the players' one-page summary (prose whose numbers the loader fills from the rules), the ladder and
  how the game ends, both generated.

Any facilitator may read any scenario's pack: it names no exercise and holds only what the scenario files hold.
"""
import re

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from wargame import engine
from wargame.engine.conditions import cond_text
from wargame.engine.effects import ATTR_NAMES, effects_text
from wargame.scenarios import load_scenario, scenario_slugs

PARTS = ("timeline", "guide", "roles", "rules")
# The closing clause of an inject's text that names the real events behind it ("Historical basis: …"), as the
# English, Japanese and Russian prose files write it.
BASIS = re.compile(r"(?:Historical basis|Basis|Историческая основа|Историческая справка|Основа|歴史的背景|歴史的根拠|史実)"
                   r"\s*[:：]\s*(.+)\Z", re.S)
CITED = re.compile(r"\[([a-z0-9][a-z0-9-]*)\]")

# How to read the debrief's thesis chart: ΔT(JPN,RUS) per turn, split into the engine's five parts.
CHART_PARTS = {
    "direct": _lazy("moves Japan and Russia aimed at each other"),
    "spillover": _lazy("the share of moves aimed at a third state, China above all, that lands on Japan–Russia"),
    "incident": _lazy("incidents at sea and in the air between the two"),
    "events": _lazy("the script: scheduled and White's injects, triggers and crisis outcomes"),
    "drift": _lazy("the pull back toward the pair's structural level, with the islands' standing grievance"),
}


def _audience(inj, spec):
    if inj.audience == "all":
        return _("all teams")
    return ", ".join(t.name for t in spec.teams if t.code in inj.audience)


def inject_row(inj, spec):
    text = inj.text or ""
    basis = BASIS.search(text)
    return {
        "id": inj.id,
        "title": inj.title,
        "trigger": inj.trigger_text,
        "turn": inj.trigger.get("turn"),
        "condition": cond_text(inj.trigger.get("when")),  # on a dated inject: it fires only if this holds
        "audience": _audience(inj, spec),
        "effects": effects_text(inj.effects),
        "unless": cond_text(inj.unless),
        "decision": inj.decision,
        "basis": basis.group(1).strip() if basis else "",
        # without a basis clause, the sources its text cites, as "[key]" for the cite filter
        "cited": "" if basis else " ".join(f"[{k}]" for k in dict.fromkeys(CITED.findall(text))),
    }


def timeline(spec):
    rows = [inject_row(i, spec) for i in spec.injects]
    last = max([spec.turns] + [r["turn"] for r in rows if r["turn"]])
    prompts = spec.pack.get("hot_wash", {}).get("turns", {})
    turns = [{"number": n, "quarter": engine.game_date(spec, n), "after_end": n > spec.turns,
              "injects": [r for r in rows if r["turn"] == n], "prompts": prompts.get(n, [])}
             for n in range(1, last + 1)]
    return {"turns": turns, "conditional": [r for r in rows if not r["turn"]]}


def _unlocked_by(spec):
    """{action key: [(inject, effect op)]}: the injects that open an action or change its price."""
    out = {}
    for inj in spec.injects:
        for e in inj.effects:
            if e.get("op") == "unlock":
                for key in e.get("actions", ()):
                    out.setdefault(key, []).append((inj, "unlock", 0))
            elif e.get("op") == "cost" and e.get("action"):
                out.setdefault(e["action"], []).append((inj, "cost", e.get("delta", 0)))
    return out


def _when(inj, spec):
    turn = inj.trigger.get("turn")
    if turn:
        return _("%(id)s, turn %(n)s (%(q)s)") % {"id": inj.id, "n": turn, "q": engine.game_date(spec, turn)}
    return _("%(id)s, %(when)s") % {"id": inj.id, "when": inj.trigger_text}


def role_cards(spec):
    p = spec.params
    by_inject = _unlocked_by(spec)
    sub_roles = spec.pack.get("sub_roles", {})
    cards = []
    for team in spec.teams:
        code = team.code
        income = p.income.get(code, 0)
        penalties = [_("%(delta)+d RP a turn while %(var)s is %(ge)g or more") % pen
                     for pen in p.rp_penalties if pen["actor"] == code]
        actions = []
        for a in spec.actions.values():
            if code not in a.who:
                continue
            notes = []
            for inj, op, delta in by_inject.get(a.key, ()):
                if op == "unlock":
                    notes.append(_("opens with %(when)s") % {"when": _when(inj, spec)})
                else:
                    notes.append(_("%(n)+d RP from %(when)s") % {"n": delta, "when": _when(inj, spec)})
            if a.locked_until_unlocked and not any(op == "unlock" for _i, op, _d in by_inject.get(a.key, ())):
                notes.append(_("White must unlock it"))
            partners = a.allowed_targets(code)
            actions.append({"key": a.key, "name": a.name, "category": a.category, "cost": a.cost,
                            "bilateral": a.bilateral, "prereq": a.prereq_text, "notes": notes,
                            "partners": ", ".join(_name(c, spec) for c in partners) if a.bilateral else ""})
        cards.append({
            "team": team,
            "optional": not team.played_by_default,
            "income": income,
            "carry_cap": int(income * p.rp_cap_mult),
            "penalties": penalties,
            "start": [(var, f"{value:g}") for var, value in p.baseline.get(code, {}).items()],
            "sub_roles": sub_roles.get(code, []),
            "actions": actions,
        })
    return cards


def _name(code, spec):
    for t in spec.teams:
        if t.code == code:
            return t.name
    return spec.rules["actors"].get(code, {}).get("name", code)


def ladder(spec):
    p = spec.params
    t = p.rungs
    crisis_rung = p.crisis.get("rung", 4)
    rows = []
    for rung, name in enumerate(engine.RUNG_NAMES):
        if rung == 0:
            band = f"T < {t[0]:g}"
        elif rung < len(t):
            band = f"{t[rung - 1]:g} ≤ T < {t[rung]:g}"
        else:
            band = f"T ≥ {t[-1]:g}"
        if rung > p.tension_cap:
            note = _("only by a choice: a crisis escalation or White")
        elif rung >= crisis_rung:
            note = _("ends a turn here: a crisis sub-turn follows")
        else:
            note = ""
        rows.append({"rung": rung, "name": name, "band": band, "note": note, "capped": rung > p.tension_cap})
    return rows


def endings(spec):
    end = spec.rules.get("end") or {}
    out = [_("after turn %(n)s, %(q)s (the turn limit)") % {"n": spec.turns, "q": engine.game_date(spec, spec.turns)},
           _("when any pair reaches rung %(r)s, %(name)s: play stops for a hot wash")
           % {"r": end.get("rung", 7), "name": engine.RUNG_NAMES[min(end.get("rung", 7), 7)]}]
    treaty = end.get("treaty")
    if treaty:
        teams = " and ".join(_name(c, spec) for c in treaty.get("teams", ("JPN", "RUS")))
        talks = None
        try:
            talks = spec.inject(treaty["inject"]) if treaty.get("inject") else None
        except KeyError:
            pass
        if talks:
            need = _("in a turn when %(title)s (%(id)s) fires, %(teams)s must each win an argued action") % {
                "title": talks.title, "id": talks.id, "teams": teams}
        else:
            need = _("%(teams)s must each win an argued action in the same turn") % {"teams": teams}
        out.append(_("%(text)s: %(need)s, and each government must then pass a roll against its domestic support")
                   % {"text": treaty.get("text", ""), "need": need})
    for c in end.get("conditions") or ():
        out.append(c.get("text", ""))
    out.append(_("when White ends it"))
    return out


@login_required
@require_GET
def pack(request, slug):
    if slug not in scenario_slugs():
        raise Http404
    part = request.GET.get("part", "")
    if part and part not in PARTS:
        raise Http404
    spec = load_scenario(slug, lang=get_language())  # the scenario's prose in the reader's language
    show = {p: not part or p == part for p in PARTS}
    context = {
        "spec": spec,
        "pack": spec.pack,
        "part": part,
        "parts": PARTS,
        "show": show,
        "first_quarter": engine.game_date(spec, 1),
        "last_quarter": engine.game_date(spec, spec.turns),
    }
    if show["timeline"] or show["guide"]:
        context["timeline"] = timeline(spec)
    if show["guide"]:
        context["chart_parts"] = [(name, CHART_PARTS.get(name, "")) for name in ATTR_NAMES]
    if show["roles"]:
        context["cards"] = role_cards(spec)
    if show["rules"]:
        context["ladder"] = ladder(spec)
        context["endings"] = endings(spec)
    return render(request, "exercises/pack/pack.html", context)
