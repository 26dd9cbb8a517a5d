"""What every page reads: the exercise's turns, its scenario, the clock, the turn summary."""

import re

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from wargame import engine
from wargame.scenarios import load_scenario

from ..models import Turn


ONLINE_SECONDS = 60


def current_turn(exercise):
    return exercise.turns.order_by("-number").first()


def last_published_turn(exercise):
    return exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("-number").first()


def scenario_for(exercise):
    """The exercise's scenario for a page: its prose in the reader's language (the rules are the same in each)."""
    return load_scenario(exercise.scenario.slug, lang=get_language())


def clock(turn):
    """Seconds left on the turn clock, or None when no deadline is set."""
    if turn is None or turn.deadline is None or turn.status != Turn.Status.OPEN:
        return None
    return max(0, int((turn.deadline - timezone.now()).total_seconds()))


_CURRENT = object()


def turn_summary(exercise, *, turn=_CURRENT):
    """The turn line. Pass the turn a page already read, so its pill and its buttons tell the same story."""
    spec = scenario_for(exercise)
    if turn is _CURRENT:
        turn = current_turn(exercise)
    number = turn.number if turn else 0
    return {
        "turn": turn,
        "number": number,
        "of": spec.turns,
        "date": engine.game_date(spec, number) if number else "",
        "seconds_left": clock(turn),
        "progress": round(100 * max(0, number - 1) / spec.turns),
    }


def dyad_rows(state, codes, only_with=None):
    rows = []
    for key, d in sorted(state.dyads.items()):
        a, b = key.split("-")
        if a not in codes or b not in codes:
            continue
        if only_with and only_with not in (a, b):
            continue
        rows.append({
            "key": key, "a": a, "b": b, "IL": round(d.IL), "T": round(d.T), "C": round(d.C), "E": round(d.E),
            "rung": d.rung, "rung_name": engine.RUNG_NAMES[d.rung], "band": engine.band_name(d.IL),
            "flags": sorted(d.flags), "other": b if a == only_with else a,
        })
    return rows


def dom_id(event_id):
    """An event id as a DOM id fragment: "t1:incident:CHN-JPN" -> "t1-incident-CHN-JPN"."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(event_id)).strip("-")


def map_layers(exercise, *, team=None):
    """What the theatre map draws besides presence: the scenario's zones and straits, the ice of the turn being
    played and, for a team, what only that team may see: its own submarines and its own contacts. Public when
    ``team`` is None. The map draws only what it is given, so secrecy is decided here."""
    spec = scenario_for(exercise)
    number = max(1, exercise.state.get("turn", 0) + (0 if exercise.status == "ended" else 1))
    ice = engine.ice_zones(spec, number)
    layers = {"zones": spec.params.zones, "straits": spec.params.straits, "ice_zones": ice,
              "ice_label": _("Ice (Q%(q)d)") % {"q": engine.quarter(spec, number)} if ice else ""}
    if team is not None:
        state = engine.GameState.from_dict(exercise.state)
        layers["own_subs"] = [{"zone": zone, "label": _("%(team)s submarine") % {"team": team.code},
                               "colour": team.colour} for zone in engine.hidden_positions(state, team.code)]
        layers["contacts"] = engine.own_contacts(state, team.code)
    return layers
