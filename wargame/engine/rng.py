"""Randomness: one generator per draw, seeded from (exercise seed, turn, phase, event, k).

Dice come from a counter-mode blake2b stream keyed by that tuple (cheaper than building a
random.Random per draw; perception noise uses random.Random seeded from the same kind of hash).

Re-rolling one event (new salt) or entering manual dice never shifts any other draw,
because no draw depends on how many draws came before it.
"""
from __future__ import annotations

import hashlib
import random


def draw_seed(seed, turn, phase, event, k, salt=0) -> int:
    key = f"{seed}|{turn}|{phase}|{event}|{k}" + (f"|{salt}" if salt else "")
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def generator(seed, turn, phase, event, k, salt=0) -> random.Random:
    return random.Random(draw_seed(seed, turn, phase, event, k, salt))


def roll(seed, turn, phase, event, k, salt, n, sides) -> list:
    """n fair dice from the draw's own generator: a counter-mode stream of blake2b keyed by the draw key
    (8 bytes per die, scaled without modulo bias worth speaking of: < 2^-50)."""
    key = f"{seed}|{turn}|{phase}|{event}|{k}" + (f"|{salt}" if salt else "")
    digest = hashlib.blake2b(key.encode(), digest_size=8 * n if n <= 8 else 64).digest()
    if n > 8:  # longer streams: extend by counter
        digest += b"".join(hashlib.blake2b(f"{key}#{i}".encode(), digest_size=64).digest()
                           for i in range(1, (n + 7) // 8))
    return [(int.from_bytes(digest[8 * i:8 * i + 8], "big") * sides >> 64) + 1 for i in range(n)]


class Dice:
    """Draws for one turn. Records every draw; honours reroll and manual-dice overrides.

    `fixes` maps (event id, k) -> ("reroll", salt) or ("manual", values).
    """

    __slots__ = ("seed", "turn", "fixes", "draws", "used")

    def __init__(self, seed, turn: int, fixes: dict | None = None):
        self.seed = seed
        self.turn = turn
        self.fixes = fixes or {}
        self.draws: list = []
        self.used: set = set()

    def _fix(self, event, k):
        f = self.fixes.get((event, k))
        if f is None:
            f = self.fixes.get((event, None))
        if f is not None:
            self.used.add((event, k if (event, k) in self.fixes else None))
        return f

    def dice(self, phase: str, event: str, k: int, n: int, sides: int) -> list:
        """Roll n dice of `sides` faces; returns the list of faces."""
        fix = self._fix(event, k) if self.fixes else None
        salt = 0
        manual = False
        if fix is not None and fix[0] == "manual":
            vals = fix[1]
            vals = list(vals) if isinstance(vals, (list, tuple)) else [vals]
            if len(vals) != n or any(not isinstance(v, int) or v < 1 or v > sides for v in vals):
                from .orders import OverrideError

                raise OverrideError(
                    f"manual dice for {event} draw {k}: expected {n} value(s) between 1 and {sides}, got {fix[1]!r}"
                )
            res = vals
            manual = True
        else:
            if fix is not None:
                salt = fix[1]
            res = roll(self.seed, self.turn, phase, event, k, salt, n, sides)
        self.draws.append({
            "turn": self.turn, "phase": phase, "event": event, "k": k, "kind": f"{n}d{sides}",
            "result": res, "total": sum(res), "salt": salt, "manual": manual,
            "seed_key": (self.seed, self.turn, phase, event, k),
        })
        return res

    def chance(self, phase: str, event: str, k: int, p: float) -> tuple[bool, int]:
        """A percentage roll: d100 <= round(100*p) succeeds. Returns (success, roll)."""
        roll = self.dice(phase, event, k, 1, 100)[0]
        self.draws[-1]["target"] = round(p * 100, 4)
        return roll <= p * 100, roll
