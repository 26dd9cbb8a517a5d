from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wargame.exercises import archive
from wargame.exercises.models import Exercise


class Command(BaseCommand):
    help = "Write an exercise's archive (one JSON file: scenario, every turn's inputs and draws, messages, log)."

    def add_arguments(self, parser):
        parser.add_argument("exercise_id", type=int)
        parser.add_argument("--out", help="the file to write (default: a name made from the exercise; '-' for stdout)")

    def handle(self, *args, exercise_id, out=None, **options):
        exercise = Exercise.objects.select_related("scenario").filter(pk=exercise_id).first()
        if exercise is None:
            raise CommandError(f"There is no exercise {exercise_id}.")
        content = archive.archive_bytes(archive.build_archive(exercise))
        if out == "-":
            self.stdout.write(content.decode("utf-8"))
            return
        path = Path(out or archive.archive_filename(exercise))
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}")
        self.stdout.write(f"Wrote {path} ({len(content):,} bytes): exercise {exercise.pk}, "
                          f"{exercise.turns.count()} turns, archive format {archive.ARCHIVE_FORMAT}.")
