"""Fork benchmark: the time to fork an 8-turn exercise of every team (JPN RUS CHN USA KOR, six actors with PRK)
at its last turn, as a ratio to ``replay_check`` of the same exercise measured in the same run.

The exercise is bench/debrief.py's (two players a team; each turn every team gives two catalogue orders and an
argued action and sends a bilateral and a public message), built through the services on a fresh SQLite file.
Forking at turn 8 copies the most: turns 1–7 published, turn 8 re-opened with its orders and argued actions,
every message and log entry made before turn 8 locked. Each figure is timed after one warm-up.

    .venv/bin/python bench/fork.py           # 10 of each
    .venv/bin/python bench/fork.py --n 30
"""

import argparse
import importlib.util
import os
import statistics
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_debrief", ROOT / "bench" / "debrief.py")
bench_debrief = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_debrief)  # sets up sys.path and the environment; the database is ours
DB = ROOT / "var" / "bench-fork.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ["LIVE_CHANNEL_PREFIX"] = f"wargame-bench-fork-{os.getpid()}"


def timed(fn, n):
    fn()  # warm-up
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10, help="runs per figure (default 10)")
    args = parser.parse_args()
    DB.parent.mkdir(exist_ok=True)
    if DB.exists():
        DB.unlink()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from wargame.exercises import services
    from wargame.exercises.models import Turn

    call_command("migrate", verbosity=0)
    exercise, white = bench_debrief.build(Client())
    last = exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("-number").first().number
    print(f"Built {last} published turns, {exercise.teams.count()} teams "
          f"({len(exercise.state.get('actors', {}))} actors)")

    replay = timed(lambda: call_command("replay_check", str(exercise.pk), stdout=StringIO()), args.n)
    fork = timed(lambda: services.exercise_fork(exercise=exercise, by="bench", turn_number=last,
                                                facilitator=white), args.n)
    base = statistics.mean(replay)
    print(f"\n{'figure':34} {'mean ms':>9} {'p50 ms':>8} {'max ms':>8} {'× replay_check':>15}")
    for label, times in ((f"replay_check ({last} turns)", replay), (f"fork at turn {last}", fork)):
        mean = statistics.mean(times)
        print(f"{label:34} {mean * 1000:9.1f} {statistics.median(times) * 1000:8.1f} {max(times) * 1000:8.1f} "
              f"{mean / base:14.2f}×")


if __name__ == "__main__":
    main()
