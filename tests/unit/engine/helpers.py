"""Shared helpers for the engine rule table: run one turn against a no-order control."""
from wargame.engine import Order, resolve_turn
from wargame.scenarios import load_scenario

NT = "northern-territories"
SO = "sea-of-okhotsk"


def scen(slug=NT):
    return load_scenario(slug)


def calm(sc, *, unlock=(), presence=False):
    """Baseline state; by default without task groups at sea, so no incident muddies a rule test."""
    st = sc.initial_state()
    if not presence:
        st.presence = {z: {} for z in st.presence}
    if unlock:
        st.unlocked = st.unlocked | frozenset(unlock)
    return st


def all_inject_ids(sc):
    return frozenset(i.id for i in sc.injects)


def turn(sc, st, orders, *, seed=3, injects_on=False, **kw):
    """(result, control): the same turn with and without the orders. Injects are held back unless asked."""
    if not injects_on:
        kw.setdefault("skip_injects", all_inject_ids(sc))
    res = resolve_turn(sc, st, orders, seed=seed, **kw)
    ctrl = resolve_turn(sc, st, [], seed=seed, **kw)
    return res, ctrl


def dvar(res, ctrl, code, var):
    return res.state.actors[code].vars[var] - ctrl.state.actors[code].vars[var]


def ddy(res, ctrl, key, var):
    return getattr(res.state.dyads[key], var) - getattr(ctrl.state.dyads[key], var)


def attr(res, key, part):
    return res.attribution[key][part]


def kinds(res, kind):
    return [e for e in res.events if e["kind"] == kind]


def event(res, eid):
    for e in res.events:
        if e["id"] == eid:
            return e
    raise AssertionError(f"no event {eid}: {[e['id'] for e in res.events]}")


def O(team, action, target=None, third=None):
    return Order(team, action, target, third)
