from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import models, services


@admin.register(models.Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("slug", "title")


class TeamInline(admin.TabularInline):
    model = models.Team
    extra = 0


@admin.register(models.Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("name", "scenario", "join_code", "status", "created")
    inlines = [TeamInline]


@admin.register(models.Player)
class PlayerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "exercise", "team", "last_seen")


@admin.register(models.Turn)
class TurnAdmin(admin.ModelAdmin):
    list_display = ("exercise", "number", "status", "deadline")


@admin.register(models.Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("turn", "team", "slot", "action", "target", "revision")


@admin.register(models.Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("exercise", "kind", "sender_name", "created")


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("exercise", "turn_number", "kind", "actor", "created")

    def has_change_permission(self, request, obj=None):
        return False  # the log is append-only


class UploadedScenarioForm(forms.ModelForm):
    """The two files, checked by the same validator as the facilitators' upload page (services.scenario_check):
    every problem is shown under its file's field and nothing is saved until both pass."""

    rules_file = forms.FileField(label=_("Rules file (slug.yaml)"))
    text_file = forms.FileField(label=_("Prose file (slug.text.yaml)"))

    class Meta:
        model = models.UploadedScenario
        fields = []

    def clean(self):
        cleaned = super().clean()
        rules, text = cleaned.get("rules_file"), cleaned.get("text_file")
        if rules is None or text is None:
            return cleaned  # the missing field says so itself
        try:
            services.scenario_check(rules_file=rules, text_file=text)
        except services.ScenarioRefused as refused:
            names = {"rules_file": getattr(rules, "name", ""), "text_file": getattr(text, "name", "")}
            for p in refused.problems:
                field = "text_file" if p.file == names["text_file"] or p.file.startswith(names["text_file"]) \
                    else "rules_file" if p.file == names["rules_file"] else None
                self.add_error(field, f"{p.file}: {p.path + ': ' if p.path else ''}{p.problem}")
        finally:
            for f in (rules, text):
                f.seek(0)
        return cleaned


@admin.register(models.UploadedScenario)
class UploadedScenarioAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "uploaded_by", "created", "calibration_status")
    readonly = ("slug", "title", "rules_filename", "text_filename", "uploaded_by", "created", "calibration_status",
                "calibration_queued_at", "calibration_finished", "calibration_error", "calibration_report",
                "rules_yaml", "text_yaml")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = UploadedScenarioForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("rules_file", "text_file") if obj is None else self.readonly

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly  # a stored scenario is not edited: upload a new slug

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        row = services.scenario_upload(rules_file=form.cleaned_data["rules_file"],
                                       text_file=form.cleaned_data["text_file"], by=request.user)
        obj.pk = row.pk
        obj.refresh_from_db()
