"""Engine benchmark: resolve_turn throughput for a full six-actor turn and for an empty turn.

Run: .venv/bin/python bench/engine.py [--n 10000] [--profile]

"Full" turn: Northern Territories, turn 1 from the baseline (the turn's MSEL injects fire), six actors
(the five teams JPN RUS CHN USA KOR plus PRK, which is modelled as a non-playing actor with its dyads;
15 dyads), every team ordering its maximum: two catalogue actions and one argued action. The mix covers
ω spillover, a bilateral pair, a joint patrol, an opposed roll, a random effect and incidents.
"Empty" turn: the same turn with no orders (injects, incidents, drift and triggers still run).
Each resolution uses its own seed, so the dice differ from run to run.
"Calibrate": a full `manage.py calibrate` run (every GAME_MODEL §12 policy and its controls, both scenarios,
200 seeds, 8 turns), timed against as many full turns at the rate measured above.
"""
import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wargame.engine import ArguedOrder, Order, resolve_turn  # noqa: E402
from wargame.engine.calibrate import calibrate  # noqa: E402
from wargame.scenarios import load_scenario  # noqa: E402

FULL = [
    Order("JPN", "M1", "CHN"), Order("JPN", "M2"),
    Order("RUS", "M4"), Order("RUS", "M5", "JPN"),
    Order("CHN", "M5", "JPN"), Order("CHN", "M7", "okhotsk"),
    Order("USA", "M1", "CHN"), Order("USA", "D3", "KOR"),
    Order("KOR", "D3", "USA"), Order("KOR", "D6", "PRK"),
    ArguedOrder("JPN", "Quiet diplomacy on the islands", nearest_action="D7", target="RUS", accepted_reasons=1),
    ArguedOrder("RUS", "The bastion is purely defensive", nearest_action="M4", accepted_counters=1),
    ArguedOrder("CHN", "Coast-guard surge at the Senkakus", nearest_action="M6", target="JPN"),
    ArguedOrder("USA", "Freedom of navigation patrol", nearest_action="M6", target="CHN"),
    ArguedOrder("KOR", "Trilateral missile warning", nearest_action="D9", target="JPN"),
]


def timed(sc, st, orders, n):  # for --profile and warm-up
    t0 = time.perf_counter()
    for seed in range(n):
        resolve_turn(sc, st, orders, seed=seed)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--calibrate-seeds", type=int, default=200, help="seeds per scenario (0: skip)")
    ap.add_argument("--workers", type=int, default=1, help="processes for the calibrate run")
    args = ap.parse_args()
    sc = load_scenario("northern-territories")
    st = sc.initial_state()
    check = resolve_turn(sc, st, FULL, seed=1)
    done = sum(1 for e in check.events if e["kind"] in ("action", "argued"))
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        timed(sc, st, FULL, 2000)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return
    timed(sc, st, FULL, 200)  # warm-up
    # Interleave 1,000-turn chunks of full and empty turns so a busy machine skews both alike.
    chunk = max(1, min(1000, args.n))
    secs = {"full": [], "empty": []}
    done_n = 0
    while done_n < args.n:
        m = min(chunk, args.n - done_n)
        for name, orders in (("full", FULL), ("empty", [])):
            t0 = time.perf_counter()
            for seed in range(done_n, done_n + m):
                resolve_turn(sc, st, orders, seed=seed)
            secs[name].append((m, time.perf_counter() - t0))
        done_n += m
    rows = []
    for name in ("full", "empty"):
        total = sum(t for _, t in secs[name])
        best = max(m / t for m, t in secs[name])
        rows.append((name, args.n / total, best, total))
    full, empty = rows
    print(f"engine bench: {len(sc.params.actors)} actors, {len(st.dyads)} dyads, "
          f"full turn = {len([o for o in FULL if isinstance(o, Order)])} catalogue orders + "
          f"{len([o for o in FULL if isinstance(o, ArguedOrder)])} argued ({done} events carried out)")
    print(f"{'turn':<6} {'turns/s':>9} {'best chunk':>11} {'ms/turn':>8} {f'{args.n:,} seeded':>15}")
    for name, rate, best, total in rows:
        print(f"{name:<6} {rate:9,.0f} {best:11,.0f} {1000 / rate:8.3f} {total:13.2f} s")
    print(f"ratio full/empty: time ×{full[3] / empty[3]:.2f}, throughput ×{full[1] / empty[1]:.2f}")
    print(f"target ≥ 2,000 full turns/s: {'met' if full[1] >= 2000 else 'NOT met'} "
          f"(best chunk {'met' if full[2] >= 2000 else 'NOT met'})")
    if args.calibrate_seeds > 0:
        bench_calibrate(args.calibrate_seeds, args.workers, full[1])


def bench_calibrate(seeds, workers, full_rate):
    """Time calibrate on every scenario; the ratio is against as many full turns at this run's rate."""
    scenarios = [load_scenario(slug) for slug in ("northern-territories", "sea-of-okhotsk")]
    t0 = time.perf_counter()
    reports = [calibrate(sc, seeds, workers=workers) for sc in scenarios]
    secs = time.perf_counter() - t0
    games = sum(p["games"] for r in reports for p in r["policies"])
    turns = sum(p["turns_played"] for r in reports for p in r["policies"])
    as_full = turns / full_rate
    print(f"calibrate: {len(scenarios)} scenarios × {len(reports[0]['policies'])} policies × {seeds} seeds = "
          f"{games:,} games, {turns:,} turns in {secs:.2f} s on {workers} worker{'s' if workers != 1 else ''} "
          f"({turns / secs:,.0f} turns/s)")
    print(f"ratio calibrate/full turns: time ×{secs / as_full:.2f} of {turns:,} full turns "
          f"({as_full:.2f} s at {full_rate:,.0f}/s)")


if __name__ == "__main__":
    main()
