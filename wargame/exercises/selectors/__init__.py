"""Reads. Views call these after access has handed them the object they may see. One module per page
family: common (turns, scenario, clock), team (a team's own view), console (White), plenary (the
projector), messages (negotiation as each reader sees it), crisis (the crisis sub-turn on each of them)."""

from .common import (
    ONLINE_SECONDS, clock, current_turn, dom_id, dyad_rows, last_published_turn, map_layers, scenario_for,
    turn_summary)
from .console import (
    MSEL_LABELS, console_argued, console_view, exercise_counts, exercise_log, exercise_replay, msel_rows,
    review_narratives, review_row, review_rows)
from .debrief import PARTS as DEBRIEF_PARTS, clean_parts as debrief_clean_parts, debrief_parts, debrief_view
from .crisis import console_crisis, crisis_rows, plenary_crisis, team_crisis
from .messages import console_messages, team_threads, team_unread_total, thread_info, thread_messages
from .plenary import plenary_view
from .team import (
    CATEGORIES, join_team_rows, other_teams, team_argued, team_by_code, team_catalogue, team_injects, team_last_result,
    team_orders, team_proposals, team_published_turns, team_turn_result, team_view)

__all__ = [
    "map_layers",
    "DEBRIEF_PARTS", "debrief_clean_parts", "debrief_parts", "debrief_view",
    "console_crisis", "crisis_rows", "plenary_crisis", "team_crisis",
    "ONLINE_SECONDS", "current_turn", "last_published_turn", "scenario_for", "clock", "turn_summary", "dyad_rows",
    "dom_id", "team_view", "team_orders", "team_catalogue", "CATEGORIES", "team_last_result", "team_published_turns",
    "team_turn_result", "team_proposals", "team_argued", "team_injects", "join_team_rows", "team_by_code",
    "other_teams", "console_view", "MSEL_LABELS", "msel_rows", "console_argued", "review_rows", "review_row",
    "review_narratives", "exercise_log", "exercise_replay", "exercise_counts",
    "plenary_view", "thread_info", "team_unread_total", "team_threads", "thread_messages", "console_messages",
]
