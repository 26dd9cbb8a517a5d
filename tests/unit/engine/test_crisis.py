"""Rule table: the crisis sub-turn (§4 step 7), the five-way attribution (§3, §9) and incident rates (§7, §12)."""
import statistics

import pytest

from wargame.engine import (CRISIS_CHOICES, CrisisError, EngineInputError, GameOverError, crisis_dyads,
                            resolve_crisis, resolve_turn)
from wargame.engine.incidents import contact_dyads, incident_chance
from wargame.engine.replay import replay

from .helpers import NT, SO, O, all_inject_ids, attr, calm, event, kinds, scen

APPROX = pytest.approx


@pytest.fixture(scope="module")
def nt():
    return scen(NT)


def crisis_state(nt, key="CHN-JPN", T=70.0, C=None):
    """A turn ended with the dyad at rung 4: its crisis sub-turn opens the next turn."""
    st = calm(nt)
    st.dyads[key].T = T
    if C is not None:
        st.dyads[key].C = C
    res = resolve_turn(nt, st, [], seed=1, skip_injects=all_inject_ids(nt))
    assert key in res.state.crisis
    return res.state


def next_turn(nt, st, choices, seed=2, **kw):
    kw.setdefault("skip_injects", all_inject_ids(nt))
    return resolve_turn(nt, st, [], seed=seed, crisis_choices=choices, **kw)


def test_a_turn_ending_at_rung_four_opens_a_crisis_for_the_next(nt):
    """Japan–China ends a turn at T 70 (rung 4): the event says a crisis sub-turn opens the next turn, and
    crisis_dyads names the dyad whose two teams must choose; no roll is made yet (no free calls)."""
    st = crisis_state(nt)
    assert crisis_dyads(st) == ["CHN-JPN"] and CRISIS_CHOICES == ("deescalate", "hold", "escalate")
    res = resolve_turn(nt, calm(nt), [], seed=1)
    assert not [d for d in res.draws if "crisis" in d["event"]]


def test_both_hold(nt):
    """Both sides hold: the outcome is logged like an order (choices, no calls), the rung stays, play goes on."""
    st = crisis_state(nt)
    res = next_turn(nt, st, {"JPN": "hold"})  # a missing team holds
    ev = event(res, "t2:crisis_outcome:CHN-JPN")
    assert ev["kind"] == "crisis_outcome" and ev["audience"] == "all"
    assert ev["choices"] == {"CHN": "hold", "JPN": "hold"} and ev["calls"] == [] and ev["rung"] == 4
    assert res.state.ended is None


def test_one_side_escalates_limited_force(nt):
    """Japan escalates while China holds: rung 6 (limited force), T +10 counted as an event; play goes on."""
    st = crisis_state(nt)
    res = next_turn(nt, st, {"JPN": "escalate", "CHN": "hold"})
    ev = event(res, "t2:crisis_outcome:CHN-JPN")
    assert ev["rung"] == 6 and res.state.dyads["CHN-JPN"].rung == 6
    assert attr(res, "CHN-JPN", "events") == APPROX(10)
    assert res.state.ended is None


def test_both_escalate_armed_conflict_stops_play(nt):
    """Both escalate: rung 7, armed conflict; the rest of the turn does not run and the end is recorded."""
    st = crisis_state(nt)
    res = next_turn(nt, st, {"JPN": "escalate", "CHN": "escalate"}, skip_injects=())
    assert event(res, "t2:crisis_outcome:CHN-JPN")["rung"] == 7
    assert "armed conflict between CHN and JPN" in res.state.ended
    assert kinds(res, "end") and not kinds(res, "inject") and not kinds(res, "incident")
    with pytest.raises(GameOverError):
        next_turn(nt, res.state, {})


def _calls(nt, st, choices, want):
    for seed in range(60):
        res = next_turn(nt, st, choices, seed=seed)
        ev = event(res, "t2:crisis_outcome:CHN-JPN")
        if ev["calls"] and ev["calls"][0]["success"] is want:
            return res, ev
    raise AssertionError("no seed gave that roll")


def test_escalation_against_a_failed_deescalation_is_war(nt):
    """China escalates while Japan's de-escalation call fails: rung 7. Against a call that works: rung 6."""
    st = crisis_state(nt)
    res, ev = _calls(nt, st, {"JPN": "deescalate", "CHN": "escalate"}, False)
    assert ev["rung"] == 7 and "armed conflict" in res.state.ended
    res, ev = _calls(nt, st, {"JPN": "deescalate", "CHN": "escalate"}, True)
    assert ev["rung"] == 6 and res.state.ended is None


def test_deescalation_call_lowers_tension_and_costs_support(nt):
    """A de-escalation call is a d100 roll against 50% (Japan–China has CUES only: no bonus); a success takes
    5 off T and 1 off the caller's D, counted as events."""
    st = crisis_state(nt)
    res, ev = _calls(nt, st, {"JPN": "deescalate"}, True)
    call = ev["calls"][0]
    assert (call["team"], call["chance"], call["roll"] <= 50) == ("JPN", 50, True)
    assert attr(res, "CHN-JPN", "events") == APPROX(-5)
    assert ["JPN", "D", -1, ""] in [list(c) for c in ev["changes"]]


def test_hotline_or_incsea_with_deep_communication_adds_twenty(nt):
    """Japan–Russia in crisis with INCSEA and C 55 (≥ 50): each call succeeds on 70%; with C 40, on 50%."""
    st = crisis_state(nt, "JPN-RUS", T=90.0, C=55.0)
    st.dyads["JPN-RUS"].C = 55.0
    res = next_turn(nt, st, {"JPN": "deescalate", "RUS": "deescalate"})
    assert [c["chance"] for c in event(res, "t2:crisis_outcome:JPN-RUS")["calls"]] == [70, 70]
    st.dyads["JPN-RUS"].C = 40.0
    res = next_turn(nt, st, {"JPN": "deescalate"})
    assert [c["chance"] for c in event(res, "t2:crisis_outcome:JPN-RUS")["calls"]] == [50]


def test_resolve_crisis_is_the_first_phase_of_the_turn(nt):
    """resolve_crisis gives the same events and draws as the first phase of resolve_turn, with the same seed."""
    st = crisis_state(nt)
    choices = {"JPN": "deescalate", "CHN": "escalate"}
    alone = resolve_crisis(nt, st, choices, seed=9)
    full = next_turn(nt, st, choices, seed=9)
    assert alone.events == [e for e in full.events if e["phase"] == "crisis"]
    assert alone.draws == [d for d in full.draws if "crisis_outcome" in d["event"]]
    assert alone.state.turn == st.turn and alone.ended == (full.state.ended if alone.ended else None)


def test_bad_crisis_choices_are_refused(nt):
    st = crisis_state(nt)
    for bad in ({"JPN": "surrender"}, {"XXX": "hold"}, ["JPN"]):
        with pytest.raises(CrisisError):
            next_turn(nt, st, bad)
    assert issubclass(CrisisError, EngineInputError)


def test_crisis_choices_are_logged_and_replayed(nt):
    """The choices are a turn input: in TurnResult.input and the log entry, and replay reproduces them."""
    st = crisis_state(nt)
    res = next_turn(nt, st, {"JPN": "escalate"})
    assert res.log_entry["crisis_choices"] == {"JPN": "escalate"}
    assert replay(nt, [res.log_entry], state=st).to_dict() == res.state.to_dict()


def test_five_way_attribution_adds_up_exactly(nt):
    """A turn with a crisis outcome, scripted injects, buildups, bomber patrols and incidents: every dyad's ΔT
    splits into direct, spillover, incident, events and drift, which add up exactly; injects count as events."""
    st = crisis_state(nt, "JPN-RUS", T=85.0)
    st.turn = 1  # turn 2: NT4 (T +6) fires
    orders = [O("JPN", "M1", "CHN"), O("JPN", "M2"), O("RUS", "M5", "JPN"), O("CHN", "M5", "JPN")]
    res = resolve_turn(nt, st, orders, seed=11, crisis_choices={"JPN": "escalate"})
    for key, parts in res.attribution.items():
        assert set(parts) == {"direct", "spillover", "incident", "events", "drift"}
        assert sum(parts.values()) == APPROX(res.state.dyads[key].T - st.dyads[key].T, abs=1e-9)
    assert attr(res, "JPN-RUS", "events") >= 6 + 10 - 1e-9


@pytest.mark.parametrize("slug", [NT, SO])
def test_incident_rates_match_the_record(slug):
    """A dyad at baseline tension with forces in a shared zone has an incident at most about 0.15 a quarter
    (Japan–China about 0.09), and a quiet game sees one to three incidents in all (median over seeds)."""
    sc = scen(slug)
    st = sc.initial_state()
    chances = {k: incident_chance(sc.params, st, k) for k in contact_dyads(st) if st.dyads[k].IL < 50}
    assert chances and all(0.02 <= c <= 0.15 for c in chances.values())
    assert chances["CHN-JPN"] == APPROX(0.09, abs=0.02)
    counts = []
    for seed in range(40):
        s = sc.initial_state()
        n = 0
        for _ in range(8):
            r = resolve_turn(sc, s, [], seed=seed)
            n += len(kinds(r, "incident"))
            s = r.state
        counts.append(n)
    assert 1 <= statistics.median(counts) <= 3
