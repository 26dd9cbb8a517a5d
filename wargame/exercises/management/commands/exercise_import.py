from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wargame.exercises import archive


class Command(BaseCommand):
    help = ("Recreate an exercise from its archive (exercise_export), owned by a facilitator, with new join and "
            "observer codes. A damaged or newer-format file is refused and nothing is written.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--facilitator", required=True, help="the username who will own the imported exercise")

    def handle(self, *args, file, facilitator, **options):
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}")
        try:
            data = archive.load_archive(raw)
        except archive.ArchiveError as exc:
            raise CommandError(f"{file} was not imported: {exc}")
        user = get_user_model().objects.filter(username=facilitator).first()
        if user is None:
            raise CommandError(f"There is no user {facilitator!r}; create it first (manage.py createsuperuser).")
        try:
            exercise = archive.import_archive(data, facilitator=user)
        except archive.ArchiveError as exc:
            raise CommandError(f"{file} was not imported: {exc}")
        for warning in exercise.import_warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(f"Imported exercise {exercise.pk} “{exercise.name}”: join code {exercise.join_code}, "
                          f"observer code {exercise.observer_code}, {exercise.turns.count()} turns.")
