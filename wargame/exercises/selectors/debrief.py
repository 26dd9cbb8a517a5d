"""The after-action review: every read behind White's debrief and its public version, and the charts drawn
from them (wargame.charts, pure SVG). A fixed number of queries whatever the number of turns or teams.

The public version (``public=True``) is built from public information only: events every team was told
(audience "all"), the true state after each turn, counts of orders and messages (never a message's text,
never a team's private narrative), White's override reasons (never White's notes), and only the parts White
released. What each team perceived and each team's objectives are parts White may leave out.
"""

import math
from collections import Counter, defaultdict
from itertools import combinations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wargame import charts, engine
from wargame.engine.dynamics import m_align

from ..models import ArguedAction, Message, Order, Turn
from .. import engine_text
from .common import dom_id, scenario_for


# The parts of the review, in page order; White releases any of them (Exercise.debrief_parts holds the names).
PARTS = (
    ("tension", _lazy("Tension by turn")),
    ("institutions", _lazy("Institutions by turn")),
    ("thesis", _lazy("Why Japan–Russia tension moved")),
    ("communication", _lazy("Communication, tension and incidents")),
    ("alignment", _lazy("Russia–China alignment and Japan's reading")),
    ("navies", _lazy("Navies, bastion and access")),
    ("incidents", _lazy("Incidents and confidence-building measures")),
    ("rungs", _lazy("Escalation: peak rung and time at rung 2+")),
    ("actions", _lazy("What each team did and said")),
    ("spending", _lazy("Domestic support and RP spending")),
    ("audit", _lazy("Adjudication audit")),
    ("perception", _lazy("What each team knew when")),
    ("objectives", _lazy("Objectives")),
    ("timeline", _lazy("Timeline of the game")),
)
PART_NAMES = tuple(name for name, _label in PARTS)

THESIS_DYAD = "JPN-RUS"
ATTR_PARTS = (  # the five parts of a turn's ΔT (engine.effects.ATTR_NAMES), each with its fill pattern
    ("direct", _lazy("Direct (moves at each other)"), "#1d4ed8", "solid"),
    ("spillover", _lazy("Spillover (moves aimed at others)"), "#c8510b", "hatch"),
    ("incident", _lazy("Incidents"), "#b91c1c", "cross"),
    ("events", _lazy("Events (injects, triggers, crises)"), "#6d4bd1", "dots"),
    ("drift", _lazy("Drift"), "#64748b", "lines"),
)
RUNG_FILLS = ("#f0fdf4", "#f7fee7", "#fefce8", "#fef9c3", "#ffedd5", "#fee2e2", "#fecaca", "#fca5a5")
BAND_FILLS = ("#fef2f2", "#fffbeb", "#f0fdf4", "#eff6ff")
CATEGORY_STYLE = (("military", "#b91c1c", "hatch"), ("diplomatic", "#1d4ed8", "solid"),
                  ("economic", "#0a8a64", "dots"), ("information", "#a66f00", "lines"))
FLAG_COLOURS = {"INCSEA": "#0b6fae", "CUES": "#0a8a64", "HOTLINE": "#6d4bd1", "PARALLEL_TRACK": "#a66f00"}
INCIDENT_SHAPES = {2: "circle", 3: "triangle", 4: "diamond", 5: "square"}
OUTCOMES = (("no_and", _lazy("No, and")), ("no_but", _lazy("No, but")), ("yes_but", _lazy("Yes, but")),
            ("yes_and", _lazy("Yes, and")))
TIMELINE_KINDS = {
    "inject": _lazy("Inject"), "order": _lazy("Order"), "argued": _lazy("Argued"), "messages": _lazy("Messages"),
    "incident": _lazy("Incident"), "crisis": _lazy("Crisis"), "white": _lazy("White"), "event": _lazy("Event"),
}


def debrief_parts(exercise):
    """[(name, label, released)] for White's release form."""
    chosen = set(exercise.debrief_parts or ())
    return [(name, label, name in chosen) for name, label in PARTS]


def clean_parts(names):
    """The known part names among ``names``, in page order."""
    wanted = set(names or ())
    return [name for name in PART_NAMES if name in wanted]


def _label(key, spec):
    a, b = key.split("-")
    return f"{a}–{b}"


def _pct(n, d):
    return round(100 * n / d) if d else 0


def _p_2d6(need, modifier):
    """The chance that 2d6 + modifier reaches ``need``, in percent."""
    hits = sum(1 for a in range(1, 7) for b in range(1, 7) if a + b + modifier >= need)
    return round(100 * hits / 36, 1)


# ------------------------------------------------------------------------------------------------ the reads

def _rows(exercise):
    """Every row the review reads, in five queries."""
    teams = list(exercise.teams.all())
    turns = list(exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("number"))
    orders = list(Order.objects.filter(turn__exercise=exercise, turn__status=Turn.Status.PUBLISHED)
                  .exclude(action="").values_list("turn__number", "team__code", "action", "target"))
    messages = list(Message.objects.filter(exercise=exercise, sender_team__isnull=False)
                    .values_list("turn_number", "sender_team__code", "kind").annotate(n=Count("id"))
                    .order_by())
    argued = list(ArguedAction.objects.filter(turn__exercise=exercise, turn__status=Turn.Status.PUBLISHED)
                  .values_list("turn__number", "team__code", "cards__team__code", "cards__probability"))
    return teams, turns, orders, messages, argued


def compare_candidates(exercise):
    """The other branches this exercise's debrief may be compared with: its parent and its forks."""
    from ..models import Exercise
    return list(Exercise.objects.filter(pk=exercise.forked_from_id) | exercise.forks.all())


def _branch(exercise, other):
    """The comparison with another branch of the same game: its published states, and which is which (the parent
    of the pair is "as played", the other "the fork")."""
    if other is None:
        return None
    turns = list(other.turns.filter(status=Turn.Status.PUBLISHED).order_by("number").only("number", "state_before",
                                                                                              "result"))
    if not turns:
        states = []
    else:
        states = [engine.GameState.from_dict(turns[0].state_before)] + [
            engine.GameState.from_dict(t.result["state"]) for t in turns]
    mine_is_fork = exercise.forked_from_id == other.pk
    return {"exercise": other, "states": states, "numbers": [t.number for t in turns],
            "mine": _("the fork") if mine_is_fork else _("as played"),
            "theirs": _("as played") if mine_is_fork else _("the fork")}


def _compare_axis(ctx):
    """The x labels (Start, T1…) covering both branches, and each branch's states padded with None to them."""
    cmp = ctx["compare"]
    mine, theirs = list(ctx["states"]), list(cmp["states"])
    n = max(len(mine), len(theirs))
    last = max(ctx["numbers"] + cmp["numbers"] + [0])
    labels = [_("Start")] + [_("T%(n)d") % {"n": k} for k in range(1, last + 1)]
    n = max(n, len(labels))
    return labels[:n], mine + [None] * (n - len(mine)), theirs + [None] * (n - len(theirs))


def debrief_view(*, exercise, public=False, parts=None, team=None, turn=None, compare=None):
    """Everything the debrief page shows. ``public``: the released version (only ``parts``, public facts only).
    ``team`` / ``turn``: the timeline's filters (a team code, a turn number), already checked by the view.
    ``compare``: another branch of the game (its parent or a fork, already gated by the view) whose lines the
    tension and thesis charts draw beside this one's."""
    spec = scenario_for(exercise)
    teams, turns, orders, messages, argued_rows = _rows(exercise)
    codes = [t.code for t in teams]
    shown = clean_parts(parts) if public else list(PART_NAMES)
    data = {
        "exercise": exercise, "spec": spec, "teams": teams, "codes": codes, "public": public,
        "parts": [(name, label) for name, label in PARTS if name in shown], "shown": set(shown),
        "turns": [], "charts": {}, "filters": {"team": team, "turn": turn},
    }
    if not turns:
        data["empty"] = True
        return data
    base = engine.GameState.from_dict(turns[0].state_before)
    states = [base] + [engine.GameState.from_dict(t.result["state"]) for t in turns]
    numbers = [t.number for t in turns]
    x_levels = [_("Start")] + [_("T%(n)d") % {"n": n} for n in numbers]
    x_turns = [_("T%(n)d") % {"n": n} for n in numbers]
    dyads = [engine.dyad_key(a, b) for a, b in combinations(codes, 2)
             if engine.dyad_key(a, b) in base.dyads]
    dyads.sort()
    events_by_turn = [_visible(t.result.get("events", []), public) for t in turns]
    data.update({
        "numbers": numbers, "x_levels": x_levels, "dyads": dyads,
        "turns": [{"number": t.number, "date": engine.game_date(spec, t.number), "published_at": t.published_at}
                  for t in turns],
        "first_published": turns[0].published_at, "last_published": turns[-1].published_at,
    })
    ctx = {"spec": spec, "exercise": exercise, "teams": teams, "codes": codes, "turns": turns, "states": states,
           "numbers": numbers, "x_levels": x_levels, "x_turns": x_turns, "dyads": dyads, "public": public,
           "events": events_by_turn, "orders": orders, "messages": messages, "argued": argued_rows,
           "compare": None if public else _branch(exercise, compare)}
    data["compare"] = ctx["compare"]
    data["thesis"] = thesis_rows(turns=turns, states=states, events=events_by_turn, public=public, spec=ctx["spec"])
    builders = {
        "tension": _tension, "institutions": _institutions, "thesis": _thesis_chart,
        "communication": _communication, "alignment": _alignment, "navies": _navies, "incidents": _incidents,
        "rungs": _rungs, "actions": _actions, "spending": _spending, "audit": _audit,
        "perception": _perception, "objectives": _objectives,
    }
    for name in shown:
        if name in builders:
            builders[name](ctx, data)
    if "timeline" in shown:
        data["timeline"] = debrief_timeline(ctx, team=team, turn=turn, with_white=not public or "audit" in shown)
    return data


def _visible(events, public):
    return [e for e in events if e.get("audience") == "all"] if public else list(events)


def thesis_rows(*, turns, states, events, public, spec=None):
    """Per published turn: ΔT(JPN,RUS) as published (the state after minus the state before), the engine's five
    parts (which add up to it exactly), the running total, and the moves behind each part."""
    rows, cumulative = [], 0.0
    for i, t in enumerate(turns):
        parts = dict(t.result.get("attribution", {}).get(THESIS_DYAD, {}))
        values = {name: float(parts.get(name, 0.0)) for name, *_rest in ATTR_PARTS}
        total = values["direct"] + values["spillover"] + values["incident"] + values["events"] + values["drift"]
        published = states[i + 1].dyads[THESIS_DYAD].T - states[i].dyads[THESIS_DYAD].T
        cumulative += published
        moves = []
        for e in t.result.get("events", []):
            for change in e.get("changes", []):
                if len(change) < 4:
                    continue
                target, var, delta, attr = change[0], change[1], change[2], change[3]
                if target != THESIS_DYAD or var != "T" or not delta:
                    continue
                is_public = e.get("audience") == "all"
                if public and not is_public:
                    text = _("A change told only to %(who)s") % {
                        "who": ", ".join(e.get("audience") or []) if not isinstance(e.get("audience"), str)
                        else _("White")}
                else:
                    text = engine_text.event_headline_text(e, spec)
                moves.append({"id": e.get("id", ""), "dom": dom_id(e.get("id", "")), "kind": e.get("kind", ""),
                              "part": attr if attr in values else "direct", "delta": float(delta), "text": text,
                              "public": is_public})
        moves.sort(key=lambda m: ([n for n, *_r in ATTR_PARTS].index(m["part"]), -abs(m["delta"])))
        rows.append({"number": t.number, "anchor": f"moves-t{t.number}", "parts": values, "total": total,
                     "label": charts.fmt(published, 1, True),
                     "published": published, "cumulative": cumulative, "moves": moves,
                     "T_before": states[i].dyads[THESIS_DYAD].T, "T_after": states[i + 1].dyads[THESIS_DYAD].T,
                     "parts_list": [(name, label, values[name]) for name, label, *_r in ATTR_PARTS],
                     "exact": total == published or math.isclose(total, published, abs_tol=1e-9)})
    return rows


# ------------------------------------------------------------------------------------------------ charts

def _dyad_series(states, key, var):
    return [getattr(s.dyads[key], var) if s is not None and key in s.dyads else None for s in states]


def _crisis_markers(ctx):
    """Crisis sub-turns: the one that opened turn N sits between N−1 and N, on its dyad's panel."""
    out = []
    for i, events in enumerate(ctx["events"]):
        for e in events:
            if e.get("kind") == "crisis_outcome":
                key = e.get("id", "").rsplit(":", 1)[-1]
                if key in ctx["dyads"]:
                    out.append(charts.Marker(i + 0.5, _("crisis"), panel=_label(key, ctx["spec"])))
    return out


def _tension(ctx, data):
    th = ctx["spec"].params.rungs
    edges = [0] + list(th) + [100]
    bands = [charts.Band(edges[r], edges[r + 1], f"{r}", RUNG_FILLS[r]) for r in range(len(edges) - 1)]
    panels = [charts.Panel(_label(k, ctx["spec"]), [charts.Series(_("Tension"), _dyad_series(ctx["states"], k, "T"),
                                                                  colour="#0f172a", dash="")])
              for k in ctx["dyads"]]
    x_labels, legend = ctx["x_levels"], False
    if ctx.get("compare"):  # both branches of the game on each dyad's panel: this one solid, the other dashed
        cmp = ctx["compare"]
        x_labels, mine, theirs = _compare_axis(ctx)
        # colour, dash and marker come from the chart's styling, so the legend's swatches match the lines
        panels = [charts.Panel(_label(k, ctx["spec"]), [
            charts.Series(_("Tension, %(branch)s") % {"branch": cmp["mine"]}, _dyad_series(mine, k, "T")),
            charts.Series(_("Tension, %(branch)s") % {"branch": cmp["theirs"]}, _dyad_series(theirs, k, "T"))])
            for k in ctx["dyads"]]
        legend = True
    data["charts"]["tension"] = [charts.small_multiples(
        "chart-tension", _("Tension per dyad by turn"),
        _("Tension (0–100) of each pair of teams from the start through every published turn, on bands shaded by "
          "escalation rung (0 routine to 7 armed conflict, the band's rung written at its right); a dashed line "
          "marks a crisis sub-turn."),
        x_labels=x_labels, panels=panels, bands=bands, markers=_crisis_markers(ctx), columns=3, legend=legend)]
    data["rung_key"] = [(r, name) for r, name in enumerate(engine.RUNG_NAMES)]


def _institutions(ctx, data):
    edges = [lo for lo, _n in engine.state.BANDS] + [100]
    bands = [charts.Band(edges[i], edges[i + 1], engine.BAND_NAMES[i], BAND_FILLS[i]) for i in range(len(edges) - 1)]
    panels = [charts.Panel(_label(k, ctx["spec"]), [charts.Series(_("Institution level"),
                                                                  _dyad_series(ctx["states"], k, "IL"),
                                                                  colour="#0b6fae", dash="")])
              for k in ctx["dyads"]]
    data["charts"]["institutions"] = [charts.small_multiples(
        "chart-institutions", _("Institution level per dyad by turn"),
        _("Institution level (0–100) of each pair against the four English School bands: power political (below "
          "25), coexistence (25–49), cooperative (50–74) and convergence (75 and above)."),
        x_labels=ctx["x_levels"], panels=panels, bands=bands, columns=3, legend=False)]


def _thesis_chart(ctx, data):
    rows = data["thesis"]
    parts = [charts.Part(name, str(label), [r["parts"][name] for r in rows], colour, pattern)
             for name, label, colour, pattern in ATTR_PARTS]
    titles = [_("Turn %(n)d: ΔT %(d)s. Open the moves behind it.") % {"n": r["number"],
                                                                      "d": charts.fmt(r["published"], 1)}
              for r in rows]
    x_turns, hrefs, line, extra = ctx["x_turns"], ["#" + r["anchor"] for r in rows], [r["cumulative"] for r in rows], {}
    line_label = _("Running total")
    if ctx.get("compare"):  # the other branch's running total, dashed, on the same axis
        cmp = ctx["compare"]
        labels, mine, theirs = _compare_axis(ctx)
        x_turns = labels[1:]
        pad = len(x_turns) - len(rows)
        parts = [charts.Part(p.name, p.label, list(p.values) + [None] * pad, p.colour, p.pattern) for p in parts]
        titles, hrefs, line = titles + [""] * pad, hrefs + [None] * pad, line + [None] * pad
        start = theirs[0].dyads[THESIS_DYAD].T if theirs and theirs[0] is not None else None
        line_label = _("Running total, %(branch)s") % {"branch": cmp["mine"]}
        extra = {"line2": [None if s is None or start is None else s.dyads[THESIS_DYAD].T - start
                           for s in theirs[1:]],
                 "line2_label": _("Running total, %(branch)s") % {"branch": cmp["theirs"]}}
    data["charts"]["thesis"] = [charts.stacked_bars(
        "chart-thesis", _("Why Japan–Russia tension moved, turn by turn"),
        _("Each bar is one turn's change in tension between Japan and Russia, split into five parts that add up to "
          "it: direct moves at each other, spillover from moves aimed at a third party such as China, incidents, "
          "events (injects, triggers, crisis outcomes) and drift. The line is the running total since the start."),
        x_labels=x_turns, parts=parts, line=line,
        line_label=line_label, hrefs=hrefs, bar_titles=titles,
        y_label=_("ΔT (points)"), total_label=_("ΔT"), **extra)]


def _communication(ctx, data):
    states, spec = ctx["states"], ctx["spec"]
    triangle = [k for k in ("JPN-RUS", "CHN-JPN", "CHN-RUS") if k in ctx["dyads"]] or ctx["dyads"][:3]
    points = [charts.Point(states[i].dyads[k].C, states[i].dyads[k].T, ctx["x_levels"][i], _label(k, spec))
              for k in triangle for i in range(len(states))]
    c_t = charts.scatter(
        "chart-comm-tension", _("Communication against tension"),
        _("Each point is one pair's communication depth (C) and tension (T) after a turn, joined in turn order. "
          "Factor 1: deeper communication damps spillover and pulls tension back faster."),
        points=points, x_label=_("Communication (C)"), y_label=_("Tension (T)"),
        columns=[_("Dyad"), _("Communication (C)"), _("Tension (T)"), _("Turn")])
    incidents = []
    for i, events in enumerate(ctx["events"]):
        for e in events:
            if e.get("kind") == "incident":
                key = e.get("id", "").rsplit(":", 1)[-1]
                if key in states[i].dyads and key in ctx["dyads"]:
                    incidents.append(charts.Point(states[i].dyads[key].C, float(e.get("severity", 0)),
                                                  f"{ctx['x_turns'][i]} {e.get('incident', '')}", _label(key, spec)))
    hi = max([14.0] + [p.y + 1 for p in incidents])
    lo = min([0.0] + [p.y - 1 for p in incidents])
    c_s = charts.scatter(
        "chart-comm-severity", _("Communication against incident severity"),
        _("Each point is an incident: the pair's communication depth at the start of that turn against the "
          "incident's severity (shadowing up to 6, unsafe manoeuvre 7–9, radar lock 10–11, collision 12 and up)."),
        points=incidents, x_label=_("Communication (C) at the start of the turn"), y_label=_("Severity"),
        y_range=(lo, hi), connect=False, columns=[_("Dyad"), _("Communication (C)"), _("Severity"), _("Incident")],
        empty=_("No incident in the turns published."))
    data["charts"]["communication"] = [c_t, c_s]
    data["incident_count"] = len(incidents)


def _alignment(ctx, data):
    spec, states = ctx["spec"], ctx["states"]
    if "CHN-RUS" not in states[0].dyads:
        return
    pts = [charts.Point(s.dyads["CHN-RUS"].IL, m_align(spec.params, s, "RUS", "JPN"), ctx["x_levels"][i],
                        _("Japan reading Russia")) for i, s in enumerate(states)]
    lo = min(p.y for p in pts)
    hi = max(p.y for p in pts)
    data["charts"]["alignment"] = [charts.scatter(
        "chart-alignment", _("Russia–China alignment against Japan's alignment multiplier"),
        _("Each point is a turn: the Russia–China institution level against the multiplier by which Japan reads "
          "Russia's moves (factor 2: the closer Russia draws to China, the more each Russian move spills onto "
          "Japan)."),
        points=pts, x_label=_("Institution level IL(RUS,CHN)"), y_label=_("Japan's m_align"),
        y_range=(math.floor(lo * 20) / 20 - 0.05, math.ceil(hi * 20) / 20 + 0.05), digits=3,
        columns=["", _("IL(RUS,CHN)"), _("m_align"), _("Turn")])]


def _navies(ctx, data):
    states = ctx["states"]

    def var(code, name):
        return [s.actors[code].vars.get(name) if code in s.actors else None for s in states]
    series = [charts.Series(_("JPN N"), var("JPN", "N"), colour="#1d4ed8"),
              charts.Series(_("RUS N"), var("RUS", "N"), colour="#b91c1c"),
              charts.Series(_("RUS bastion (BS)"), var("RUS", "BS"), colour="#7c4a2d"),
              charts.Series(_("CHN access (AX)"), var("CHN", "AX"), colour="#a66f00")]
    data["charts"]["navies"] = [charts.line_chart(
        "chart-navies", _("Navies, the bastion and China's access"),
        _("Japan's and Russia's naval posture (N), the security of Russia's SSBN bastion (BS) and China's access "
          "through the straits (AX), 0–100, by turn: the security dilemma in numbers."),
        x_labels=ctx["x_levels"], series=[s for s in series if any(v is not None for v in s.values)])]


def _incidents(ctx, data):
    spec, states, n = ctx["spec"], ctx["states"], len(ctx["turns"])
    rows = []
    for k in ctx["dyads"]:
        spans = []
        for flag, colour in FLAG_COLOURS.items():
            run = None
            for i in range(n):
                on = flag in states[i + 1].dyads[k].flags
                if on and run is None:
                    run = i
                if (not on or i == n - 1) and run is not None:
                    spans.append(charts.Span(run, i if on else i - 1, flag.replace("_", " ").title()
                                             if flag != "INCSEA" and flag != "CUES" else flag, colour))
                    run = None
        marks = []
        for i, events in enumerate(ctx["events"]):
            for e in events:
                if e.get("kind") == "incident" and e.get("id", "").endswith(":" + k):
                    rung = next((c[2] for c in e.get("changes", []) if len(c) >= 3 and c[1] == "rung"), None)
                    sev = float(e.get("severity", 0))
                    shape = INCIDENT_SHAPES.get(rung, "diamond" if sev >= 10 else "triangle" if sev >= 7 else "circle")
                    marks.append(charts.Mark(i, str(e.get("incident", "")), shape, "#b91c1c"))
        if spans or marks:
            rows.append(charts.Row(_label(k, spec), spans, marks))
    legend = [("circle", "#b91c1c", True, _("shadowing")), ("triangle", "#b91c1c", True, _("unsafe manoeuvre")),
              ("diamond", "#b91c1c", True, _("radar lock")), ("square", "#b91c1c", True, _("collision"))]
    data["charts"]["incidents"] = [charts.timeline(
        "chart-incidents", _("Incidents and the confidence-building measures in force"),
        _("For each pair with an incident or a measure in force: thin bars show INCSEA, CUES, a hotline or the "
          "parallel track in force turn by turn; red marks are incidents, shaped by severity and named."),
        x_labels=ctx["x_turns"], rows=rows, legend=legend)]
    data["cbm_key"] = list(FLAG_COLOURS)


def _rungs(ctx, data):
    states = ctx["states"][1:]
    peak, at2 = [], []
    for k in ctx["dyads"]:
        rungs = [s.dyads[k].rung for s in states]
        top = max(rungs)
        peak.append((_label(k, ctx["spec"]), top, _("turn %(n)d") % {"n": ctx["numbers"][rungs.index(top)]}))
        at2.append((_label(k, ctx["spec"]), sum(1 for r in rungs if r >= 2)))
    data["charts"]["rungs"] = [
        charts.hbars("chart-peak-rung", _("Peak rung per dyad"),
                     _("The highest escalation rung each pair reached (0 routine to 7 armed conflict), and when."),
                     rows=[(a, b) for a, b, _c in peak], notes=[f"({c}: {engine.RUNG_NAMES[b]})" for _a, b, c in peak],
                     max_value=7, ticks=list(range(8)), value_label=_("Peak rung"), width=560, label_width=90,
                     colour="#b45309"),
        charts.hbars("chart-rung2", _("Turns at rung 2 or above per dyad"),
                     _("How many published turns each pair ended at rung 2 (show of force) or higher."),
                     rows=at2, max_value=max(1, len(states)), value_label=_("Turns at rung 2+"), width=560,
                     label_width=90, colour="#0b6fae"),
    ]


def _actions(ctx, data):
    spec, codes, numbers = ctx["spec"], ctx["codes"], ctx["numbers"]
    mix = {c: Counter() for c in codes}
    ordered = {c: Counter() for c in codes}
    for number, code, action, _target in ctx["orders"]:
        a = spec.actions.get(action)
        if code in mix and a is not None:
            mix[code][a.category] += 1
            ordered[code][number] += 1
    said = {c: Counter() for c in codes}
    for number, code, _kind, n in ctx["messages"]:
        if code in said:
            said[code][number] += n
    parts = [charts.Part(cat, _(cat.title()), [mix[c][cat] for c in codes], colour, pattern)
             for cat, colour, pattern in CATEGORY_STYLE]
    mix_chart = charts.stacked_bars(
        "chart-action-mix", _("Each team's action mix by category"),
        _("How many catalogue orders each team gave over the game, by category: military, diplomatic, economic, "
          "information."),
        x_labels=codes, parts=parts, digits=0, y_label=_("Orders"), total_label=_("All orders"), height=340)
    panels = [charts.Panel(c, [charts.Series(_("Messages sent"), [said[c][n] for n in numbers], colour="#0b6fae"),
                               charts.Series(_("Orders given"), [ordered[c][n] for n in numbers], colour="#c8510b")])
              for c in codes]
    top = max([2] + [v for c in codes for v in list(said[c].values()) + list(ordered[c].values())])
    said_chart = charts.small_multiples(
        "chart-said-ordered", _("What each team said against what it ordered"),
        _("Per team and turn: messages it sent (bilateral, group and public) against the catalogue orders it gave."),
        x_labels=ctx["x_turns"], panels=panels, y_min=0, y_max=top, columns=3, digits=0)
    data["charts"]["actions"] = [mix_chart, said_chart]


def _spending(ctx, data):
    spec, codes, states = ctx["spec"], ctx["codes"], ctx["states"]
    d_chart = charts.line_chart(
        "chart-support", _("Domestic support (D) per team"),
        _("Each team's domestic support, 0–100, from the start through every turn."),
        x_labels=ctx["x_levels"], series=[charts.Series(c, [s.actors[c].vars.get("D") for s in states])
                                          for c in codes])
    spent = {c: [0] * len(ctx["turns"]) for c in codes}
    for i, events in enumerate(ctx["events"]):
        for e in events:
            ev = engine.parse_event_id(e.get("id", ""))
            if e.get("kind") != "action" or ev is None or ev.kind != "order" or e.get("action") not in spec.actions:
                continue
            cost = engine.effective_cost(spec, states[i + 1], e["action"])
            for code in e.get("teams", []):
                if code in spent:
                    spent[code][i] += cost
    parts = [charts.Part(c, c, spent[c], charts.PALETTE[k % len(charts.PALETTE)],
                         ("solid", "hatch", "dots", "cross", "lines", "vlines")[k % 6])
             for k, c in enumerate(codes)]
    rp_chart = charts.stacked_bars(
        "chart-rp", _("RP spent per team by turn"),
        _("Resource points each team spent on the orders that were carried out, per turn (argued actions and "
          "unmatched bilateral orders cost nothing)."),
        x_labels=ctx["x_turns"], parts=parts, digits=0, y_label=_("RP"), total_label=_("All teams"), height=340)
    data["charts"]["spending"] = [d_chart, rp_chart]


def _audit(ctx, data):
    cards = defaultdict(dict)
    for number, code, card_team, prob in ctx["argued"]:
        if prob is not None:
            cards[(number, code)][card_team or "WHITE"] = prob
    rows, points = [], []
    outcome_y = {k: i for i, (k, _l) in enumerate(OUTCOMES)}
    labels = dict(OUTCOMES)
    overrides, rerolls, manual = Counter(), [], []
    for i, t in enumerate(ctx["turns"]):
        for e in t.result.get("events", []):
            if e.get("kind") != "argued":
                continue
            adj = e.get("adjudication", {})
            team = (e.get("teams") or [""])[0]
            if adj.get("mode") == "weighted_2d6":
                prob = _p_2d6(adj.get("target", 7), adj.get("modifier", 0))
                roll = "+".join(str(f) for f in adj.get("roll", [])) + (f" {adj['modifier']:+d}" if adj.get("modifier") else "")
            else:
                prob = adj.get("probability")
                roll = str(adj.get("roll", ""))
            outcome = adj.get("outcome", "")
            rows.append({"turn": t.number, "team": team, "text": engine_text.event_text(e, ctx["spec"]),
                         "mode": adj.get("mode", ""),
                         "probability": prob, "roll": roll, "outcome": outcome, "outcome_label": labels.get(outcome, outcome),
                         "success": bool(adj.get("success")), "scale": e.get("scale"),
                         "cards": sorted(cards.get((t.number, team), {}).items())})
            if prob is not None and outcome in outcome_y:
                points.append(charts.Point(float(prob), outcome_y[outcome], f"{ctx['x_turns'][i]} {team}", team))
        for o in (t.result.get("input") or {}).get("overrides", []):
            overrides[o.get("reason") or "Error"] += 1
            entry = {"turn": t.number, "event": o.get("event_id", ""), "reason": o.get("reason", ""),
                     "note": "" if ctx["public"] else o.get("note", ""), "value": o.get("value"), "draw": o.get("draw")}
            if o.get("kind") == "reroll":
                rerolls.append(entry)
            elif o.get("kind") == "manual_dice":
                manual.append(entry)
    succeeded = sum(1 for r in rows if r["success"])
    scatter = charts.scatter(
        "chart-argued", _("Argued actions: estimated probability against outcome"),
        _("Each argued action at its estimated chance of success (the cards' median, White's figure, or 2d6's "
          "chance with the accepted reasons) against its outcome, from No, and to Yes, and."),
        points=points, x_label=_("Estimated probability (%)"), y_label=_("Outcome"), y_range=(-0.5, 3.5),
        y_categories=[(i, str(label)) for i, (_k, label) in enumerate(OUTCOMES)], connect=False, digits=0,
        columns=[_("Team"), _("Probability (%)"), _("Outcome"), _("Turn")])
    reasons = [str(r) for r in engine.OVERRIDE_REASONS]
    by_reason = charts.hbars(
        "chart-overrides", _("White's overrides by reason"),
        _("How many of White's overrides gave each reason: realism, pedagogy, pace or error."),
        rows=[(r, overrides.get(r, 0)) for r in reasons], max_value=max([1] + list(overrides.values())),
        value_label=_("Overrides"), width=560, label_width=100, colour="#6d4bd1")
    data["charts"]["audit"] = [scatter, by_reason]
    data["audit"] = {"argued": rows, "argued_total": len(rows), "argued_succeeded": succeeded,
                     "argued_rate": _pct(succeeded, len(rows)), "overrides": sum(overrides.values()),
                     "rerolls": rerolls, "manual": manual}


def _perception(ctx, data):
    spec, codes, seed = ctx["spec"], ctx["codes"], ctx["exercise"].seed
    panels, rows = [], []
    errors = []
    for viewer in codes:
        series = []
        seen_by_turn = [engine.perceive(spec, s, viewer, seed=seed)["actors"] for s in ctx["states"][1:]]
        for other in codes:
            if other == viewer:
                continue
            values = []
            for i, s in enumerate(ctx["states"][1:]):
                seen = seen_by_turn[i].get(other, {}).get("N")
                true = s.actors[other].vars.get("N")
                if seen is None or true is None:
                    values.append(None)
                    continue
                values.append(seen["value"] - true)
                errors.append(abs(seen["value"] - true))
                rows.append({"turn": ctx["numbers"][i], "viewer": viewer, "other": other, "seen": seen["value"],
                             "true": true, "noise": seen.get("noise", 0.0), "estimate": seen.get("estimate", False)})
            series.append(charts.Series(_("%(code)s's N") % {"code": other}, values))
        panels.append(charts.Panel(_("What %(code)s saw") % {"code": viewer}, series,
                                   [charts.Band(-5, 5, "±5", "#f1f5f9")]))
    span = max([10.0] + [math.ceil(e / 5) * 5 for e in errors])
    data["charts"]["perception"] = [charts.small_multiples(
        "chart-perception", _("What each team knew when: perceived against true naval posture"),
        _("For each team, how far its picture of every other team's naval posture (N) was from the truth after each "
          "turn: 0 is the truth, above it an overestimate, below an underestimate. Fog narrows as communication "
          "deepens."),
        x_labels=ctx["x_turns"], panels=panels, y_min=-span, y_max=span, columns=3)]
    data["perception"] = rows


def _objectives(ctx, data):
    spec, codes, states = ctx["spec"], ctx["codes"], ctx["states"][1:]
    rows, summary = [], []
    for code in codes:
        per_turn = [engine.objectives_status(spec, s, code) for s in states]
        for k, (objective, _met) in enumerate(per_turn[0] if per_turn else []):
            met = [status[k][1] for status in per_turn]
            rows.append(charts.Row(f"{code} · {objective.id}", [],
                                   [charts.Mark(i, "", "circle" if m else "ring", "#15803d" if m else "#94a3b8", m)
                                    for i, m in enumerate(met)]))
            first = next((ctx["numbers"][i] for i, m in enumerate(met) if m), None)
            summary.append({"team": code, "id": objective.id, "text": objective.text, "met_at_end": met[-1],
                            "first_met": first, "turns_met": sum(met)})
    data["charts"]["objectives"] = [charts.timeline(
        "chart-objectives", _("Objectives met, turn by turn"),
        _("Each team's private objectives: a filled green dot where the objective held after that turn, an open "
          "grey ring where it did not."),
        x_labels=ctx["x_turns"], rows=rows, label_width=130,
        legend=[("circle", "#15803d", True, _("met")), ("ring", "#94a3b8", False, _("not met"))])]
    data["objectives"] = summary


# ------------------------------------------------------------------------------------------------ timeline

def debrief_timeline(ctx, *, team=None, turn=None, with_white=True):
    """The whole game as one list, turn by turn: injects, orders, message counts, incidents, crises and White's
    interventions. ``team`` / ``turn`` filter it."""
    items = []
    msg = defaultdict(Counter)
    for number, code, kind, n in ctx["messages"]:
        msg[(number, code)][kind] += n
    for i, t in enumerate(ctx["turns"]):
        n = t.number
        for e in ctx["events"][i]:
            kind = e.get("kind")
            group = {"inject": "inject", "action": "order", "argued": "argued", "incident": "incident",
                     "crisis": "crisis", "crisis_outcome": "crisis", "not_carried_out": "order",
                     "treaty": "event", "trigger": "event", "band_change": "event", "end": "event"}.get(kind)
            if group is None:
                continue
            text = engine_text.event_headline_text(e, ctx["spec"])
            items.append({"turn": n, "group": group, "teams": list(e.get("teams") or []), "text": text,
                          "id": e.get("id", ""), "dom": dom_id(e.get("id", ""))})
        for code in ctx["codes"]:
            counts = msg.get((n, code))
            if counts:
                total = sum(counts.values())
                detail = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
                items.append({"turn": n, "group": "messages", "teams": [code], "id": "", "dom": "",
                              "text": _("%(code)s sent %(n)d messages (%(detail)s)") % {"code": code, "n": total,
                                                                                          "detail": detail}})
        if with_white:
            inputs = t.result.get("input") or {}
            for o in inputs.get("overrides", []):
                ev = engine.parse_event_id(o.get("event_id", ""))
                who = [c for c in (ev.pair or ()) if c in ctx["codes"]] if ev else []
                if ev and not who and ev.subject.split(":")[0] in ctx["codes"]:
                    who = [ev.subject.split(":")[0]]
                text = _("White: %(kind)s on %(event)s (%(reason)s)") % {
                    "kind": o.get("kind", ""), "event": o.get("event_id", ""), "reason": o.get("reason", "")}
                if o.get("note") and not ctx["public"]:
                    text += f" — {o['note']}"
                items.append({"turn": n, "group": "white", "teams": who, "text": text, "id": "", "dom": ""})
            for inj in inputs.get("injects", []):
                items.append({"turn": n, "group": "white", "teams": [], "id": "", "dom": "",
                              "text": _("White's own inject: %(title)s") % {"title": inj.get("title", "")}})
            for key, label in (("skip_injects", _("White held back %(id)s")), ("fire_now", _("White fired %(id)s now"))):
                for inject_id in inputs.get(key, []):
                    items.append({"turn": n, "group": "white", "teams": [], "id": "", "dom": "",
                                  "text": label % {"id": inject_id}})
            if not ctx["public"]:
                for code in sorted((t.inputs or {}).get("narratives", {})):
                    items.append({"turn": n, "group": "white", "teams": [code], "id": "", "dom": "",
                                  "text": _("White edited the narrative for %(code)s") % {"code": code}})
    if team:
        items = [it for it in items if team in it["teams"]]
    if turn:
        items = [it for it in items if it["turn"] == turn]
    for it in items:
        it["group_label"] = TIMELINE_KINDS[it["group"]]
    by_turn = []
    for it in items:
        if not by_turn or by_turn[-1]["turn"] != it["turn"]:
            by_turn.append({"turn": it["turn"], "date": engine.game_date(ctx["spec"], it["turn"]), "items": []})
        by_turn[-1]["items"].append(it)
    return {"turns": by_turn, "count": len(items)}
