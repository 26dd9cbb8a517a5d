"""`manage.py simulate`: batch-run a scenario with a fixed policy per team (thin wrapper over the engine)."""
import json
import os

from django.core.management.base import BaseCommand, CommandError

from wargame.engine.orders import EngineInputError
from wargame.engine.simulate import format_table, simulate
from wargame.scenarios import ScenarioError, load_scenario


class Command(BaseCommand):
    requires_system_checks = []  # pure engine work: needs no URLconf, models or database
    help = ("Simulate N turns with each team ordering the same actions every turn. "
            'Policy: JSON file or inline JSON, e.g. {"JPN": ["M2", "D1:RUS"], "RUS": ["M4", "D1:JPN"]}.')

    def add_arguments(self, parser):
        parser.add_argument("--scenario", default="northern-territories")
        parser.add_argument("--turns", type=int, default=8)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--policy", default=None, help="path to a JSON file, or an inline JSON object")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")

    def handle(self, *args, scenario, turns, seed, policy, json: bool, **options):
        try:
            sc = load_scenario(scenario)
        except ScenarioError as e:
            raise CommandError(str(e)) from None
        if turns < 1 or turns > 40:
            raise CommandError(f"--turns must be between 1 and 40, got {turns}")
        text = None
        if policy:
            if policy.lstrip().startswith("{"):
                text = policy
            elif os.path.exists(policy):
                try:
                    with open(policy, encoding="utf-8") as f:
                        text = f.read()
                except OSError as e:
                    raise CommandError(f"cannot read policy file {policy}: {e.strerror}") from None
            else:
                raise CommandError(f"policy file not found: {policy}")
        try:
            report = simulate(sc, text, turns=turns, seed=seed)
        except EngineInputError as e:
            raise CommandError(str(e)) from None
        if json:
            self.stdout.write(_dumps(report))
        else:
            self.stdout.write(format_table(report))


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)
