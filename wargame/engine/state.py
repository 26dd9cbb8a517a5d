"""Game state: per-actor variables, per-dyad relations, zones, RP and bookkeeping.

Plain slotted classes and dicts so a turn can copy state cheaply (no deepcopy).
"""
from __future__ import annotations

from dataclasses import dataclass, field

RUNG_NAMES = (
    "routine",
    "gestures",
    "show of force",
    "legal harassment / mobilisation",
    "harassing acts",
    "dramatic confrontation",
    "limited force",
    "armed conflict",
)
# Lower T bound of rungs 1..7.
RUNG_THRESHOLDS = (20, 40, 55, 65, 75, 85, 95)

BANDS = ((0, "power political"), (25, "coexistence"), (50, "cooperative"), (75, "convergence"))
BAND_NAMES = tuple(name for _, name in BANDS)

DYAD_VARS = ("IL", "T", "C", "E")
ACTOR_VARS = ("N", "ASW", "D", "LL", "BS", "SP", "KM", "AX")
REQUIRED_ACTOR_VARS = ("N", "ASW", "D")  # every actor in a scenario must set these
# Every variable an effect may name, in the order White's forms list them.
VARIABLES = ("T", "IL", "C", "E") + ACTOR_VARS
FLAGS = ("INCSEA", "CUES", "HOTLINE", "PARALLEL_TRACK", "FISHERIES")


def dyad_key(a: str, b: str) -> str:
    """Dyad key: codes joined in alphabetical order ("JPN-RUS")."""
    return f"{a}-{b}" if a < b else f"{b}-{a}"


def band_index(il: float) -> int:
    return 3 if il >= 75 else 2 if il >= 50 else 1 if il >= 25 else 0


def band_name(il: float) -> str:
    """English School band of an institution level."""
    return BANDS[band_index(il)][1]


def tension_rung(t: float, thresholds=RUNG_THRESHOLDS) -> int:
    r = 0
    for th in thresholds:
        if t >= th:
            r += 1
        else:
            break
    return r


@dataclass(slots=True)
class ActorState:
    vars: dict

    def copy(self) -> "ActorState":
        return ActorState(dict(self.vars))


@dataclass(slots=True)
class DyadState:
    IL: float
    T: float
    C: float
    E: float
    rung: int = 0
    flags: frozenset = frozenset()
    inc_mod: float = 0.0  # lasting incident-chance modifier (D3 protocol reviews)
    T0: float | None = None  # structural tension (drift pulls T toward it); None: the scenario's baseline
    IL0: float | None = None  # structural institution level (agreements ratchet it); None: the baseline

    def copy(self) -> "DyadState":
        return DyadState(self.IL, self.T, self.C, self.E, self.rung, self.flags, self.inc_mod, self.T0, self.IL0)

    @property
    def band(self) -> str:
        return band_name(self.IL)

    def to_dict(self) -> dict:
        return {
            "IL": self.IL, "T": self.T, "C": self.C, "E": self.E, "rung": self.rung,
            "band": band_name(self.IL), "flags": sorted(self.flags), "inc_mod": self.inc_mod,
            "T0": self.T0, "IL0": self.IL0,
        }


@dataclass(slots=True)
class GameState:
    """Whole game state after `turn` resolved turns (0 = baseline)."""

    turn: int
    actors: dict  # code -> ActorState
    dyads: dict  # dyad key -> DyadState
    rp: dict  # code -> RP available to spend this turn
    presence: dict  # zone -> {code: task groups}
    unlocked: frozenset = frozenset()  # action keys unlocked by injects
    fired: tuple = ()  # inject ids fired so far, in firing order
    cost_mods: dict = field(default_factory=dict)  # action key -> RP delta (e.g. NT1)
    mods: dict = field(default_factory=dict)  # "kind:key" -> [value, last turn in force]
    pending: list = field(default_factory=list)  # delayed effects: dicts with "turn"
    ended: str | None = None
    crisis: tuple = ()  # dyad keys in a crisis sub-turn
    # Hidden submarines (scenarios with `subs:`): this turn's secret positions {team: [zone, ...]}, each
    # hunter's own detections {hunter: [{"zone", "turn", "hunted"}, ...]} and running counts
    # {"detections:JPN", "detected:RUS", "trails:JPN", "transits:CHN", "blocked:CHN": int}.
    hidden: dict = field(default_factory=dict)
    contacts: dict = field(default_factory=dict)
    tally: dict = field(default_factory=dict)

    def copy(self) -> "GameState":
        return GameState(
            self.turn,
            {c: ActorState(dict(a.vars)) for c, a in self.actors.items()},
            {k: d.copy() for k, d in self.dyads.items()},
            dict(self.rp),
            {z: dict(p) for z, p in self.presence.items()},
            self.unlocked,
            self.fired,
            dict(self.cost_mods),
            {k: list(v) for k, v in self.mods.items()},
            [dict(p) for p in self.pending],
            self.ended,
            self.crisis,
            {t: list(z) for t, z in self.hidden.items()},
            {t: [dict(c) for c in cs] for t, cs in self.contacts.items()},
            dict(self.tally),
        )

    def dyad(self, a: str, b: str) -> DyadState:
        return self.dyads[dyad_key(a, b)]

    def var(self, code: str, name: str) -> float:
        return self.actors[code].vars[name]

    def to_dict(self) -> dict:
        """JSON-safe dict with a stable key order; from_dict() inverts it exactly."""
        return {
            "turn": self.turn,
            "actors": {c: dict(a.vars) for c, a in self.actors.items()},
            "rp": dict(self.rp),
            "dyads": {k: self.dyads[k].to_dict() for k in sorted(self.dyads)},
            "presence": {z: dict(sorted(p.items())) for z, p in self.presence.items()},
            "unlocked": sorted(self.unlocked),
            "fired": list(self.fired),
            "cost_mods": dict(sorted(self.cost_mods.items())),
            "mods": {k: list(self.mods[k]) for k in sorted(self.mods)},
            "pending": [dict(p) for p in self.pending],
            "ended": self.ended,
            "crisis": list(self.crisis),
            "hidden": {t: list(self.hidden[t]) for t in sorted(self.hidden)},
            "contacts": {t: [dict(c) for c in self.contacts[t]] for t in sorted(self.contacts)},
            "tally": dict(sorted(self.tally.items())),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "GameState":
        return cls(
            turn=int(d["turn"]),
            actors={c: ActorState(dict(v)) for c, v in d["actors"].items()},
            dyads={
                k: DyadState(v["IL"], v["T"], v["C"], v["E"], int(v.get("rung", 0)),
                             frozenset(v.get("flags", ())), v.get("inc_mod", 0.0), v.get("T0"), v.get("IL0"))
                for k, v in d["dyads"].items()
            },
            rp=dict(d["rp"]),
            presence={z: dict(p) for z, p in d.get("presence", {}).items()},
            unlocked=frozenset(d.get("unlocked", ())),
            fired=tuple(d.get("fired", ())),
            cost_mods=dict(d.get("cost_mods", {})),
            mods={k: list(v) for k, v in d.get("mods", {}).items()},
            pending=[dict(p) for p in d.get("pending", [])],
            ended=d.get("ended"),
            crisis=tuple(d.get("crisis", ())),
            hidden={t: list(z) for t, z in (d.get("hidden") or {}).items()},
            contacts={t: [dict(c) for c in cs] for t, cs in (d.get("contacts") or {}).items()},
            tally=dict(d.get("tally") or {}),
        )

    def mod(self, kind: str, key: str, default=None):
        """A temporary modifier in force at this turn (value), else default."""
        m = self.mods.get(f"{kind}:{key}")
        if m is None or (m[1] is not None and m[1] < self.turn):
            return default
        return m[0]
