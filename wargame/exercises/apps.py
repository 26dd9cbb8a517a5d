from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "wargame.exercises"
    label = "exercises"
    verbose_name = "Exercises"

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
        from wargame.scenarios import loader

        from .services import scenarios

        # Scenarios facilitators uploaded: load_scenario(slug) finds them in the database, in every process.
        loader.register_source(scenarios.uploaded_slugs, scenarios.uploaded_texts)
