"""Every event and refusal the engine gives carries a message (messages.py) whose English rendering is exactly
its text, so the app can translate what the engine says without ever matching English."""
import json
from functools import lru_cache

import pytest

from wargame.engine import GameOverError, Refusal, resolve_crisis, resolve_turn
from wargame.engine.messages import MESSAGES, action_names, fields, is_msg, msg, render
from wargame.scenarios import load_scenario, scenario_slugs

from .message_play import SCENARIOS, play

SEEDS = 40  # × 8 turns × each scenario: a few hundred turns in all


def _slugs():
    known = set(scenario_slugs())
    return [s for s in SCENARIOS if s in known]


@lru_cache(maxsize=None)
def _played():
    """(events, refusals, ended texts with their end events) over every seeded game."""
    events, refusals = [], []
    for slug in _slugs():
        names = action_names(load_scenario(slug))
        for seed in range(SEEDS):
            for kind, x in play(slug, seed):
                if kind == "result":
                    events += [(names, e) for e in x.events]
                else:
                    refusals.append((names, x))
    return events, refusals


def _ids(message, out):
    """Every message id in a message, nested ones included."""
    out.add(message[0])
    for value in message[1].values():
        if is_msg(value):
            _ids(value, out)
        elif isinstance(value, list):
            for v in value:
                if is_msg(v):
                    _ids(v, out)
    return out


def _json_safe(message):
    assert json.loads(json.dumps(message)) == message  # lists and plain values only: survives storage


def test_every_event_has_a_message_that_renders_to_its_text():
    events, _ = _played()
    assert len(events) > 5000
    for names, e in events:
        assert "msg" in e, e
        assert e["msg"][0] in MESSAGES and e["msg"][0] != "raw", e
        _json_safe(e["msg"])
        assert render(e["msg"], names) == e["text"], e
        if "headline_msg" in e:
            assert render(e["headline_msg"], names) == e["headline"]


def test_every_refusal_has_a_message_that_renders_to_its_text():
    _, refusals = _played()
    assert len(refusals) > 500
    for names, reason in refusals:
        assert isinstance(reason, Refusal)
        assert reason.msg[0] in MESSAGES and reason.msg[0] != "raw", reason
        _json_safe(reason.msg)
        assert render(reason.msg, names) == str(reason)


def test_the_play_reaches_most_of_the_catalogue():
    """The random play is wide: it meets every event kind the catalogue is for, bar the rare ones listed."""
    events, refusals = _played()
    seen = set()
    for _, e in events:
        _ids(e["msg"], seen)
        if "headline_msg" in e:
            _ids(e["headline_msg"], seen)
    for _, r in refusals:
        _ids(r.msg, seen)
    rare = {"action_joint", "and", "band_change", "band_coexistence", "band_convergence", "band_cooperative",
            "band_power_political", "crisis_opened_helped", "detection_trail", "ending_scenario", "ending_treaty",
            "found_by", "game_over", "ice", "ice_closed", "note_unobserved", "opposed_tie", "other_did_not_order",
            "raw", "transit_blocked", "transit_passed", "transit_unseen", "treaty", "treaty_roll_fails",
            "treaty_roll_holds", "unknown_team"}
    missing = set(MESSAGES) - seen - rare
    assert not missing, f"never produced: {sorted(missing)}"
    assert len(seen) >= 45


def test_templates_use_only_named_fields():
    for msg_id, template in MESSAGES.items():
        for name, spec in fields(template):
            assert name and name.isidentifier(), (msg_id, name)
            assert spec in ("", ".0f", ".1f", "g", "+g"), (msg_id, spec)


def test_unknown_message_id_is_refused():
    with pytest.raises(KeyError):
        msg("no_such_message")


def test_nested_messages_and_lists_render():
    m = msg("crisis_outcome_calls", a="CHN", b="JPN", choice_a=msg("choice_deescalate"),
            choice_b=msg("choice_hold"), rung=4,
            calls=msg("semicolon", a=msg("call_works", team="CHN"), b=msg("call_fails", team="JPN")))
    assert render(m) == ("Crisis sub-turn CHN–JPN: CHN de-escalates, JPN holds; CHN's call works; "
                         "JPN's call fails — rung 4")
    assert render(msg("transit_seen", team="CHN", zone="soya", seen_by=["JPN", "RUS"])) == \
        "CHN's transit of soya is seen by JPN, RUS"


def test_game_end_message_names_the_ending():
    sc = load_scenario("northern-territories")
    res = resolve_turn(sc, sc.initial_state(), [], seed=1, turn_limit=1)
    end = next(e for e in res.events if e["kind"] == "end")
    assert end["msg"] == ["game_end", {"reason": ["ending_turn_limit", {"turns": 1}]}]
    assert res.state.ended == "turn limit reached (1 turns)"
    with pytest.raises(GameOverError) as info:
        resolve_turn(sc, res.state, [], seed=1)
    assert info.value.msg == ["game_over", {"reason": res.state.ended}]


def test_armed_conflict_in_the_crisis_sub_turn_gives_its_ending_message():
    sc = load_scenario("northern-territories")
    st = sc.initial_state()
    st.dyads["JPN-RUS"].rung = 5
    st.crisis = ("JPN-RUS",)
    out = resolve_crisis(sc, st, {"JPN": "escalate", "RUS": "escalate"}, seed=3)
    outcome = next(e for e in out.events if e["kind"] == "crisis_outcome")
    assert outcome["ending_msg"][0] == "ending_armed_conflict"
    assert render(outcome["ending_msg"]) == out.ended
    res = resolve_turn(sc, st, [], seed=3, crisis_choices={"JPN": "escalate", "RUS": "escalate"})
    end = next(e for e in res.events if e["kind"] == "end")
    assert end["msg"][1]["reason"][0] == "ending_armed_conflict"
    assert end["text"] == f"The game ends: {res.state.ended}"


def test_messages_are_deterministic():
    sc = load_scenario("sea-of-okhotsk")
    a = resolve_turn(sc, sc.initial_state(), [], seed=9)
    b = resolve_turn(sc, sc.initial_state(), [], seed=9)
    assert json.dumps(a.events) == json.dumps(b.events)
