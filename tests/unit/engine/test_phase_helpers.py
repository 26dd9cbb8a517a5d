"""incidents.py and dynamics.py called with explicit values, as the phase modules call them."""
import pytest

import wargame.engine.effects as effects
import wargame.engine.resolve as resolve
import wargame.engine.state as state_module
from wargame.engine import HEADLINE_KINDS
from wargame.engine.dynamics import drift_update, rp_update
from wargame.engine.incidents import contact_dyads, incident_phase
from wargame.engine.phases.turn import Turn
from wargame.engine.rng import Dice

from .helpers import NT, calm, scen

APPROX = pytest.approx


@pytest.fixture(scope="module")
def nt():
    return scen(NT)


def test_contact_dyads_from_zones_contacts_and_forced_rolls(nt):
    """Shared zones give JPN–RUS; a contact (M9) adds CHN–JPN, a forced roll KOR–RUS; unknown dyads drop out."""
    st = calm(nt)
    st.presence["soya"] = {"JPN": 1, "RUS": 2, "CHN": 0}
    assert contact_dyads(st) == ["JPN-RUS"]
    assert contact_dyads(st, {"CHN-JPN", "AAA-ZZZ"}, {"KOR-RUS"}) == ["CHN-JPN", "JPN-RUS", "KOR-RUS"]


def test_incident_phase_rolls_a_forced_incident_on_the_turn(nt):
    """A forced roll always hits: the incident is recorded with chance 1 and its ΔT is attributed to incidents."""
    st = calm(nt)
    turn = Turn(nt, st, 1, Dice(4, 1), {}, ordered=set())
    turn.interpreter.incident_mods.forced.add("JPN-RUS")
    before = st.dyads["JPN-RUS"].T
    incident_phase(turn)
    [event] = turn.events
    assert event["id"] == "t1:incident:JPN-RUS" and event["kind"] == "incident" and event["chance"] == 1.0
    assert "forced roll" in event["text"]
    assert st.dyads["JPN-RUS"].T - before == APPROX(turn.attribution["JPN-RUS"][2])


def test_drift_update_reads_the_turn_start_values_given(nt):
    """T drifts from the given start (T, C) toward T₀, not from the current T; IL toward IL₀; D reverts from the
    given start support."""
    st = calm(nt)
    start = {k: (d.T, d.C, d.IL) for k, d in st.dyads.items()}
    start["JPN-RUS"] = (40.0, 20.0, 30.0)
    support = {c: a.vars.get("D", 0.0) for c, a in st.actors.items()}
    support["JPN"] = 45.0
    t0, il0, d0 = st.dyads["JPN-RUS"].T, st.dyads["JPN-RUS"].IL, st.actors["JPN"].vars["D"]
    attribution = {}
    drift_update(nt.params, st, start, support, attribution)
    p = nt.params
    drift = 1.0 - p.drift_k * (40 - 35) * (0.5 + 20 / 100)  # g − k_T·(T − T₀)·(0.5 + C/100)
    assert st.dyads["JPN-RUS"].T == APPROX(t0 + drift)
    assert attribution["JPN-RUS"] == APPROX([0.0, 0.0, 0.0, 0.0, drift])
    assert st.dyads["JPN-RUS"].IL == APPROX(il0 + p.il_k * (38 - 30) + p.il_ct * (20 - 40))
    assert st.actors["JPN"].vars["D"] == APPROX(d0 + 0.1 * (55 - 45))


def test_rp_update_adds_income_up_to_the_cap(nt):
    st = calm(nt)
    st.rp["JPN"] = 2
    st.rp["CHN"] = 15
    rp_update(nt.params, st)
    assert st.rp["JPN"] == 8 and st.rp["CHN"] == 16  # 2 + 6; 15 + 8 capped at 2 × 8


def test_shared_names_have_one_home():
    """ACTOR_VARS lives in state.py (effects re-exports it); headlines use events.HEADLINE_KINDS."""
    assert effects.ACTOR_VARS is state_module.ACTOR_VARS
    assert resolve.HEADLINE_KINDS is HEADLINE_KINDS
    assert not hasattr(resolve, "_HEADLINE_KINDS")

