"""The demo login printed by `make run` runs the demo exercise and nothing more."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from wargame.exercises.models import Exercise


def run_demo():
    out = StringIO()
    call_command("demo", url="http://room:8000", stdout=out)
    return out.getvalue()


def test_demo_facilitator_is_no_staff_but_runs_the_demo_exercise(client, db):
    banner = run_demo()
    user = get_user_model().objects.get(username="white")
    assert not user.is_staff and not user.is_superuser
    exercise = Exercise.objects.get(name="Northern Territories (demo)")
    assert exercise.facilitators.filter(pk=user.pk).exists()
    assert f"Join code: {exercise.join_code}" in banner and "login: white / white-cell" in banner

    assert client.post("/facilitator/login/", {"username": "white", "password": "white-cell"}).status_code == 302
    assert client.get(f"/f/{exercise.pk}/").status_code == 200
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


def test_demo_facilitator_gets_no_other_facilitators_exercise(client, other_facilitator):
    from wargame.exercises import services

    theirs = services.exercise_create(scenario_slug="northern-territories", name="Grey's seminar",
                                      facilitator=other_facilitator, seed=3)
    run_demo()
    assert client.post("/facilitator/login/", {"username": "white", "password": "white-cell"}).status_code == 302
    assert client.get(f"/f/{theirs.pk}/").status_code == 404


def test_a_demo_user_made_staff_by_an_older_version_is_demoted(db):
    get_user_model().objects.create_user("white", password="white-cell", is_staff=True, is_superuser=True)
    run_demo()
    run_demo()  # idempotent: still one demo exercise
    user = get_user_model().objects.get(username="white")
    assert not user.is_staff and not user.is_superuser
    assert Exercise.objects.filter(name="Northern Territories (demo)").count() == 1
