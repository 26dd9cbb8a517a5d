"""`manage.py calibrate`: run every GAME_MODEL §12 policy over many seeds and print each target, measured,
with pass or fail (thin wrapper over wargame.engine.calibrate). A report: exits 0 even when targets fail."""
import json
import multiprocessing
import time

from django.core.management.base import BaseCommand, CommandError

from wargame.engine.calibrate import NoCalibrationTargets, calibrate, format_report
from wargame.engine.orders import EngineInputError
from wargame.engine.simulate import parse_seeds
from wargame.scenarios import ScenarioError, load_scenario


class Command(BaseCommand):
    requires_system_checks = []  # pure engine work: needs no URLconf, models or database
    help = ("Run the GAME_MODEL §12 calibration policies on a scenario and print one row per target "
            "(measured, target, PASS/FAIL), then each team objective's share met under each policy.")

    def add_arguments(self, parser):
        parser.add_argument("--scenario", required=True)
        parser.add_argument("--seeds", default="200", help="how many seeds (1..N), or a list such as 1-50,90")
        parser.add_argument("--turns", type=int, default=8)
        parser.add_argument("--workers", type=int, default=None, help="processes (default: one per CPU)")
        parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
        parser.add_argument("--bots", default=None,
                            help='teams handed to bots in every policy, by policy name: \'{"CHN": "hawk"}\'')

    def handle(self, *args, scenario, seeds, turns, workers, json: bool, bots=None, **options):
        try:
            sc = load_scenario(scenario)
        except ScenarioError as e:
            raise CommandError(str(e)) from None
        if turns < 1 or turns > 40:
            raise CommandError(f"--turns must be between 1 and 40, got {turns}")
        try:
            seed_list = list(range(1, int(seeds) + 1)) if seeds.strip().isdigit() else parse_seeds(seeds)
        except EngineInputError as e:
            raise CommandError(f"--seeds: {e}") from None
        if not seed_list:
            raise CommandError("--seeds: at least one seed")
        workers = workers or multiprocessing.cpu_count()
        if workers < 1:
            raise CommandError(f"--workers must be 1 or more, got {workers}")
        started = time.perf_counter()
        try:
            report = calibrate(sc, seed_list, turns=turns, workers=workers, bots=_bots(bots))
        except NoCalibrationTargets as e:  # a short practice game: nothing to measure, said plainly, exit 0
            self.stdout.write(_dumps({"scenario": sc.slug, "targets": [], "passed": 0, "total": 0, "note": str(e)})
                              if json else f"{e}\n0 of 0 targets pass")
            return
        except EngineInputError as e:
            raise CommandError(str(e)) from None
        elapsed = time.perf_counter() - started
        if json:
            self.stdout.write(_dumps(report))
            return
        games = sum(p["games"] for p in report["policies"])
        turns_played = sum(p["turns_played"] for p in report["policies"])
        self.stdout.write(format_report(report, footer=f"{games:,} games, {turns_played:,} turns in {elapsed:.1f} s "
                                                       f"on {workers} worker{'s' if workers != 1 else ''}"))


def _bots(text):
    if not text:
        return None
    try:
        bots = json.loads(text)
    except ValueError as e:
        raise CommandError(f"--bots is not valid JSON: {e}") from None
    if not isinstance(bots, dict):
        raise CommandError('--bots: expected an object such as {"CHN": "hawk"}')
    return bots


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)
