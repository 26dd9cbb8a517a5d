"""`manage.py simulate`: batch-run a scenario with a fixed policy per team (thin wrapper over the engine)."""
import json
import os

from django.core.management.base import BaseCommand, CommandError

from wargame.engine.orders import EngineInputError
from wargame.engine.simulate import format_table, parse_seeds, read_policy, simulate
from wargame.scenarios import ScenarioError, load_scenario


class Command(BaseCommand):
    requires_system_checks = []  # pure engine work: needs no URLconf, models or database
    help = ("Simulate N turns with each team ordering the same actions every turn. "
            'Policy: JSON file or inline JSON, e.g. {"JPN": ["M2", "D1:RUS"], "RUS": ["M4", "D1:JPN"]}; '
            'a step may be {"order": "D5:RUS", "when": "usable", "turns": "odd"}; '
            '"crisis": {"JPN": "deescalate"} sets a team\'s crisis choice (default hold).')

    def add_arguments(self, parser):
        parser.add_argument("--scenario", default="northern-territories")
        parser.add_argument("--turns", type=int, default=8)
        seeds = parser.add_mutually_exclusive_group()
        seeds.add_argument("--seed", type=int, default=None, help="one seed (default 0)")
        seeds.add_argument("--seeds", default=None, help="several seeds: 1-200, or a list such as 1-5,9,12-14")
        parser.add_argument("--policy", default=None, help="path to a JSON file, or an inline JSON object")
        out = parser.add_mutually_exclusive_group()
        out.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
        out.add_argument("--jsonl", action="store_true", help="print one JSON object per seed, one a line")

    def handle(self, *args, scenario, turns, seed, seeds, policy, json: bool, jsonl: bool, **options):
        try:
            sc = load_scenario(scenario)
        except ScenarioError as e:
            raise CommandError(str(e)) from None
        if turns < 1 or turns > 40:
            raise CommandError(f"--turns must be between 1 and 40, got {turns}")
        try:
            seed_list = parse_seeds(seeds) if seeds is not None else [0 if seed is None else seed]
        except EngineInputError as e:
            raise CommandError(f"--seeds: {e}") from None
        if json and len(seed_list) > 1:
            raise CommandError("--json prints one game; use --jsonl for several seeds")
        text = _policy_text(policy)
        try:
            pol = read_policy(sc, text)  # once, so a bad policy fails before any game is played
        except EngineInputError as e:
            raise CommandError(str(e)) from None
        for n, s in enumerate(seed_list):
            report = simulate(sc, pol, turns=turns, seed=s)
            if json or jsonl:
                self.stdout.write(_dumps(report))
            else:
                self.stdout.write(("\n" if n else "") + format_table(report))


def _policy_text(policy):
    if not policy:
        return None
    if policy.lstrip().startswith("{"):
        return policy
    if not os.path.exists(policy):
        raise CommandError(f"policy file not found: {policy}")
    try:
        with open(policy, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise CommandError(f"cannot read policy file {policy}: {e.strerror}") from None


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)
