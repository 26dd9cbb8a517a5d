"""Export benchmark: the exercise archive and the analysts' CSV of a large exercise, against its replay.

Run: .venv/bin/python bench/export.py [--repeat 5] [--messages 2000]

The exercise: Northern Territories with every team the scenario has (JPN RUS CHN USA KOR: five teams, plus PRK,
which the engine models as a sixth, non-playing actor; 15 dyads), two players a team, 8 turns played to the
end through the services (each team's two first usable catalogue orders, one argued action a turn, resolved
in-process and published), and 2,000 messages (bulk-inserted across the turns and threads, with recipients).

Timed, each the median of --repeat runs (best in brackets):
  - baseline: `replay_check`'s work (selectors.exercise_replay: read the log, re-resolve 8 turns, compare);
  - archive: build_archive + encode (what `exercise_export` does), and the same through services.export_run
    (what the worker does, progress UPDATEs and the stored file included);
  - CSV: build_csv_zip with message text, and through services.export_run;
  - import: import_archive of that archive (checks, replay, one transaction).
Each is printed with its ratio to the baseline measured in the same run.

Uses DATABASE_URL (default a fresh SQLite file var/bench-export.sqlite3; PostgreSQL works too) and Redis at
REDIS_URL (default redis://127.0.0.1:6379/14) for the doorbells. Tasks are not sent: turns resolve in-process.
"""
import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wargame.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-export.sqlite3'}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("LIVE_CHANNEL_PREFIX", f"wargame-bench-export-{os.getpid()}")
os.environ["DEBUG"] = "false"

TEAMS = ("JPN", "RUS", "CHN", "USA", "KOR")


def setup_database():
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_exercise(messages):
    from django.contrib.auth import get_user_model

    from wargame import engine
    from wargame.exercises import jobs, services
    from wargame.exercises.models import Exercise, Message, Team, Turn
    from wargame.scenarios import load_scenario

    jobs.send = lambda *args: None  # no worker here: turns resolve in this process
    user, _ = get_user_model().objects.get_or_create(username=f"bench-{os.getpid()}")
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Bench: eight turns",
                                        facilitator=user, seed=2016, team_codes=TEAMS)
    spec = load_scenario("northern-territories")
    players = {}
    for code in TEAMS:
        for n in range(2):
            p = services.player_join(exercise=exercise, display_name=f"{code} {n}", session_key=f"b-{code}-{n}")
            players.setdefault(code, []).append(services.player_choose_team(player=p, team_code=code))
    rng = random.Random(7)
    for number in range(1, 9):
        exercise = Exercise.objects.get(pk=exercise.pk)
        if exercise.status == Exercise.Status.ENDED:
            break
        state = engine.GameState.from_dict(exercise.state)
        for code in TEAMS:
            slot = 1
            for action, usable, _why in engine.available_actions(spec, state, code):
                if slot > 2 or not usable:
                    continue
                target = ""
                if action.needs_target:
                    others = [c for c in TEAMS if c != code]
                    target = rng.choice(others)
                try:
                    services.order_save(player=players[code][0], turn_number=number, slot=slot, action=action.key,
                                        target=target, base_revision=0)
                    slot += 1
                except services.ServiceError:
                    continue
        arguer = TEAMS[number % len(TEAMS)]
        services.argued_save(player=players[arguer][1], turn_number=number, action="Quiet talks on fisheries",
                             intended="Tension falls", reasons=["Both sides gain"], nearest_action="D1",
                             target=TEAMS[(number + 1) % len(TEAMS)], base_revision=0)
        services.turn_lock(exercise=exercise, by="white")
        turn = Turn.objects.get(exercise=exercise, number=number)
        services.turn_resolve(turn_id=turn.pk)
        services.turn_publish(exercise=exercise, by="white")
    exercise = Exercise.objects.get(pk=exercise.pk)
    turns = exercise.turns.filter(status="published").count()
    teams = {t.code: t for t in Team.objects.filter(exercise=exercise)}
    rows, threads = [], []
    for n in range(messages):
        sender = TEAMS[n % len(TEAMS)]
        other = TEAMS[(n * 7 + 1) % len(TEAMS)]
        other = other if other != sender else TEAMS[(TEAMS.index(sender) + 1) % len(TEAMS)]
        rows.append(Message(exercise=exercise, turn_number=1 + n * turns // messages, kind="bilateral",
                            sender_team=teams[sender], sender_name=f"{sender} 0",
                            body=f"Message {n}: " + "a proposal on the islands and the fisheries. " * 4,
                            thread=engine.dyad_key(sender, other)))
        threads.append(other)
    made = Message.objects.bulk_create(rows, batch_size=500)
    through = Message.recipients.through
    through.objects.bulk_create([through(message_id=m.pk, team_id=teams[o].pk) for m, o in zip(made, threads)],
                                batch_size=1000)
    return exercise


def timed(fn, repeat):
    secs = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        secs.append(time.perf_counter() - t0)
    return statistics.median(secs), min(secs), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--messages", type=int, default=2000)
    args = ap.parse_args()
    setup_database()
    from django.db import connection, transaction

    from wargame.exercises import archive, exports_csv, selectors, services
    from wargame.exercises.models import ExportJob, Order

    t0 = time.perf_counter()
    exercise = build_exercise(args.messages)
    built = time.perf_counter() - t0
    published = exercise.turns.filter(status="published").count()
    orders = Order.objects.filter(turn__exercise=exercise).count()
    print(f"export bench: {connection.vendor}, {exercise.teams.count()} teams ({len(exercise.state['actors'])} actors, "
          f"{len(exercise.state['dyads'])} dyads), {published} published turns, {orders} orders, "
          f"{exercise.messages.count():,} "
          f"messages, {exercise.events.count():,} log events; built in {built:.1f} s "
          f"(status {exercise.status}{': ' + exercise.ended_reason if exercise.ended_reason else ''})")

    def replay():
        state, same = selectors.exercise_replay(exercise=exercise)
        assert same, "the bench exercise does not replay"
        return state

    def via_worker(kind, options=None):
        job = ExportJob.objects.create(exercise=exercise, kind=kind, options=options or {})
        assert services.export_run(job_id=job.pk)
        return ExportJob.objects.get(pk=job.pk)

    def imported():
        with transaction.atomic():
            new = archive.import_archive(data, facilitator=exercise.facilitators.first())
            transaction.set_rollback(True)
        return new

    base = timed(replay, args.repeat)
    rows = [("baseline: replay_check", *base[:2], None)]
    med, best, content = timed(lambda: archive.archive_bytes(archive.build_archive(exercise)), args.repeat)
    rows.append(("archive (build + encode)", med, best, len(content)))
    data = archive.load_archive(content)
    med, best, job = timed(lambda: via_worker("archive"), args.repeat)
    rows.append(("archive via export_run", med, best, len(job.content)))
    med, best, content = timed(lambda: exports_csv.build_csv_zip(exercise, message_text=True), args.repeat)
    rows.append(("CSV zip, message text", med, best, len(content)))
    med, best, job = timed(lambda: via_worker("csv", {"message_text": True}), args.repeat)
    rows.append(("CSV via export_run", med, best, len(job.content)))
    med, best, _new = timed(imported, args.repeat)
    rows.append(("import (checks + replay + write)", med, best, None))

    print(f"{'':<34} {'median':>9} {'best':>9} {'× replay':>9} {'size':>11}")
    for name, med, best, size in rows:
        print(f"{name:<34} {med * 1000:7.1f}ms {best * 1000:7.1f}ms {med / base[0]:9.2f} "
              f"{(f'{size / 1024:,.0f} KiB') if size else '':>11}")


if __name__ == "__main__":
    main()
