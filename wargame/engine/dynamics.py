"""End-of-turn dynamics (§3): drift, IL movement, D reversion, RP income, rungs; spillover factors."""
from __future__ import annotations

from .state import dyad_key, tension_rung


def m_comm(params, state, a: str, o: str) -> float:
    """Factor 1: deeper communication between A and O damps spillover."""
    dyad = state.dyads.get(dyad_key(a, o))
    return 1.0 - params.comm_k * (dyad.C if dyad else 0.0) / 100.0


def m_align(params, state, a: str, o: str, mult: float = 1.0, add: float = 0.0) -> float:
    """Factor 2: O's alignment with a third power makes A's moves read as aimed at O too."""
    alignment = params.align.get((a, o))
    factor = 1.0
    if alignment is not None:
        factor += alignment[1] * mult * state.dyads[alignment[0]].IL / 100.0
    return factor + add


def spill_amount(params, state, a, o, dT, w, omega_mult=1.0, align_mult=1.0, align_add=0.0) -> float:
    """ΔT(A,O) = ΔT(A,B) · ω[A→O] · m_comm(A,O) · m_align(A,O)."""
    return dT * w * omega_mult * m_comm(params, state, a, o) * m_align(params, state, a, o, align_mult, align_add)


def drift_update(params, state, start: dict, start_support: dict, attribution: dict):
    """T drift (Richardson form), IL drift (capped), D reversion; drift uses the turn-start snapshot.

    start: {dyad: (T, C, IL) at turn start}; start_support: {actor: D at turn start};
    attribution: {dyad: ΔT parts}, whose drift part gets the T drift.
    """
    drift_k = params.drift_k
    il_k = params.il_k
    cap = params.il_cap
    for key, dyad in state.dyads.items():
        T0, C0, IL0 = start[key]
        grievance = params.grievance.get(key, 0.0)
        if grievance and "PARALLEL_TRACK" in dyad.flags:
            grievance *= params.parallel_g
        dT = grievance - drift_k * T0 * C0 / 100.0
        if dT:
            new_t = dyad.T + dT
            new_t = 0.0 if new_t < 0 else 100.0 if new_t > 100 else new_t
            parts = attribution.get(key)
            if parts is None:
                parts = attribution[key] = [0.0, 0.0, 0.0, 0.0]
            parts[3] += new_t - dyad.T
            dyad.T = new_t
        dIL = il_k * (C0 - T0)
        if dIL > cap:
            dIL = cap
        elif dIL < -cap:
            dIL = -cap
        if dIL:
            new_il = dyad.IL + dIL
            dyad.IL = 0.0 if new_il < 0 else 100.0 if new_il > 100 else new_il
    if params.d_rev:
        for code, actor in state.actors.items():
            base = params.baseline[code].get("D")
            if base is None:
                continue
            dD = params.d_rev * (base - start_support[code])
            if dD:
                new_d = actor.vars["D"] + dD
                actor.vars["D"] = 0.0 if new_d < 0 else 100.0 if new_d > 100 else new_d


def income(params, state, code: str) -> int:
    amount = params.income.get(code, 0)
    for penalty in params.rp_penalties:
        if penalty["actor"] == code and state.actors[code].vars.get(penalty["var"], 0) >= penalty["ge"]:
            amount += int(penalty["delta"])
    return max(0, amount)


def rp_update(params, state):
    """Unspent RP carries over, capped at rp_carry_cap_mult × base income. Spending was deducted by the orders phase."""
    for code in params.teams:
        left = state.rp.get(code, 0)
        cap = int(params.rp_cap_mult * params.income.get(code, 0))
        state.rp[code] = max(0, min(left + income(params, state, code), cap))


def new_rung(params, prev: int, T: float, seen: int) -> int:
    """Higher of band rung and actions seen; falls at most one rung a turn."""
    rung = tension_rung(T, params.rungs)
    if seen > rung:
        rung = seen
    if rung < prev - 1:
        rung = prev - 1
    return rung
