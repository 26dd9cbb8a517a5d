"""Scenario specification objects (built by wargame.scenarios.loader from YAML).

All numbers live in `Scenario.rules` (the validated YAML dict); `Params` caches the
ones the engine reads on every turn.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .state import ActorState, DyadState, GameState, RUNG_THRESHOLDS, dyad_key, tension_rung

CATEGORIES = ("military", "diplomatic", "economic", "information")
# Resolution sequence (§4.5): diplomatic/information, economic, military, argued, incidents.
PHASES = ("diplomatic", "economic", "military")
PHASE_OF_CATEGORY = {"diplomatic": "diplomatic", "information": "diplomatic",
                     "economic": "economic", "military": "military"}
ZONES = ("okhotsk", "kurils_south", "kurils_north", "soya", "tsugaru", "sea_of_japan",
         "korea_strait", "east_china_sea", "nw_pacific", "okhotsk_north")
TEAM_CODES = ("JPN", "RUS", "CHN", "USA", "KOR")
ACTION_KEYS = tuple([f"M{i}" for i in range(1, 14)] + [f"D{i}" for i in range(1, 10)]
                    + [f"E{i}" for i in range(1, 6)] + [f"I{i}" for i in range(1, 4)])
# Actions only some scenarios have (Sea of Okhotsk): S1/S2 hidden submarine placements, H1 an ASW hunt.
OPTIONAL_ACTION_KEYS = ("S1", "S2", "H1")


@dataclass(frozen=True, eq=False)
class ObjectiveSpec:
    id: str
    text: str
    team: str = ""
    cond: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True, eq=False)
class TeamSpec:
    code: str
    name: str
    cell: str
    colour: str
    played_by_default: bool
    public_briefing: str
    private_briefing: str
    objectives: tuple = ()


@dataclass(frozen=True, eq=False)
class ActionSpec:
    key: str
    name: str
    category: str
    cost: int
    rung: int
    who: tuple
    bilateral: bool
    needs_target: bool
    argued: bool = False
    effects_text: str = ""
    prereq_text: str = ""
    help: str = ""
    locked_until_unlocked: bool = False
    targets: dict = field(default_factory=dict, repr=False)  # team -> tuple of allowed targets ('' = none)
    zones: tuple = ()  # allowed zone targets (M7)
    default_zone: str = ""
    prereq: dict | None = field(default=None, repr=False)
    effects: tuple = field(default=(), repr=False)
    joint: dict | None = field(default=None, repr=False)
    island: bool = False
    hidden: bool = False  # a secret order: its event goes to the ordering team only (submarine placement)
    surface: bool = False  # surface ships: refused in a zone the ice closes (ICE)

    @property
    def phase(self) -> str:
        return PHASE_OF_CATEGORY[self.category]

    def allowed_targets(self, team: str) -> tuple:
        return self.targets.get(team, ())


@dataclass(frozen=True, eq=False)
class InjectSpec:
    id: str
    title: str
    text: str
    audience: object  # 'all' or tuple of codes
    trigger_text: str
    trigger: dict = field(default_factory=dict, repr=False)
    effects: tuple = field(default=(), repr=False)
    decision: str = ""
    unless: dict | None = field(default=None, repr=False)
    name: str = ""


class Params:
    """Numbers read every turn, pulled out of the rules dict once."""

    __slots__ = ("actors", "teams", "core", "ranges", "baseline", "income", "omega", "omega_from",
                 "align", "drift_k", "drift_c0", "il_k", "il_ct", "il_cap", "comm_k", "base_T0", "base_IL0",
                 "tension_cap", "parallel_g", "island_factor",
                 "d_rev", "rp_cap_mult", "rp_penalties", "grievance", "spill_side", "rungs",
                 "inc", "adj", "crisis", "triggers", "end", "opposed", "zones", "pairs", "cache",
                 "subs", "straits", "ice")

    def __init__(self, rules: dict):
        actors = rules["actors"]
        self.actors = tuple(actors)
        self.teams = tuple(c for c, a in actors.items() if a.get("team", True))
        self.core = tuple(rules.get("core", ("JPN", "RUS", "CHN")))
        self.ranges = {k: tuple(v) for k, v in rules.get("ranges", {}).items()}
        self.baseline = {c: dict(a["vars"]) for c, a in actors.items()}
        self.income = {c: int(a.get("rp", 0)) for c, a in actors.items()}
        self.omega = {}
        self.omega_from = {}
        for k, w in rules.get("omega", {}).items():
            a, o = k.split(">")
            self.omega[(a, o)] = float(w)
            if w:
                self.omega_from.setdefault(a, []).append((o, float(w)))
        # m_align terms per (A, O): ((term name, dyad key, k), ...); a bare {dyad, k} is one "alignment" term
        self.align = {}
        for k, v in rules.get("alignment", {}).items():
            a, o = k.split(">")
            terms = {"alignment": v} if "dyad" in v else v
            self.align[(a, o)] = tuple((name, dyad_key(*t["dyad"].split("-")), float(t["k"]))
                                       for name, t in sorted(terms.items()))
        dyn = rules.get("dynamics", {})
        self.drift_k = float(dyn.get("drift_k", 0.15))
        self.drift_c0 = float(dyn.get("drift_c_base", 0.5))
        self.il_k = float(dyn.get("il_k", 0.1))
        self.il_ct = float(dyn.get("il_ct_k", 0.05))
        self.il_cap = float(dyn.get("il_cap", 3))
        self.comm_k = float(dyn.get("comm_k", 0.5))
        self.parallel_g = float(dyn.get("parallel_track_grievance_factor", 0.5))
        self.island_factor = float(dyn.get("parallel_track_island_factor", 0.5))
        self.d_rev = float(dyn.get("d_reversion", 0.0))
        self.rp_cap_mult = float(dyn.get("rp_carry_cap_mult", 2))
        self.rp_penalties = list(dyn.get("rp_penalties", ()))
        self.grievance = {k: float(v.get("g", 0)) for k, v in rules["dyads"].items()}
        self.base_T0 = {dyad_key(*k.split("-")): float(v.get("T0", v["T"])) for k, v in rules["dyads"].items()}
        self.base_IL0 = {dyad_key(*k.split("-")): float(v.get("IL0", v["IL"])) for k, v in rules["dyads"].items()}
        self.spill_side = list(rules.get("spillover_side_effects", ()))
        self.rungs = tuple(rules.get("rung_thresholds", RUNG_THRESHOLDS))
        self.inc = rules.get("incidents", {})
        self.adj = rules.get("adjudication", {})
        self.crisis = rules.get("crisis", {})
        self.tension_cap = int(self.crisis.get("tension_cap", 5))
        self.triggers = rules.get("triggers", {})
        self.end = rules.get("end", {})
        self.opposed = list(rules.get("opposed", ()))
        self.zones = tuple(rules.get("zones", ZONES))
        self.subs = rules.get("subs") or {}  # hidden submarines: quieting, detection, effects, start
        self.straits = tuple(rules.get("straits") or ())
        self.ice = rules.get("ice") or {}
        acts = self.actors
        self.pairs = tuple(dyad_key(a, b) for i, a in enumerate(acts) for b in acts[i + 1:])
        self.cache = {}  # pure lookups memoised per scenario (static order checks)

    def range(self, var: str) -> tuple:
        return self.ranges.get(var, (0.0, 100.0))


@dataclass(frozen=True, eq=False)
class Scenario:
    slug: str
    title: str
    summary: str
    start_year: int
    start_quarter: int
    turns: int
    teams: tuple
    public_briefing: str
    actions: dict
    injects: tuple
    sources: tuple = ()
    source_refs: dict = field(default_factory=dict, repr=False)  # source id -> citation text
    objectives: tuple = ()
    rules: dict = field(default_factory=dict, repr=False)
    params: Params | None = field(default=None, repr=False)
    source_file: str = ""
    pack: dict = field(default_factory=dict, repr=False)  # the facilitator's pack prose (text file `pack:`)

    def team(self, code: str) -> TeamSpec:
        for t in self.teams:
            if t.code == code:
                return t
        raise KeyError(code)

    @property
    def team_codes(self) -> tuple:
        return tuple(t.code for t in self.teams)

    @property
    def actor_codes(self) -> tuple:
        return self.params.actors

    def inject(self, inject_id: str) -> InjectSpec:
        for i in self.injects:
            if i.id == inject_id:
                return i
        raise KeyError(inject_id)

    def initial_state(self) -> GameState:
        """Turn-0 (baseline) state."""
        p = self.params
        rules = self.rules
        actors = {c: ActorState(dict(a["vars"])) for c, a in rules["actors"].items()}
        dyads = {}
        for k in sorted(rules["dyads"]):
            v = rules["dyads"][k]
            a, b = k.split("-")
            dyads[dyad_key(a, b)] = DyadState(
                float(v["IL"]), float(v["T"]), float(v["C"]), float(v["E"]),
                min(tension_rung(float(v["T"]), p.rungs), p.tension_cap), frozenset(v.get("flags", ())), 0.0,
                float(v.get("T0", v["T"])), float(v.get("IL0", v["IL"])))
        presence = {z: {} for z in p.zones}
        for z, forces in rules.get("presence", {}).items():
            presence[z] = {c: int(n) for c, n in sorted(forces.items()) if n}
        rp = {c: p.income[c] for c in p.teams}
        st = GameState(0, actors, dyads, rp, presence)
        st.hidden = {c: list(z) for c, z in sorted((p.subs.get("start") or {}).items())}
        for pen in p.rp_penalties:
            if st.actors[pen["actor"]].vars.get(pen["var"], 0) >= pen["ge"]:
                st.rp[pen["actor"]] = max(0, st.rp[pen["actor"]] + int(pen["delta"]))
        for k, v in rules["actors"].items():
            for var in v["vars"]:
                lo, hi = p.range(var)
                actors[k].vars[var] = float(min(hi, max(lo, v["vars"][var])))
        return st
