"""Argued (matrix-game) actions (§6): three adjudication modes, four outcome bands, the ±cap."""
from __future__ import annotations

import statistics

from .orders import ARGUED_MODES, ArguedError

OUTCOMES = ("yes_and", "yes_but", "no_but", "no_and")
OUTCOME_LABELS = {"yes_and": "Yes, and", "yes_but": "Yes, but", "no_but": "No, but", "no_and": "No, and"}


def band(success: bool, margin: float, big: float) -> str:
    if success:
        return "yes_and" if margin >= big else "yes_but"
    return "no_and" if margin >= big else "no_but"


def card_median(values) -> float | None:
    """The estimative cards' median: the chance the d100 is rolled against (None with no cards)."""
    values = list(values)
    return float(statistics.median(values)) if values else None


def _cards(order) -> list:
    c = order.cards
    if isinstance(c, dict):
        return list(c.values())
    return [v for _, v in c]


def validate_argued(order, mode: str, adj: dict):
    if mode not in ARGUED_MODES:
        raise ArguedError(f"adjudication mode must be one of {', '.join(ARGUED_MODES)}, got {mode!r}")
    if len(order.reasons) > 3:
        raise ArguedError(f"argued action by {order.team}: at most three reasons, got {len(order.reasons)}")
    allowed = adj.get("cards", [0, 10, 30, 50, 70, 90, 100])
    for v in _cards(order):
        if v not in allowed:
            raise ArguedError(f"argued action by {order.team}: card {v!r} is not one of {allowed}")
    p = order.probability
    if p is not None and (isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 100):
        raise ArguedError(f"argued action by {order.team}: probability must be a percentage 0–100, got {p!r}")
    for k in ("accepted_reasons", "accepted_counters"):
        v = getattr(order, k)
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 10:
            raise ArguedError(f"argued action by {order.team}: {k} must be an integer 0–10, got {v!r}")


def adjudicate(order, mode: str, adj: dict, dice, event: str) -> dict:
    """Roll an argued action. Returns outcome, success, margin, probability/roll details."""
    big = adj.get("big_margin", 20)
    note = ""
    if mode == "weighted_2d6":
        faces = dice.dice("argued", event, 0, 2, 6)
        mod = order.accepted_reasons - order.accepted_counters
        total = sum(faces) + mod
        need = adj.get("twod6_target", 7)
        success = total >= need
        margin = (total - need) if success else (need - total)
        out = band(success, margin, adj.get("big_margin_2d6", 3))
        return {"mode": mode, "outcome": out, "success": success, "margin": margin, "roll": faces,
                "modifier": mod, "total": total, "target": need, "note": note}
    if mode == "estimative":
        p = card_median(_cards(order))
        if p is None:
            p, note = 50.0, "no cards: 50% assumed"
    else:
        if order.probability is None:
            p, note = 50.0, "no probability entered: 50% assumed"
        else:
            p = float(order.probability)
    roll = dice.dice("argued", event, 0, 1, 100)[0]
    success = roll <= p
    margin = (p - roll) if success else (roll - p)
    return {"mode": mode, "outcome": band(success, margin, big), "success": success, "margin": margin,
            "probability": p, "roll": roll, "note": note}


def cap_buffer(buf, cap: float):
    """No variable moves by more than ±cap from one argued action."""
    for k, v in buf.actor.items():
        if v > cap:
            buf.actor[k] = cap
        elif v < -cap:
            buf.actor[k] = -cap
    for k, v in buf.dyad.items():
        if v > cap:
            buf.dyad[k] = cap
        elif v < -cap:
            buf.dyad[k] = -cap
    for k, parts in buf.tparts.items():
        tot = sum(parts)
        if abs(tot) > cap:
            f = cap / abs(tot)
            buf.tparts[k] = [x * f for x in parts]
