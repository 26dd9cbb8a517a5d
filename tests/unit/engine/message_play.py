"""Seeded random play that reaches every kind of event and refusal: random (also invalid) order mixes, argued
actions in every mode, crisis choices, ad-hoc and fired/skipped injects, White's overrides, forced tension and
low support. Uses only the engine's public API, so it also runs against an older engine (for comparisons)."""
import random

from wargame.engine import (ARGUED_MODES, ArguedOrder, InjectInput, Order, Override, available_actions,
                            bot_orders, check_orders, crisis_dyads, resolve_turn)
from wargame.scenarios import load_scenario

SCENARIOS = ("northern-territories", "sea-of-okhotsk", "practice")


def _random_orders(rng, sc, st, team):
    keys = sorted(sc.actions)
    codes = sorted(sc.params.actors)
    zones = sorted(sc.params.zones)
    orders = []
    style = rng.random()
    if style < 0.35:
        orders += bot_orders(sc, st, team, rng.choice(["hawk", "dove", "status_quo"]), seed=rng.randrange(99))
    n = rng.choice([0, 1, 1, 2, 2, 2, 3])
    for _ in range(n):
        key = rng.choice(keys + ["ZZ9"] if rng.random() < 0.05 else keys)
        spec = sc.actions.get(key)
        pool = [None] + codes + (list(spec.zones) if spec is not None and spec.zones else []) + zones[:2]
        if spec is not None and rng.random() < 0.7:
            allowed = list(spec.zones or spec.allowed_targets(team) or [None])
            pool = allowed
        third = rng.choice([None, None, None, rng.choice(codes), "XXX"])
        orders.append(Order(team, key, rng.choice(pool), third))
    if rng.random() < 0.03:
        orders.append(Order("XXX", rng.choice(keys)))
    return orders


def _argued(rng, sc, team, mode):
    keys = sorted(sc.actions)
    return ArguedOrder(team=team, text=rng.choice(["We propose joint fisheries talks", "A show of resolve"]),
                       intended="calm", reasons=("one", "two")[: rng.randint(0, 2)],
                       nearest_action=rng.choice([None] + keys), probability=rng.choice([None, 0, 35, 80, 100]),
                       cards=tuple((c, rng.choice([10, 50, 90, 100])) for c in sc.team_codes[: rng.randint(0, 3)]),
                       accepted_reasons=rng.randint(0, 3), accepted_counters=rng.randint(0, 2))


def play(slug, seed, turns=8):
    """Yield (kind, payload): ("result", TurnResult) for each resolved turn and ("refusal", Refusal) for every
    reason check_orders / available_actions gives."""
    rng = random.Random(f"{slug}:{seed}")
    sc = load_scenario(slug)
    st = sc.initial_state()
    if rng.random() < 0.4:  # tense start: crises, high tension, incidents
        for d in st.dyads.values():
            d.T = rng.choice([d.T, 70, 85, 95])
    if rng.random() < 0.3:
        for a in st.actors.values():
            if "D" in a.vars and rng.random() < 0.5:
                a.vars["D"] = 20.0
    inject_ids = [i.id for i in sc.injects]
    for t in range(turns):
        if st.ended:
            break
        orders = []
        for team in sc.team_codes:
            orders += _random_orders(rng, sc, st, team)
            for reason in check_orders(sc, st, team, orders):
                yield "refusal", reason
        for team in sc.team_codes:
            for _, _, reason in available_actions(sc, st, team):
                if reason:
                    yield "refusal", reason
        mode = rng.choice(ARGUED_MODES)
        for team in sc.team_codes:
            if rng.random() < 0.3:
                orders.append(_argued(rng, sc, team, mode))
        if rng.random() < 0.05:  # a duplicate argued action
            orders.append(_argued(rng, sc, sc.team_codes[0], mode))
            orders.append(_argued(rng, sc, sc.team_codes[0], mode))
        choices = {}
        for key in crisis_dyads(st):
            for team in key.split("-"):
                if team in sc.team_codes:
                    choices[team] = rng.choice(["deescalate", "hold", "escalate", "deescalate"])
        injects = []
        if rng.random() < 0.3:
            codes = sorted(sc.team_codes)
            title, text = rng.choice([("Storm", "A typhoon delays everything."), ("", "Fog."), ("Rumour", ""),
                                      ("Leak", "")])
            injects.append(InjectInput(id=f"adhoc{t}", title=title, text=text,
                                       audience=rng.choice(["all", tuple(codes[:2])]),
                                       effects=({"var": "T", "dyad": codes[:2], "delta": 3},)))
        skip = frozenset(i for i in inject_ids if rng.random() < 0.15)
        fire_now = frozenset(i for i in inject_ids if rng.random() < 0.05) - skip
        kw = dict(seed=seed * 100 + t, injects=tuple(injects), skip_injects=skip, fire_now=fire_now,
                  argued_mode=mode, turn_limit=rng.choice([None, None, t + 1, 12]), crisis_choices=choices)
        res = resolve_turn(sc, st, orders, **kw)
        if rng.random() < 0.35:  # White overrides an event with effects, then the turn re-runs
            with_changes = [e for e in res.events if e.get("changes") and ":" in e["id"] and e["kind"] != "override"
                            and e["kind"] != "crisis_outcome"]
            if with_changes:
                target = rng.choice(with_changes)["id"]
                codes = sorted(sc.team_codes)
                override = rng.choice([
                    Override(target, "scale", rng.choice([0.5, 1.5]), rng.choice(["Realism", "Pace"]),
                             rng.choice(["", "too strong"])),
                    Override(target, "replace", ({"var": "T", "dyad": codes[:2], "delta": 2},), "Pedagogy"),
                ])
                res = resolve_turn(sc, st, orders, overrides=(override,), **kw)
        yield "result", res
        st = res.state
