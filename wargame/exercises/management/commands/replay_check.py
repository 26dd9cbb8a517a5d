from django.core.management.base import BaseCommand, CommandError

from wargame import engine
from wargame.exercises import selectors
from wargame.exercises.models import Exercise


class Command(BaseCommand):
    help = "Replay an exercise's event log through the engine and check it rebuilds the published state."

    def add_arguments(self, parser):
        parser.add_argument("exercise_id", type=int)

    def handle(self, *args, exercise_id, **options):
        exercise = Exercise.objects.select_related("scenario").filter(pk=exercise_id).first()
        if exercise is None:
            raise CommandError(f"There is no exercise {exercise_id}.")
        try:
            state, same = selectors.exercise_replay(exercise=exercise)
        except engine.EngineInputError as exc:
            raise CommandError(f"The log does not replay: {exc}")
        if not same:
            raise CommandError(f"Replaying {state.turn} turns gave a different state from the published one.")
        self.stdout.write(f"OK: {state.turn} published turns replay to the identical state.")
