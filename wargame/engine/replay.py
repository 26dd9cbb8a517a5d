"""Replay: the exercise is an event log; replaying it reproduces every state exactly.

A log is a list of dicts. Entries with kind "turn" are `TurnResult.log_entry` records (inputs plus
every draw); other kinds (messages, publications) are ignored. Forking at turn N is a replay of
the first N entries followed by edited ones.
"""
from __future__ import annotations

from .orders import EngineInputError, InjectInput, Override, order_from_dict
from .resolve import resolve_turn


class ReplayError(EngineInputError):
    """The log does not reproduce: a draw or turn number differs from what was recorded."""


def turn_kwargs(entry: dict) -> dict:
    """resolve_turn arguments (besides scenario and state) from a log entry."""
    return {
        "orders": [order_from_dict(o) for o in entry.get("orders", ())],
        "seed": entry["seed"],
        "injects": tuple(InjectInput(id=i["id"], title=i["title"], text=i["text"],
                                     audience=i["audience"] if i["audience"] == "all" else tuple(i["audience"]),
                                     effects=tuple(i.get("effects", ())), decision=i.get("decision", ""))
                         for i in entry.get("injects", ())),
        "overrides": tuple(Override(event_id=o["event_id"], kind=o["kind"], value=o.get("value"),
                                    reason=o.get("reason", "Error"), note=o.get("note", ""), draw=o.get("draw"))
                           for o in entry.get("overrides", ())),
        "skip_injects": frozenset(entry.get("skip_injects", ())),
        "fire_now": frozenset(entry.get("fire_now", ())),
        "argued_mode": entry.get("argued_mode"),
        "turn_limit": entry.get("turn_limit"),
        "crisis_choices": dict(entry.get("crisis_choices") or {}),
    }


def replay_results(scenario, log, *, state=None, verify=True) -> list:
    """Re-resolve every turn of the log; returns the TurnResults. Raises ReplayError on divergence."""
    st = state if state is not None else scenario.initial_state()
    out = []
    for n, entry in enumerate(e for e in log if e.get("kind", "turn") == "turn"):
        if entry.get("turn") is not None and entry["turn"] != st.turn + 1:
            raise ReplayError(f"log entry {n} is for turn {entry['turn']}, but the state is at turn {st.turn}")
        kw = turn_kwargs(entry)
        orders = kw.pop("orders")
        res = resolve_turn(scenario, st, orders, **kw)
        if verify and "draws" in entry:
            rec = [(d["event"], d["k"], list(d["result"])) for d in entry["draws"]]
            got = [(d["event"], d["k"], list(d["result"])) for d in res.draws]
            if rec != got:
                first = next((i for i, (a, b) in enumerate(zip(rec, got)) if a != b), min(len(rec), len(got)))
                raise ReplayError(f"turn {res.state.turn}: draw {first} differs from the log "
                                  f"(recorded {rec[first] if first < len(rec) else None}, got "
                                  f"{got[first] if first < len(got) else None})")
        out.append(res)
        st = res.state
    return out


def replay(scenario, log, *, state=None, verify=True):
    """The GameState reached by replaying the log from `state` (default: the scenario baseline)."""
    res = replay_results(scenario, log, state=state, verify=verify)
    if res:
        return res[-1].state
    return state if state is not None else scenario.initial_state()
