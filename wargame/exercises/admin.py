from django.contrib import admin

from . import models


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
