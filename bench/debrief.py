"""After-action review benchmark: the time to render the debrief of a long, full exercise, as a ratio to the
player's dashboard measured in the same run, in the same process.

The exercise: Northern Territories, 8 turns published, every team the scenario has (JPN RUS CHN USA KOR, six
actors with PRK, which is not a team), two players a team; each turn every team gives two catalogue orders and
an argued action and sends a bilateral and a public message. It is built here through the services (the engine
runs in-process) on a fresh SQLite file.

Timed with Django's test client in-process (no server, no network), after one warm-up request each:
  (1) a Japan player's whole dashboard page (the baseline: the page a player loads most);
  (2) White's debrief (/f/<id>/debrief/): every chart, the timeline and the audit;
  (3) the public debrief with every part released (/x/<code>/debrief/, as the Japan player);
  (4) White's debrief with the timeline filtered to one team and turn.
Prints mean and p50/p95 in ms and each figure's ratio to the dashboard.

    .venv/bin/python bench/debrief.py             # 30 requests each
    .venv/bin/python bench/debrief.py --n 100

Uses Redis at REDIS_URL (default redis://127.0.0.1:6379/13) for the doorbells the writes ring.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
DB = ROOT / "var" / "bench-debrief.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wargame.settings")
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("LIVE_CHANNEL_PREFIX", f"wargame-bench-debrief-{os.getpid()}")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-debrief-not-secret-" + "x" * 40)

TURNS = 8


def build(reader):
    """The exercise, played to the end; ``reader`` (a test client) joins Japan through the views first."""
    from django.contrib.auth import get_user_model

    from wargame.exercises import services
    from wargame.exercises.models import Exercise
    from wargame.scenarios import load_scenario

    codes = [t.code for t in load_scenario("northern-territories").teams]
    white = get_user_model().objects.create_user("bench-white", password="bench-white-pass")
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Bench debrief",
                                        facilitator=white, seed=11, team_codes=codes)
    reader.post("/", {"code": exercise.join_code, "name": "Bench reader"})
    reader.post(f"/x/{exercise.join_code}/join/", {"team": "JPN"})
    players = {}
    for code in codes:
        for name in ("A", "B"):
            p = services.player_join(exercise=exercise, display_name=f"{name}-{code}", session_key=f"bench-{name}-{code}")
            p = services.player_choose_team(player=p, team_code=code)
            players.setdefault(code, p)
    menu = (("M1", "CHN"), ("M9", ""), ("D7", ""), ("M12", ""), ("D6", ""), ("I1", ""), ("M6", ""))
    for number in range(1, TURNS + 1):
        for k, code in enumerate(codes):
            other = codes[(k + 1) % len(codes)]
            slot = 1
            for action, target in menu[(number + k) % 3:] + menu[:(number + k) % 3]:
                if slot > 2:
                    break
                for t in (target, other, ""):
                    if t == code:
                        continue
                    try:
                        services.order_save(player=players[code], turn_number=number, slot=slot, action=action,
                                            target=t, base_revision=0)
                        slot += 1
                        break
                    except services.ServiceError:
                        continue
            services.argued_save(player=players[code], turn_number=number, action=f"{code} makes its case",
                                 intended="calm", reasons=["a reason"], nearest_action="D7", target=other,
                                 base_revision=0)
            services.message_post(player=players[code], kind="bilateral", recipient_codes=[other], body="Talk?")
            services.message_post(player=players[code], kind="public", recipient_codes=[], body="To all")
        services.turn_lock(exercise=exercise, by="white")
        services.turn_resolve(turn_id=exercise.turns.get(number=number).pk)
        services.turn_publish(exercise=exercise, by="white")
        exercise.refresh_from_db()
        if exercise.status == Exercise.Status.ENDED and number < TURNS:
            print(f"(the game ended at turn {number}: {exercise.ended_reason})")
            break
    services.debrief_release(exercise=exercise, by="white", parts=[
        name for name, _label in __import__("wargame.exercises.selectors", fromlist=["x"]).DEBRIEF_PARTS])
    exercise.refresh_from_db()
    return exercise, white


def time_get(client, url, n):
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200
    return times, len(response.content)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30, help="requests per figure (default 30)")
    args = parser.parse_args()
    DB.parent.mkdir(exist_ok=True)
    if DB.exists():
        DB.unlink()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    t0 = time.perf_counter()
    player = Client()
    exercise, white_user = build(player)
    print(f"Built {exercise.turns.filter(status='published').count()} published turns, "
          f"{exercise.teams.count()} teams, in {time.perf_counter() - t0:.1f} s")

    white = Client()
    white.force_login(white_user)
    figures = [
        ("dashboard (baseline)", player, f"/x/{exercise.join_code}/t/JPN/"),
        ("White's debrief", white, f"/f/{exercise.pk}/debrief/"),
        ("public debrief, every part", player, f"/x/{exercise.join_code}/debrief/"),
        ("White's debrief, filtered", white, f"/f/{exercise.pk}/debrief/?team=JPN&turn=4"),
    ]
    results = []
    for label, client, url in figures:
        times, size = time_get(client, url, args.n)
        results.append((label, times, size))
    base = statistics.mean(results[0][1])
    print(f"\n{'page':32} {'mean ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7} {'× dashboard':>12}")
    for label, times, size in results:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        mean = statistics.mean(times)
        print(f"{label:32} {mean * 1000:9.1f} {statistics.median(times) * 1000:8.1f} {p95 * 1000:8.1f} "
              f"{size / 1024:7.0f} {mean / base:11.2f}×")


if __name__ == "__main__":
    main()
