from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import set_language

from wargame.exercises.views import debrief as debrief_views
from wargame.exercises.views import auth, facilitator, messages, ops, people, player, plenary, team_stream
from wargame.exercises.views import bots as bot_views
from wargame.exercises.views import exports as export_views
from wargame.exercises.views import forecast as forecast_views
from wargame.exercises.views import fork as fork_views
from wargame.exercises.views import pack as pack_views
from wargame.exercises.views import practice as practice_views
from wargame.exercises.views import scenarios as scenario_views

handler403 = people.permission_denied  # a removed player gets a page that says White removed them
handler500 = "wargame.exercises.views.errors.server_error"  # in the person's language, with the selector

urlpatterns = [
    path("", player.home, name="home"),
    path("healthz", ops.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),  # POST language + next: the selector on every page
    path("ping", ops.ping, name="ping"),
    path("x/<str:code>/join/", player.join_team, name="player-join-team"),
    path("x/<str:code>/seat/", people.seat, name="player-seat"),
    path("x/<str:code>/seat/switch/", people.switch_request, name="player-switch-request"),
    path("x/<str:code>/events/", ops.exercise_events, name="exercise-events"),
    path("x/<str:code>/plenary/", plenary.plenary, name="plenary"),
    path("x/<str:code>/debrief/", debrief_views.debrief_public, name="debrief-public"),
    path("x/<str:code>/t/<str:team>/", player.dashboard, name="player-dashboard"),
    path("x/<str:code>/t/<str:team>/panels/", player.dashboard_panels, name="player-dashboard-panels"),
    path("x/<str:code>/t/<str:team>/events/", team_stream.team_events, name="player-team-events"),
    path("x/<str:code>/t/<str:team>/orders/<int:slot>/", player.order_save, name="player-order-save"),
    path("x/<str:code>/t/<str:team>/messages/", messages.team_messages, name="player-messages"),
    path("x/<str:code>/t/<str:team>/messages/send/", messages.message_send, name="player-message-send"),
    path("x/<str:code>/t/<str:team>/messages/group/", messages.group_send, name="player-message-group"),
    path("x/<str:code>/t/<str:team>/messages/unread/", messages.unread_badge, name="player-messages-unread"),
    path("x/<str:code>/t/<str:team>/argued/", player.argued_save, name="player-argued-save"),
    path("x/<str:code>/t/<str:team>/counter/", player.counter_post, name="player-counter"),
    path("x/<str:code>/t/<str:team>/card/", player.card_pick, name="player-card"),
    path("x/<str:code>/t/<str:team>/crisis/", player.crisis_choose, name="player-crisis"),
    path("x/<str:code>/t/<str:team>/hints/", practice_views.hints_toggle, name="player-hints"),
    path("x/<str:code>/t/<str:team>/turns/<int:number>/", player.turn_history, name="player-turn"),
    path("facilitator/", facilitator.home, name="facilitator-home"),
    path("facilitator/login/", auth.facilitator_login, name="facilitator-login"),
    path("facilitator/logout/", auth_views.LogoutView.as_view(), name="facilitator-logout"),
    path("facilitator/new/", facilitator.exercise_new, name="exercise-new"),
    path("facilitator/practice/", practice_views.practice_start, name="practice-start"),
    path("facilitator/pack/<slug:slug>/", pack_views.pack, name="pack"),
    path("facilitator/scenarios/", scenario_views.scenario_list, name="scenario-list"),
    path("facilitator/scenarios/upload/", scenario_views.scenario_upload, name="scenario-upload"),
    path("facilitator/scenarios/<slug:slug>/", scenario_views.scenario_detail, name="scenario-detail"),
    path("facilitator/scenarios/<slug:slug>/calibrate/", scenario_views.scenario_calibrate, name="scenario-calibrate"),
    path("facilitator/scenarios/<slug:slug>/files/<str:part>/", scenario_views.scenario_file, name="scenario-file"),
    path("scenarios/schema.json", scenario_views.rules_schema, name="scenario-schema"),
    path("f/<int:exercise_id>/", facilitator.console, name="console"),
    path("f/<int:exercise_id>/debrief/", debrief_views.debrief_white, name="debrief-white"),
    path("f/<int:exercise_id>/debrief/release/", debrief_views.debrief_release, name="debrief-release"),
    path("f/<int:exercise_id>/fork/", fork_views.fork, name="console-fork"),
    path("f/<int:exercise_id>/fork/order/", fork_views.fork_order, name="console-fork-order"),
    path("f/<int:exercise_id>/lock/", facilitator.turn_lock, name="console-lock"),
    path("f/<int:exercise_id>/publish/", facilitator.turn_publish, name="console-publish"),
    path("f/<int:exercise_id>/resolve/retry/", facilitator.turn_resolve_retry, name="console-resolve-retry"),
    path("f/<int:exercise_id>/clock/", facilitator.turn_clock, name="console-clock"),
    path("f/<int:exercise_id>/bots/", bot_views.bot_assign, name="console-bot-assign"),
    path("f/<int:exercise_id>/bots/release/", bot_views.bot_release, name="console-bot-release"),
    path("f/<int:exercise_id>/assign/", facilitator.player_assign, name="console-assign"),
    path("f/<int:exercise_id>/players/rename/", facilitator.player_rename, name="console-player-rename"),
    path("f/<int:exercise_id>/players/remove/", facilitator.player_remove, name="console-player-remove"),
    path("f/<int:exercise_id>/players/switch/", facilitator.switch_decide, name="console-switch-decide"),
    path("f/<int:exercise_id>/end/", facilitator.exercise_end, name="exercise-end"),
    path("f/<int:exercise_id>/archive/", facilitator.exercise_archive, name="exercise-archive"),
    path("f/<int:exercise_id>/delete/", facilitator.exercise_delete, name="exercise-delete"),
    path("f/<int:exercise_id>/qr.svg", facilitator.join_qr, name="console-qr"),
    path("f/<int:exercise_id>/messages/", messages.console_messages, name="console-messages"),
    path("f/<int:exercise_id>/messages/broadcast/", messages.broadcast, name="console-broadcast"),
    path("f/<int:exercise_id>/override/", facilitator.override, name="console-override"),
    path("f/<int:exercise_id>/override/clear/", facilitator.override_clear, name="console-override-clear"),
    path("f/<int:exercise_id>/narrative/", facilitator.narrative, name="console-narrative"),
    path("f/<int:exercise_id>/inject/fire/", facilitator.inject_fire, name="console-inject-fire"),
    path("f/<int:exercise_id>/inject/skip/", facilitator.inject_skip, name="console-inject-skip"),
    path("f/<int:exercise_id>/inject/new/", facilitator.inject_new, name="console-inject-new"),
    path("f/<int:exercise_id>/clock/<str:action>/", facilitator.clock_control, name="console-clock-control"),
    path("f/<int:exercise_id>/argued/", facilitator.argued, name="console-argued"),
    path("f/<int:exercise_id>/crisis/choose/", facilitator.crisis_choose, name="console-crisis-choose"),
    path("f/<int:exercise_id>/crisis/settle/", facilitator.crisis_settle, name="console-crisis-settle"),
    path("f/<int:exercise_id>/crisis/minutes/", facilitator.crisis_minutes, name="console-crisis-minutes"),
    path("f/<int:exercise_id>/facilitators/", facilitator.facilitator_add, name="console-facilitator-add"),
    path("f/<int:exercise_id>/observers/", facilitator.observers_console, name="console-observers"),
    path("f/<int:exercise_id>/forecast/", forecast_views.start, name="console-forecast-start"),
    path("f/<int:exercise_id>/forecast/panel/", forecast_views.panel, name="console-forecast"),
    path("f/<int:exercise_id>/forecast/<int:forecast_id>/cancel/", forecast_views.cancel,
         name="console-forecast-cancel"),
    path("f/<int:exercise_id>/exports/", export_views.panel, name="exports-panel"),
    path("f/<int:exercise_id>/exports/new/", export_views.request_export, name="exports-request"),
    path("f/<int:exercise_id>/exports/<int:export_id>/download/", export_views.download, name="exports-download"),
    path("o/<str:code>/", plenary.observer, name="observer"),
    path("o/<str:code>/debrief/", debrief_views.debrief_observer, name="debrief-observer"),
    path("o/<str:code>/events/", ops.observer_events, name="observer-events"),
    path("admin/login/", auth.admin_login),  # throttled; admin.site.urls' own login below is never reached
    path("admin/", admin.site.urls),
]
