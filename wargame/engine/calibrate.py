"""GAME_MODEL §12 calibration: the policies a seminar must see, played over many seeds, measured against
their targets. Pure (no Django, no clock): `manage.py calibrate` prints the report, bench/engine.py times it.

Every policy is repeated every turn for 8 turns with the scenario's injects on; seeds 1..N.

Two orders a team a turn (§4) cannot carry "Buildup + talk" (four moves a team) nor Russia's part of
"Buildup + alignment" (four moves). Those policies keep one buildup move per team and the named measures, as
the §10 tests do, and their targets are judged against a matched control: the same buildup moves without the
measure. Otherwise a row would pass for the buildup moves the measure displaced, not for the measure. Buildup's
own figure is shown beside the control's.

A game that ends early counts at "turn 8" with its final state.
"""
from __future__ import annotations

import dataclasses

import multiprocessing
import statistics
import textwrap
from dataclasses import dataclass, field

from .perception import objectives_status
from .orders import EngineInputError
from .simulate import format_seeds, play, read_policy
from .state import band_index

TURNS = 8
JR = "JPN-RUS"
CJ = "CHN-JPN"


@dataclass(frozen=True)
class CalibrationPolicy:
    key: str
    name: str
    orders: dict  # a simulate policy (JSON-ready; may carry "crisis")
    note: str = ""
    control_for: str = ""  # the policy whose targets this one is the matched control for
    short: str = ""  # column heading in the objectives table


BUILDUP = {"JPN": ["M1:CHN", "M2"], "RUS": ["M1:CHN", "M4"]}
SETTLEMENT = {"argue": "A peace-treaty framework on the basis of the 1956 Joint Declaration", "turns": [TURNS]}

POLICIES = (
    CalibrationPolicy("quiet", "Quiet", {}, short="Quiet"),
    CalibrationPolicy("routine", "Routine", {"CHN": ["M7"], "JPN": ["M9:CHN"]}, short="Routine"),
    CalibrationPolicy("buildup", "Buildup", BUILDUP, short="Buildup"),
    CalibrationPolicy(
        "buildup_talk", "Buildup + talk",
        {"JPN": ["M2", {"order": "D3:RUS", "turns": "odd"}, {"order": "D1:RUS", "turns": "even"}],
         "RUS": ["M1:CHN", {"order": "D3:JPN", "turns": "odd"}, {"order": "D1:JPN", "turns": "even"}]},
        note="two orders a team: keeps JPN M2 and RUS M1:CHN; D3 on odd turns, D1 on even ones", short="+talk"),
    CalibrationPolicy(
        "buildup_align", "Buildup + alignment",
        {"JPN": ["M1:CHN", "M2"], "RUS": ["M8:CHN", "E4:CHN"], "CHN": ["M8:RUS", "E4:RUS"]},
        note="two orders a team: Russia's slots go to M8 and E4, so Russia does not build up", short="+align"),
    CalibrationPolicy(
        "detente", "Détente",
        {"JPN": [{"order": "D5:RUS", "when": "usable"}, "D1:RUS", "E1:RUS", SETTLEMENT],
         "RUS": [{"order": "D5:JPN", "when": "usable"}, "D1:JPN", SETTLEMENT]},
        note="D5 from the turn it is usable, every turn after, and JPN's E1 gives way to it; both argue for a "
             "settlement in turn 8, the turn of the 1956-basis talks (NT10): a treaty needs both to (§9)",
        short="Détente"),
)
CONTROLS = (
    CalibrationPolicy("talk_control", "Buildup + talk's control", {"JPN": ["M2"], "RUS": ["M1:CHN"]},
                      note="the buildup moves Buildup + talk keeps, without the talk", control_for="buildup_talk"),
    CalibrationPolicy("align_control", "Buildup + alignment's control", {"JPN": ["M1:CHN", "M2"]},
                      note="the buildup moves Buildup + alignment keeps, without the alignment",
                      control_for="buildup_align"),
)
ALL_POLICIES = POLICIES + CONTROLS
# A scenario with hidden submarines (`subs:`, the Sea of Okhotsk) also plays these, and its own rows below.
SEA_POLICIES = (
    CalibrationPolicy("quiet_subs", "Quiet with subs", {"RUS": ["S1:okhotsk"], "CHN": ["S2:sea_of_japan"]},
                      note="submarines on patrol, nobody hunts", short="Q+subs"),
    CalibrationPolicy("hunt", "Hunt", {"JPN": ["H1:okhotsk", "M2"], "RUS": ["S1:okhotsk"]},
                      note="an all-out Japanese hunt in the bastion every turn; Russia's SSBN stays there",
                      short="Hunt"),
    CalibrationPolicy("barrier", "Barrier", {"JPN": ["M11:tsugaru"], "CHN": ["M7:tsugaru"]},
                      note="Japan bars Tsugaru every turn; China transits it every turn", short="Barrier"),
)
POLICY_NAMES = {p.key: p.name for p in ALL_POLICIES + SEA_POLICIES}


class NoCalibrationTargets(EngineInputError):
    """The scenario lacks actions the §12 policies order (a short practice game): it has no targets to measure."""


def missing_actions(scenario, policies) -> list:
    """The action keys the policies order that the scenario does not have, sorted."""
    keys = set()
    for p in policies:
        for team, steps in p.orders.items():
            if team in ("crisis", "bots"):
                continue
            for s in steps if isinstance(steps, list) else [steps]:
                step = s.get("order") if isinstance(s, dict) else s
                if isinstance(step, str):
                    keys.add(step.split(":")[0])
    return sorted(k for k in keys if k not in scenario.actions)


def policies_for(scenario) -> tuple:
    """The policies calibrate plays for a scenario: §12's, plus SEA_POLICIES when it has hidden submarines."""
    return ALL_POLICIES + (SEA_POLICIES if scenario.params.subs else ())


@dataclass(slots=True)
class GameSeries:
    """One game's measurements. T, IL and rung hold turn 0 (baseline) to the last turn played."""

    seed: int
    T: dict  # dyad -> tuple of T per turn
    IL: dict
    rung: dict
    incidents: int = 0
    ended: str | None = None  # the engine's reason
    end_kind: str = "limit"  # limit | war | treaty | other | none (still in play)
    parts: dict = field(default_factory=dict)  # ΔT(JPN,RUS) attribution part -> tuple per turn 1..n
    objectives: dict = field(default_factory=dict)  # objective id -> met at the end
    detections: tuple = ()  # detection events per turn 1..n (hidden submarines)
    jr_detection_T: float = 0.0  # T(JPN,RUS) added by detection events (before drift), over the game
    transits: tuple = (0, 0)  # (strait transits that went ahead, transits a barrier turned back)

    @property
    def turns_played(self) -> int:
        return len(next(iter(self.T.values()))) - 1

    @property
    def ended_early(self) -> bool:
        return self.end_kind not in ("limit", "none")


def end_kind(reason, treaty_event=False) -> str:
    if not reason:
        return "none"
    text = reason.lower()
    if treaty_event or "treaty" in text:
        return "treaty"
    if "armed conflict" in text:
        return "war"
    if "turn limit" in text:
        return "limit"
    return "other"


def play_game(scenario, policy, seed, turns=TURNS) -> GameSeries:
    """Play one seeded game of a policy (a Policy, dict or JSON) and keep what the §12 targets read."""
    state = scenario.initial_state()
    keys = sorted(state.dyads)
    T = {k: [state.dyads[k].T] for k in keys}
    IL = {k: [state.dyads[k].IL] for k in keys}
    rung = {k: [state.dyads[k].rung] for k in keys}
    parts = {}
    incidents = 0
    treaty = False
    detections = []
    jr_detection_T = 0.0
    passed = blocked = 0
    for res in play(scenario, policy, turns=turns, seed=seed, state=state):
        found = 0
        state = res.state
        for k in keys:
            d = state.dyads[k]
            T[k].append(d.T)
            IL[k].append(d.IL)
            rung[k].append(d.rung)
        for e in res.events:
            kind = e["kind"]
            if kind == "incident":
                incidents += 1
            elif kind == "treaty" and e.get("agreed"):
                treaty = True
            elif kind == "detection":
                found += 1
                jr_detection_T += sum(c[2] for c in e.get("changes", ()) if c[0] == JR and c[1] == "T")
            elif kind == "transit_blocked":
                blocked += 1
            elif kind == "action" and e.get("action") == "M7":
                passed += 1
        detections.append(found)
        for part, value in (res.attribution.get(JR) or {}).items():
            parts.setdefault(part, []).append(value)
    met = {o.id: ok for team in scenario.team_codes for o, ok in objectives_status(scenario, state, team)}
    return GameSeries(seed, {k: tuple(v) for k, v in T.items()}, {k: tuple(v) for k, v in IL.items()},
                      {k: tuple(v) for k, v in rung.items()}, incidents, state.ended,
                      end_kind(state.ended, treaty), {k: tuple(v) for k, v in parts.items()}, met,
                      tuple(detections), jr_detection_T, (passed, blocked))


# ------------------------------------------------------------------ running many games

_WORKER_SCENARIO = []  # set once per worker process


def _init_worker(scenario):
    _WORKER_SCENARIO[:] = [scenario]


def _play_chunk(job):
    orders, seeds, turns = job
    scenario = _WORKER_SCENARIO[0]
    policy = read_policy(scenario, orders)
    return [play_game(scenario, policy, seed, turns) for seed in seeds]


def run_policies(scenario, policies=None, seeds=range(1, 201), *, turns=TURNS, workers=1) -> dict:
    """{policy key: [GameSeries in seed order]}. The result does not depend on `workers`."""
    policies = policies_for(scenario) if policies is None else policies
    seeds = list(seeds)
    for p in policies:
        read_policy(scenario, p.orders)  # a bad policy fails here, in one line, not in a worker
    size = max(1, -(-len(seeds) // (max(1, workers) * 4)))
    chunks = [seeds[i:i + size] for i in range(0, len(seeds), size)]
    jobs = [(p.orders, chunk, turns) for p in policies for chunk in chunks]
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.Pool(min(workers, len(jobs)), _init_worker, (scenario,)) as pool:
            done = pool.map(_play_chunk, jobs)  # map keeps job order: a deterministic merge
    else:
        _init_worker(scenario)
        done = [_play_chunk(job) for job in jobs]
    out = {p.key: [] for p in policies}
    for (p, _), games in zip(((p, c) for p in policies for c in chunks), done):
        out[p.key].extend(games)
    return out


# ------------------------------------------------------------------ the §12 targets

class Unmeasurable(Exception):
    """The games do not hold what this target needs (yet)."""


def _games(runs, key):
    games = runs.get(key) or []
    if not games:
        raise Unmeasurable(f"no {POLICY_NAMES.get(key, key)} games")
    return games


def _series(g, var, dyad):
    s = getattr(g, var).get(dyad)
    if s is None:
        raise Unmeasurable(f"the scenario has no {dyad} dyad")
    return s


def _final(games, var, dyad):
    return [_series(g, var, dyad)[-1] for g in games]


def _summed(games, part):
    out = []
    for g in games:
        if part not in g.parts:
            raise Unmeasurable(f"the turn results' ΔT attribution has no {part!r} part")
        out.append(sum(g.parts[part]))
    return out


def _median(values):
    return statistics.median(values)


def _pct(x):
    return f"{100 * x:.1f}%"


def _span(turns):
    turns = sorted(turns)
    return f"turn {turns[0]}" if turns[0] == turns[-1] else f"turns {turns[0]}–{turns[-1]}"


def _reasons(games):
    counts = {}
    for g in games:
        counts[g.ended] = counts.get(g.ended, 0) + 1
    return "; ".join(f"{n}× {r}" for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def no_early_end(runs, key):
    games = _games(runs, key)
    early = [g for g in games if g.ended_early]
    text = f"{len(early)} of {len(games)} games end early ({_pct(len(early) / len(games))})"
    if early:
        text += f", {_span(g.turns_played for g in early)}: {_reasons(early)}"
    return text, len(early), not early


def never_above_rung(runs, key, top=5):
    games = _games(runs, key)
    over = {}
    for g in games:
        for dyad, s in g.rung.items():
            if max(s) > top:
                over.setdefault(dyad, []).append(g.seed)
    hit = {seed for seeds in over.values() for seed in seeds}
    highest = max(max(s) for g in games for s in g.rung.values())
    text = f"{len(hit)} of {len(games)} games see a dyad above rung {top} (highest rung {highest})"
    if over:
        text += ": " + ", ".join(f"{d} in {len(s)}" for d, s in sorted(over.items(), key=lambda kv: -len(kv[1])))
    return text, len(hit), not hit


def jr_ends_coexistence(runs, key="quiet", at_least=0.95):
    games = _games(runs, key)
    share = sum(band_index(il) == 1 for il in _final(games, "IL", JR)) / len(games)
    return f"{_pct(share)} of games end in coexistence", share, share >= at_least


def jr_ends_low_rung(runs, key="quiet", top=2, at_least=0.90):
    games = _games(runs, key)
    finals = _final(games, "rung", JR)
    share = sum(r <= top for r in finals) / len(games)
    return f"{_pct(share)} of games end at rung ≤ {top} (median rung {_median(finals):g})", share, share >= at_least


def il_near_baseline(runs, key="quiet", within=10.0):
    games = _games(runs, key)
    shifts = {d: _median(_final(games, "IL", d)) - s[0] for d, s in games[0].IL.items()}
    worst = max(shifts, key=lambda d: (abs(shifts[d]), d))
    outside = sorted((d for d in shifts if abs(shifts[d]) > within), key=lambda d: -abs(shifts[d]))
    text = (f"largest median shift {worst} {shifts[worst]:+.1f} (IL {games[0].IL[worst][0]:g} → "
            f"{_median(_final(games, 'IL', worst)):.1f}); {len(outside)} of {len(shifts)} dyads outside ±{within:g}")
    if outside:
        text += ": " + ", ".join(f"{d} {shifts[d]:+.1f}" for d in outside)
    return text, shifts[worst], not outside


def incidents_per_game(runs, key="quiet", low=1, high=3):
    games = _games(runs, key)
    counts = [g.incidents for g in games]
    m = _median(counts)
    return (f"median {m:g} incidents a game (mean {statistics.fmean(counts):.1f}, range {min(counts)}–{max(counts)})",
            m, low <= m <= high)


def median_final_rung(runs, key, dyad, low=3, high=4):
    games = _games(runs, key)
    finals = _final(games, "rung", dyad)
    m = _median(finals)
    spread = {r: finals.count(r) for r in sorted(set(finals))}
    return (f"median rung {m:g} (" + ", ".join(f"rung {r}: {n}" for r, n in spread.items()) + ")",
            m, low <= m <= high)


def jr_rise_over_quiet(runs, key="buildup", base="quiet", low=15.0, high=40.0):
    t = _median(_final(_games(runs, key), "T", JR))
    q = _median(_final(_games(runs, base), "T", JR))
    return (f"median T(JPN,RUS) {t:.1f} vs {POLICY_NAMES.get(base, base)}'s {q:.1f}: {t - q:+.1f}",
            t - q, low <= t - q <= high)


def no_force(runs, key="buildup"):
    games = _games(runs, key)
    forced = [g for g in games if any(max(s) >= 6 for s in g.rung.values())]
    share = len(forced) / len(games)
    text = f"{_pct(share)} of games reach rung 6–7"
    if forced:
        dyads = sorted({d for g in forced for d, s in g.rung.items() if max(s) >= 6})
        text += " (" + ", ".join(dyads) + ")"
    return text, share, not forced


def spillover_share(runs, key="buildup", at_least=0.5):
    games = _games(runs, key)
    spill = _median(_summed(games, "spillover"))
    rise = _median([_series(g, "T", JR)[-1] - _series(g, "T", JR)[0] for g in games])
    split = ", ".join(f"{p} {_median(_summed(games, p)):+.1f}" for p in sorted(games[0].parts))
    if rise <= 0:
        return f"no rise to attribute: median ΔT(JPN,RUS) {rise:+.1f} ({split})", None, False
    ratio = spill / rise
    return (f"spillover {spill:+.1f} of a rise of {rise:+.1f} (×{ratio:.2f}; medians over the game: {split})",
            ratio, ratio >= at_least)


def _compared(runs, key, control, buildup="buildup"):
    """(median final T(JPN,RUS) of key, of its control, words naming Buildup's too)."""
    t = _median(_final(_games(runs, key), "T", JR))
    c = _median(_final(_games(runs, control), "T", JR))
    b = runs.get(buildup)
    also = f"; Buildup's {_median(_final(b, 'T', JR)):.1f}" if b else ""
    return t, c, also


def jr_talk_lowers_tension(runs, key="buildup_talk", control="talk_control", by=8.0):
    t, c, also = _compared(runs, key, control)
    return (f"median T(JPN,RUS) {t:.1f} vs {c:.1f} without the talk: {t - c:+.1f}{also}", t - c, t <= c - by)


def talk_less_spillover(runs, key="buildup_talk", control="talk_control"):
    """Paired by seed over the turns both games are in play, so a control game cut short by war does not
    look as if it had less spillover."""
    games = _games(runs, key)
    controls = {g.seed: g for g in _games(runs, control)}
    diffs = []
    for g in games:
        c = controls.get(g.seed)
        if c is None:
            continue
        k = min(g.turns_played, c.turns_played)
        if "spillover" not in g.parts or "spillover" not in c.parts:
            raise Unmeasurable("the turn results' ΔT attribution has no 'spillover' part")
        diffs.append(sum(g.parts["spillover"][:k]) - sum(c.parts["spillover"][:k]))
    if not diffs:
        raise Unmeasurable(f"no seed played under both {POLICY_NAMES.get(key)} and its control")
    d = _median(diffs)
    whole = f"{_median(_summed(games, 'spillover')):.1f} vs {_median(_summed(controls.values(), 'spillover')):.1f}"
    return (f"median {d:+.1f} spillover than without the talk, seed by seed over the turns both are in play "
            f"(whole games: {whole})", d, d < 0)


def jr_alignment_raises_tension(runs, key="buildup_align", control="align_control", by=5.0):
    t, c, also = _compared(runs, key, control)
    return (f"median T(JPN,RUS) {t:.1f} vs {c:.1f} without the alignment: {t - c:+.1f}{also}", t - c, t >= c + by)


def jr_reaches_cooperative(runs, key="detente", low=0.30, high=0.80):
    games = _games(runs, key)
    reached = [g for g in games if max(_series(g, "IL", JR)) >= 50]
    share = len(reached) / len(games)
    text = f"{_pct(share)} of games reach cooperative"
    if reached:
        first = sorted(next(i for i, il in enumerate(g.IL[JR]) if il >= 50) for g in reached)
        text += f" (first at turn {first[0]}, median turn {_median(first):g})"
    return text, share, low <= share <= high


def treaty_share(runs, key="detente", at_most=0.10):
    games = _games(runs, key)
    treaties = [g for g in games if g.end_kind == "treaty"]
    share = len(treaties) / len(games)
    text = f"{_pct(share)} of games end in a peace-treaty framework"
    if treaties:
        text += f" ({_span(g.turns_played for g in treaties)})"
    return text, share, share <= at_most


# (policy key, target in words, measure): one row each, in §12's order.
TARGETS = (
    ("quiet", "no game ends early", lambda r: no_early_end(r, "quiet")),
    ("quiet", "no dyad ever passes rung 5", lambda r: never_above_rung(r, "quiet")),
    ("quiet", "JPN–RUS ends in coexistence in ≥ 95%", jr_ends_coexistence),
    ("quiet", "JPN–RUS ends at rung ≤ 2 in ≥ 90%", jr_ends_low_rung),
    ("quiet", "every dyad's median IL at turn 8 within ±10 of its baseline", il_near_baseline),
    ("quiet", "1–3 incidents per game in all (median)", incidents_per_game),
    ("routine", "no game ends early", lambda r: no_early_end(r, "routine")),
    ("routine", "CHN–JPN median rung at turn 8 is 3 or 4", lambda r: median_final_rung(r, "routine", CJ)),
    ("buildup", "median T(JPN,RUS) at turn 8 is 15–40 above Quiet's", jr_rise_over_quiet),
    ("buildup", "median JPN–RUS rung at turn 8 is 3 or 4", lambda r: median_final_rung(r, "buildup", JR)),
    ("buildup", "rung 6–7 in 0% (no one chose force)", no_force),
    ("buildup", "spillover is at least half of the rise in T(JPN,RUS)", spillover_share),
    ("buildup_talk", "median T(JPN,RUS) at turn 8 at least 8 below Buildup's (judged against the same buildup "
                     "moves without the talk)", jr_talk_lowers_tension),
    ("buildup_talk", "smaller summed spillover (than the same buildup moves without the talk)",
     talk_less_spillover),
    ("buildup_align", "median T(JPN,RUS) at turn 8 at least 5 above Buildup's (judged against the same buildup "
                      "moves without the alignment)", jr_alignment_raises_tension),
    ("detente", "JPN–RUS reaches cooperative by turn 8 in 30–80%", jr_reaches_cooperative),
    ("detente", "a peace-treaty framework in ≤ 10%", treaty_share),
)


def _turn_share(games, pred):
    turns = [n for g in games for n in g.detections]
    if not turns:
        raise Unmeasurable("no turns played")
    return sum(1 for n in turns if pred(n)) / len(turns), len(turns)


def quiet_few_detections(runs, key="quiet_subs", at_least=0.8):
    share, n = _turn_share(_games(runs, key), lambda x: x == 0)
    return f"{_pct(share)} of {n} turns see no detection", share, share >= at_least


def hunt_sometimes_finds(runs, key="hunt", low=0.2, high=0.8):
    games = _games(runs, key)
    share, n = _turn_share(games, lambda x: x > 0)
    per_game = [sum(g.detections) for g in games]
    return (f"a detection in {_pct(share)} of {n} turns (median {_median(per_game):g} a game, range "
            f"{min(per_game)}–{max(per_game)})", share, low <= share <= high)


def hunt_raises_jr_by_events(runs, key="hunt", base="quiet_subs", by=2.0):
    games = _games(runs, key)
    ev = _median(_summed(games, "events"))
    q = _median(_summed(_games(runs, base), "events"))
    named = _median([g.jr_detection_T for g in games])
    t = _median(_final(games, "T", JR))
    tq = _median(_final(_games(runs, base), "T", JR))
    return (f"events part of ΔT(JPN,RUS) {ev:+.1f} vs {POLICY_NAMES[base]}'s {q:+.1f} (median over the game); "
            f"detection events add a median {named:+.1f}; final T {t:.1f} vs {tq:.1f}",
            ev - q, ev - q >= by and named > 0)


def barrier_sometimes_blocks(runs, key="barrier", low=0.1, high=0.9):
    games = _games(runs, key)
    passed = sum(g.transits[0] for g in games)
    blocked = sum(g.transits[1] for g in games)
    if not passed + blocked:
        raise Unmeasurable("no transit through a barred strait")
    share = blocked / (passed + blocked)
    return (f"{blocked} of {passed + blocked} transits blocked ({_pct(share)})", share, low <= share <= high)


SEA_TARGETS = (
    ("quiet_subs", "no submarine is detected in most turns (≥ 80% of turns)", quiet_few_detections),
    ("hunt", "Russia's SSBN is found in some turns and not others (20–80% of turns)", hunt_sometimes_finds),
    ("hunt", "T(JPN,RUS) rises through events (≥ +2 over Quiet with subs), named by detection events",
     hunt_raises_jr_by_events),
    ("barrier", "a barrier turns back some transits and not others (10–90%)", barrier_sometimes_blocks),
)


def measure(runs) -> list:
    """One row per §12 target: {"policy", "target", "measured", "value", "passed"}. A target whose data the
    games do not hold says so and fails. The sea rows (SEA_TARGETS) are measured when their policies ran."""
    rows = []
    targets = TARGETS + tuple(t for t in SEA_TARGETS if t[0] in runs)
    for key, words, fn in targets:
        try:
            measured, value, passed = fn(runs)
        except Unmeasurable as e:
            measured, value, passed = f"cannot be measured yet: {e}", None, False
        rows.append({"policy": POLICY_NAMES[key], "target": words, "measured": measured,
                     "value": None if value is None else round(value, 4), "passed": bool(passed)})
    return rows


def objective_shares(scenario, runs, policies=POLICIES) -> list:
    """[{"team", "id", "text", "met": {policy key: share of games met at the end}}] for every team objective."""
    out = []
    for team in scenario.team_codes:
        for o in scenario.team(team).objectives:
            met = {}
            for p in policies:
                games = runs.get(p.key) or []
                met[p.key] = round(sum(g.objectives.get(o.id, False) for g in games) / len(games), 4) if games \
                    else None
            out.append({"team": team, "id": o.id, "text": o.text, "met": met})
    return out


def with_bots(policies, bots) -> tuple:
    """Each policy with some teams handed to bots by policy name ({"CHN": "hawk"}): a bot team's steps give way
    to its bot. A what-if: the §12 targets were written for the policies as they stand."""
    if not bots:
        return tuple(policies)
    return tuple(dataclasses.replace(p, orders={**{t: v for t, v in p.orders.items() if t not in bots},
                                                "bots": dict(bots)}) for p in policies)


def calibrate(scenario, seeds=200, *, turns=TURNS, workers=1, policies=None, bots=None) -> dict:
    """The §12 report of a scenario. seeds: a count (seeds 1..N) or a list of seeds. policies: default
    policies_for(scenario) (the sea policies only for a scenario with hidden submarines). bots: teams handed
    to bots in every policy ({"CHN": "hawk"}; see with_bots)."""
    policies = with_bots(policies_for(scenario) if policies is None else policies, bots)
    missing = missing_actions(scenario, policies)
    if missing:
        raise NoCalibrationTargets(
            f"{scenario.slug}: no calibration targets for this scenario: the GAME_MODEL §12 policies order "
            f"actions it does not have ({', '.join(missing)}). Calibration measures the full scenarios; use "
            f"`manage.py simulate --scenario {scenario.slug}` to look at this one.")
    seeds = list(range(1, seeds + 1)) if isinstance(seeds, int) else list(seeds)
    runs = run_policies(scenario, policies, seeds, turns=turns, workers=workers)
    rows = measure(runs)
    played = [p for p in policies if not p.control_for]
    return {
        "scenario": scenario.slug,
        "seeds": format_seeds(seeds),
        "turns": turns,
        "policies": [{"key": p.key, "name": p.name, "short": p.short or p.name, "orders": p.orders,
                      "crisis": dict(read_policy(scenario, p.orders).crisis), "note": p.note,
                      "control_for": p.control_for, "games": len(runs[p.key]),
                      "turns_played": sum(g.turns_played for g in runs[p.key]),
                      "ends": _end_counts(runs[p.key])} for p in policies],
        "targets": rows,
        "passed": sum(r["passed"] for r in rows),
        "total": len(rows),
        "objectives": objective_shares(scenario, runs, played),
    }


def _end_counts(games) -> dict:
    out = {}
    for g in games:
        out[g.end_kind] = out.get(g.end_kind, 0) + 1
    return dict(sorted(out.items()))


# ------------------------------------------------------------------ the readable report

def _orders_text(orders) -> str:
    teams = []
    for team, steps in orders.items():
        if team in ("crisis", "bots"):
            continue
        bits = []
        for s in steps if isinstance(steps, list) else [steps]:
            if isinstance(s, dict) and "argue" in s:
                bits.append(f"argued \"{s['argue'][:30]}…\" (turns {s.get('turns', 'every')})")
            elif isinstance(s, dict):
                extra = [w for w in (s.get("when") if s.get("when") not in (None, "always") else None,
                                     s.get("turns") if s.get("turns") not in (None, "every") else None) if w]
                bits.append(s["order"] + (" (" + ", ".join(map(str, extra)) + ")" if extra else ""))
            else:
                bits.append(s)
        teams.append(f"{team} " + " + ".join(bits))
    if orders.get("bots"):
        teams.append("bots " + ", ".join(f"{t} {c}" for t, c in orders["bots"].items()))
    if orders.get("crisis"):
        teams.append("crisis " + ", ".join(f"{t} {c}" for t, c in orders["crisis"].items()))
    return "; ".join(teams) or "no orders"


def _cells(row, widths):
    wrapped = [textwrap.wrap(str(c), w) or [""] for c, w in zip(row, widths)]
    height = max(len(c) for c in wrapped)
    lines = []
    for i in range(height):
        lines.append("  ".join((c[i] if i < len(c) else "").ljust(w) for c, w in zip(wrapped, widths)).rstrip())
    return lines


def format_report(report: dict, footer: str = "") -> str:
    """The report as text: policies, one row per target, the objectives table, then "N of M targets pass"."""
    lines = [f"Calibration of {report['scenario']} against GAME_MODEL §12: seeds {report['seeds']}, "
             f"{report['turns']} turns, injects on", ""]
    lines.append("Policies (orders every turn):")
    for p in report["policies"]:
        ends = ", ".join(f"{k} {n}" for k, n in p["ends"].items())
        lines.append(f"  {p['name']}: {_orders_text(p['orders'])}  [{p['games']} games; ends: {ends}]")
        if p["note"]:
            lines.append(f"      {p['note']}")
    lines.append("")
    widths = (20, 44, 70, 6)
    lines.extend(_cells(("Policy", "Target", "Measured", "Result"), widths))
    lines.append("  ".join("-" * w for w in widths))
    for r in report["targets"]:
        lines.extend(_cells((r["policy"], r["target"], r["measured"], "PASS" if r["passed"] else "FAIL"), widths))
    lines.append("")
    keys = [p["key"] for p in report["policies"] if not p["control_for"]]
    names = {p["key"]: p["short"] for p in report["policies"]}
    lines.append("Objectives met at the end (share of games):")
    head = f"  {'objective':<60}" + "".join(f"{names[k][:10]:>11}" for k in keys)
    lines.append(head)
    for o in report["objectives"]:
        label = f"{o['id']} {o['text'].split('. ')[0].rstrip('.')}"
        label = label if len(label) <= 60 else label[:59] + "…"
        lines.append(f"  {label:<60}" + "".join(
            f"{'—' if o['met'][k] is None else f'{100 * o['met'][k]:.0f}%':>11}" for k in keys))
    lines.append("")
    if footer:
        lines.append(footer)
    lines.append(f"{report['passed']} of {report['total']} targets pass")
    return "\n".join(lines)
