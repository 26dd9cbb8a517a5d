"""End-of-turn dynamics (§3): drift, IL movement, D reversion, RP income, rungs; spillover factors."""
from __future__ import annotations

from .state import dyad_key, tension_rung


def m_comm(p, st, a: str, o: str) -> float:
    """Factor 1: deeper communication between A and O damps spillover."""
    d = st.dyads.get(dyad_key(a, o))
    return 1.0 - p.comm_k * (d.C if d else 0.0) / 100.0


def m_align(p, st, a: str, o: str, mult: float = 1.0, add: float = 0.0) -> float:
    """Factor 2: O's alignment with a third power makes A's moves read as aimed at O too."""
    al = p.align.get((a, o))
    v = 1.0
    if al is not None:
        v += al[1] * mult * st.dyads[al[0]].IL / 100.0
    return v + add


def spill_amount(p, st, a, o, dT, w, omega_mult=1.0, align_mult=1.0, align_add=0.0) -> float:
    """ΔT(A,O) = ΔT(A,B) · ω[A→O] · m_comm(A,O) · m_align(A,O)."""
    return dT * w * omega_mult * m_comm(p, st, a, o) * m_align(p, st, a, o, align_mult, align_add)


def drift_update(tc, start: dict):
    """T drift (Richardson form), IL drift (capped), D reversion; drift uses the turn-start snapshot."""
    p = tc.p
    st = tc.st
    attr = tc.attr
    drift_k = p.drift_k
    il_k = p.il_k
    cap = p.il_cap
    for key, d in st.dyads.items():
        T0, C0, IL0 = start[key]
        g = p.grievance.get(key, 0.0)
        if g and "PARALLEL_TRACK" in d.flags:
            g *= p.parallel_g
        dT = g - drift_k * T0 * C0 / 100.0
        if dT:
            nt = d.T + dT
            nt = 0.0 if nt < 0 else 100.0 if nt > 100 else nt
            a = attr.get(key)
            if a is None:
                a = attr[key] = [0.0, 0.0, 0.0, 0.0]
            a[3] += nt - d.T
            d.T = nt
        dil = il_k * (C0 - T0)
        if dil > cap:
            dil = cap
        elif dil < -cap:
            dil = -cap
        if dil:
            nil = d.IL + dil
            d.IL = 0.0 if nil < 0 else 100.0 if nil > 100 else nil
    if p.d_rev:
        for code, a in st.actors.items():
            base = p.baseline[code].get("D")
            if base is None:
                continue
            dd = p.d_rev * (base - tc.d0[code])
            if dd:
                nv = a.vars["D"] + dd
                a.vars["D"] = 0.0 if nv < 0 else 100.0 if nv > 100 else nv


def income(p, st, code: str) -> int:
    inc = p.income.get(code, 0)
    for pen in p.rp_penalties:
        if pen["actor"] == code and st.actors[code].vars.get(pen["var"], 0) >= pen["ge"]:
            inc += int(pen["delta"])
    return max(0, inc)


def rp_update(tc, spent: dict):
    """Unspent RP carries over, capped at rp_carry_cap_mult × base income."""
    p = tc.p
    st = tc.st
    for code in p.teams:
        left = st.rp.get(code, 0)
        cap = int(p.rp_cap_mult * p.income.get(code, 0))
        st.rp[code] = max(0, min(left + income(p, st, code), cap))


def new_rung(p, prev: int, T: float, seen: int) -> int:
    """Higher of band rung and actions seen; falls at most one rung a turn."""
    r = tension_rung(T, p.rungs)
    if seen > r:
        r = seen
    if r < prev - 1:
        r = prev - 1
    return r
