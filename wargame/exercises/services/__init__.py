"""Every write. Each service owns its transaction, locks what it changes and rings the doorbell on commit
(common.record). Keyword-only arguments, named <thing>_<verb>. One module per subject:

- exercises: create, co-facilitators, end, archive, delete
- roster: joining, teams, switching, renaming, removing, presence
- orders: a team's orders, argued action, counters and estimate cards for the open turn
- turns: clock, lock, resolve (on the worker, exactly once), publish
- bots: handing a team without players to a bot, its orders at lock and its crisis choices
- crisis: the crisis sub-turn that opens a turn after one ending at rung 4 or more
- review: White's overrides, re-rolls, narratives and injects on a proposed result
- messages: negotiation and read markers
- fork: a copy of an exercise up to turn N, whose orders White may change (order_set_by_white)
- scenarios: a facilitator's uploaded scenario (checked as scenario_check checks files) and its calibration
- exports: White's export files (archive, analysts' CSV), made on the worker with their progress
- engine_io: a turn's rows as engine inputs, and the engine run on them
- common: refusals, text limits, and the log + version + doorbell tail

Work for the Celery worker is enqueued by name through wargame.exercises.jobs, never by importing tasks.
"""

from wargame import engine  # views read engine constants through services

from .common import (
    AIM_MAX_CHARS, CONTROL_CHARACTERS, INJECT_TEXT_MAX_CHARS, INJECT_TITLE_MAX_CHARS, NARRATIVE_MAX_CHARS,
    NOTE_MAX_CHARS, OVERRIDE_NOTE_MAX_CHARS, OrderConflict, PlayerRemoved, SeatTaken, ServiceError, StaleAction,
    clean_text, team_codes)
from .bots import bot_assign, bot_release, bots_choose_in_crisis, bots_order
from .crisis import (
    CRISIS_MINUTES_MAX, crises_enforce, crisis_choose, crisis_choose_for_team, crisis_set_minutes, crisis_settle,
    crisis_settle_now)
from .debrief import debrief_release, debrief_withdraw
from .exercises import (
    ENDED_REASON_MAX_CHARS, exercise_archive, exercise_create, exercise_delete, exercise_end, exercise_start_practice,
    facilitator_add, observers_console_set, scenario_sync)
from .exports import export_request, export_run
from .forecast import forecast_cancel, forecast_chunk_run, forecast_defaults, forecast_start, forecasts_requeue
from .fork import exercise_fork, order_set_by_white
from .messages import (
    PLAYER_MESSAGE_KINDS, message_broadcast, message_post, message_send, message_thread, thread_mark_read)
from .orders import argued_save, card_pick, counter_post, order_save
from .scenarios import (
    ScenarioRefused, scenario_calibrate, scenario_calibration_requeue, scenario_check, scenario_upload)
from .review import (
    argued_adjudicate, inject_adhoc, inject_fire_now, inject_skip, narrative_edit, turn_override, turn_override_clear)
from .roster import (
    NAME_MAX_CHARS, SEEN_EVERY, player_choose_team, player_join, player_remove, player_rename, player_seen,
    player_session_rekey, player_switch_decide, player_switch_request)
from .turns import (
    RESOLVE_REQUEUE_MAX_INTERVAL, clock_extend, clock_pause, clock_resume, deadlines_enforce, resolve_grace, turn_lock,
    turn_publish, turn_resolve, turn_resolve_retry, turn_set_deadline, turns_requeue)


__all__ = [
    "bot_assign", "bot_release", "bots_choose_in_crisis", "bots_order",
    "debrief_release", "debrief_withdraw",
    "exercise_fork", "order_set_by_white",
    "forecast_cancel", "forecast_chunk_run", "forecast_defaults", "forecast_start", "forecasts_requeue",
    "CRISIS_MINUTES_MAX", "crises_enforce", "crisis_choose", "crisis_choose_for_team", "crisis_set_minutes",
    "crisis_settle", "crisis_settle_now",
    "engine", "AIM_MAX_CHARS", "CONTROL_CHARACTERS", "INJECT_TEXT_MAX_CHARS", "INJECT_TITLE_MAX_CHARS",
    "NARRATIVE_MAX_CHARS", "NOTE_MAX_CHARS", "OVERRIDE_NOTE_MAX_CHARS", "OrderConflict", "PlayerRemoved",
    "SeatTaken", "ServiceError", "StaleAction", "clean_text", "team_codes", "ENDED_REASON_MAX_CHARS",
    "exercise_archive", "exercise_create", "exercise_delete", "exercise_end", "exercise_start_practice",
    "facilitator_add",
    "observers_console_set", "scenario_sync", "export_request", "export_run", "PLAYER_MESSAGE_KINDS",
    "message_broadcast", "message_post",
    "message_send", "message_thread", "thread_mark_read", "argued_save", "card_pick", "counter_post", "order_save",
    "argued_adjudicate", "inject_adhoc", "inject_fire_now", "inject_skip", "narrative_edit", "turn_override",
    "turn_override_clear", "NAME_MAX_CHARS", "SEEN_EVERY", "player_choose_team", "player_join", "player_remove",
    "player_rename", "player_seen", "player_session_rekey", "player_switch_decide", "player_switch_request",
    "RESOLVE_REQUEUE_MAX_INTERVAL", "clock_extend", "clock_pause", "clock_resume", "deadlines_enforce",
    "resolve_grace", "turn_lock", "turn_publish", "turn_resolve", "turn_resolve_retry", "turn_set_deadline",
    "turns_requeue",
    "ScenarioRefused", "scenario_calibrate", "scenario_calibration_requeue", "scenario_check", "scenario_upload",
]
