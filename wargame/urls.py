from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from wargame.exercises.views import auth, facilitator, messages, ops, player, plenary

urlpatterns = [
    path("", player.home, name="home"),
    path("healthz", ops.healthz, name="healthz"),
    path("ping", ops.ping, name="ping"),
    path("x/<str:code>/join/", player.join_team, name="player-join-team"),
    path("x/<str:code>/events/", ops.exercise_events, name="exercise-events"),
    path("x/<str:code>/plenary/", plenary.plenary, name="plenary"),
    path("x/<str:code>/t/<str:team>/", player.dashboard, name="player-dashboard"),
    path("x/<str:code>/t/<str:team>/orders/<int:slot>/", player.order_save, name="player-order-save"),
    path("x/<str:code>/t/<str:team>/messages/", messages.team_messages, name="player-messages"),
    path("x/<str:code>/t/<str:team>/messages/send/", messages.message_send, name="player-message-send"),
    path("x/<str:code>/t/<str:team>/messages/group/", messages.group_send, name="player-message-group"),
    path("x/<str:code>/t/<str:team>/messages/unread/", messages.unread_badge, name="player-messages-unread"),
    path("x/<str:code>/t/<str:team>/argued/", player.argued_save, name="player-argued-save"),
    path("x/<str:code>/t/<str:team>/counter/", player.counter_post, name="player-counter"),
    path("x/<str:code>/t/<str:team>/card/", player.card_pick, name="player-card"),
    path("facilitator/", facilitator.home, name="facilitator-home"),
    path("facilitator/login/", auth.facilitator_login, name="facilitator-login"),
    path("facilitator/logout/", auth_views.LogoutView.as_view(), name="facilitator-logout"),
    path("facilitator/new/", facilitator.exercise_new, name="exercise-new"),
    path("f/<int:exercise_id>/", facilitator.console, name="console"),
    path("f/<int:exercise_id>/lock/", facilitator.turn_lock, name="console-lock"),
    path("f/<int:exercise_id>/publish/", facilitator.turn_publish, name="console-publish"),
    path("f/<int:exercise_id>/clock/", facilitator.turn_clock, name="console-clock"),
    path("f/<int:exercise_id>/assign/", facilitator.player_assign, name="console-assign"),
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
    path("f/<int:exercise_id>/facilitators/", facilitator.facilitator_add, name="console-facilitator-add"),
    path("f/<int:exercise_id>/observers/", facilitator.observers_console, name="console-observers"),
    path("o/<str:code>/", plenary.observer, name="observer"),
    path("o/<str:code>/events/", ops.observer_events, name="observer-events"),
    path("admin/login/", auth.admin_login),  # throttled; admin.site.urls' own login below is never reached
    path("admin/", admin.site.urls),
]
