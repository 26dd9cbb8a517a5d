from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "wargame.exercises"
    label = "exercises"
    verbose_name = "Exercises"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
