"""End-of-turn dynamics (§3): drift, IL movement, D reversion, RP income, rungs; spillover factors."""
from __future__ import annotations

from .state import dyad_key, tension_rung

DRIFT = 4  # index of the drift part in a dyad's ΔT parts (effects.ATTR_NAMES)


def m_comm(params, state, a: str, o: str) -> float:
    """Factor 1: deeper communication between A and O damps spillover."""
    dyad = state.dyads.get(dyad_key(a, o))
    return 1.0 - params.comm_k * (dyad.C if dyad else 0.0) / 100.0


def m_align(params, state, a: str, o: str, mult=1.0, add: float = 0.0) -> float:
    """Factor 2: how O reads A's moves, 1 + Σ k·IL(term dyad)/100 over the pair's alignment terms.

    Each reader has two terms (GAME_MODEL §3): Russia reading Japan's moves (A=JPN, O=RUS) through its own
    alignment with China, IL(RUS,CHN), and through Japan's alliance, IL(JPN,USA); Japan reading Russia's
    moves through the same two dyads. `mult` is a number (every term) or {term: factor}; `add` is added.
    """
    terms = params.align.get((a, o))
    factor = 1.0
    if terms:
        dyads = state.dyads
        for name, key, k in terms:
            m = mult.get(name, 1.0) * mult.get("", 1.0) if isinstance(mult, dict) else mult
            factor += k * m * dyads[key].IL / 100.0
    return factor + add


def spill_amount(params, state, a, o, dT, w, omega_mult=1.0, align_mult=1.0, align_add=0.0) -> float:
    """ΔT(A,O) = ΔT(A,B) · ω[A→O] · m_comm(A,O) · m_align(A,O)."""
    return dT * w * omega_mult * m_comm(params, state, a, o) * m_align(params, state, a, o, align_mult, align_add)


def structural_T(params, key, dyad) -> float:
    """T₀: the dyad's structural tension (its baseline, lowered by agreements)."""
    return dyad.T0 if dyad.T0 is not None else params.base_T0.get(key, 0.0)


def structural_IL(params, key, dyad) -> float:
    """IL₀: the dyad's structural institution level (its baseline, ratcheted up by agreements)."""
    return dyad.IL0 if dyad.IL0 is not None else params.base_IL0.get(key, 0.0)


def drift_update(params, state, start: dict, start_support: dict, attribution: dict):
    """Drift toward the structural levels (§3), from the turn-start snapshot; D reversion.

    T ← T + g − k_T·(T − T₀)·(c₀ + C/100)      (g halved under PARALLEL_TRACK)
    IL ← IL + clamp(k_IL·(IL₀ − IL) + k_CT·(C − T), ±cap)
    start: {dyad: (T, C, IL) at turn start}; start_support: {actor: D at turn start};
    attribution: {dyad: ΔT parts}, whose drift part gets the T drift.
    """
    drift_k = params.drift_k
    c0 = params.drift_c0
    il_k = params.il_k
    il_ct = params.il_ct
    cap = params.il_cap
    for key, dyad in state.dyads.items():
        T_start, C_start, IL_start = start[key]
        grievance = params.grievance.get(key, 0.0)
        if grievance and "PARALLEL_TRACK" in dyad.flags:
            grievance *= params.parallel_g
        dT = grievance - drift_k * (T_start - structural_T(params, key, dyad)) * (c0 + C_start / 100.0)
        if dT:
            new_t = dyad.T + dT
            new_t = 0.0 if new_t < 0 else 100.0 if new_t > 100 else new_t
            parts = attribution.get(key)
            if parts is None:
                parts = attribution[key] = [0.0, 0.0, 0.0, 0.0, 0.0]
            parts[DRIFT] += new_t - dyad.T
            dyad.T = new_t
        dIL = il_k * (structural_IL(params, key, dyad) - IL_start) + il_ct * (C_start - T_start)
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
    """Higher of band rung (capped: tension alone stops at rung 5) and rungs seen; falls one rung a turn at most.

    Rungs 6 and 7 come only from a decision (a crisis choice, a rung op of White's), which `seen` carries.
    """
    rung = tension_rung(T, params.rungs)
    if rung > params.tension_cap:
        rung = params.tension_cap
    if seen > rung:
        rung = seen
    if rung < prev - 1:
        rung = prev - 1
    return rung
