from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from wargame.exercises import services
from wargame.exercises.models import Exercise

DEMO_USER = "white"
DEMO_PASSWORD = "white-cell"
DEMO_NAME = "Northern Territories (demo)"


class Command(BaseCommand):
    help = "Create the demo facilitator and one Northern Territories exercise (idempotent), then print how to join."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url, **options):
        services.scenario_sync()
        User = get_user_model()
        # The demo login is printed on the terminal and may be seen on a projector: it runs its own
        # exercises and nothing else. No /admin/, no superuser shortcut into other facilitators' exercises.
        user, created = User.objects.get_or_create(username=DEMO_USER)
        if created:
            user.set_password(DEMO_PASSWORD)
        if created or user.is_staff or user.is_superuser:  # earlier versions made it staff
            user.is_staff = user.is_superuser = False
            user.save()
        exercise = Exercise.objects.filter(name=DEMO_NAME, facilitators=user).exclude(
            status=Exercise.Status.ENDED).first()
        if exercise is None:
            # exercise_create makes the user one of the exercise's facilitators.
            exercise = services.exercise_create(scenario_slug="northern-territories", name=DEMO_NAME,
                                                facilitator=user, seed=2016)
        teams = ", ".join(f"{t.name} ({t.code})" for t in exercise.teams.all())
        self.stdout.write(
            "\n"
            f"  Okhotsk Table is running at {url}/\n"
            f"  Facilitator console: {url}/facilitator/  login: {DEMO_USER} / {DEMO_PASSWORD}\n"
            f"  Exercise: {exercise.name}\n"
            f"  Join code: {exercise.join_code}   (players open {url}/?code={exercise.join_code})\n"
            f"  Observer code: {exercise.observer_code}\n"
            f"  Teams: {teams}\n"
            f"  Health: {url}/healthz\n"
        )
