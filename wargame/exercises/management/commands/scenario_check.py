"""`manage.py scenario_check FILE`: validate a scenario file (rules, or its .text.yaml) with the loader's checks."""
from django.core.management.base import BaseCommand, CommandError

from wargame.scenarios import ScenarioError, load_scenario_file


class Command(BaseCommand):
    requires_system_checks = []  # pure engine work: needs no URLconf, models or database
    help = "Validate a scenario YAML file (and the .text.yaml beside it); prints OK or every problem."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            sc = load_scenario_file(file)
        except ScenarioError as e:
            for p in e.problems[1:]:
                self.stderr.write(p)
            raise CommandError(e.problems[0] if e.problems else str(e)) from None
        self.stdout.write(f"OK {sc.slug}: {len(sc.actions)} actions, {len(sc.injects)} injects, "
                          f"{len(sc.teams)} teams")
