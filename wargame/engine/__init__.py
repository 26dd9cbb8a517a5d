"""Pure rules engine (stdlib only; never imports Django). See docs/ENGINE_CONTRACT.md."""
from .adjudication import card_median
from .bots import BOT_POLICIES, BOT_POLICY_NAMES, BotError, bot_crisis_choice, bot_orders, bot_policies
from .crisis import CRISIS_CHOICES, CrisisError, CrisisResult, crisis_dyads, resolve_crisis
from .events import HEADLINE_KINDS, EventId, audience_includes, parse_event_id, visible_to
from .msel import InjectStatus, ResolvedTurn, injects_announced, msel_status
from .orders import (ARGUED_MODE_FOR_SETTING, ARGUED_MODES, ICE, NOT_UNLOCKED, OVER_BUDGET, OVERRIDE_KINDS,
                     OVERRIDE_REASONS, ArguedError, ArguedOrder, BilateralProposal, EngineInputError, GameOverError,
                     InjectError, InjectInput, Order, Override, OverrideError, Refusal, available_actions,
                     bilateral_status, check_orders, effective_cost, order_from_dict)
from .perception import (game_date, hidden_positions, objectives_status, own_contacts, perceive,
                         public_presence)
from .seasons import ice_closed, ice_zones, quarter
from .resolve import TurnResult, resolve_turn
from .spec import ActionSpec, InjectSpec, ObjectiveSpec, Scenario, TeamSpec
from .state import (BAND_NAMES, RUNG_NAMES, VARIABLES, ActorState, DyadState, GameState, band_name, dyad_key,
                    tension_rung)

__all__ = [
    "BOT_POLICIES", "BOT_POLICY_NAMES", "BotError", "bot_crisis_choice", "bot_orders", "bot_policies",
    "CRISIS_CHOICES", "CrisisError", "CrisisResult", "crisis_dyads", "resolve_crisis",
    "card_median", "HEADLINE_KINDS", "EventId", "audience_includes", "parse_event_id", "visible_to",
    "InjectStatus", "ResolvedTurn", "injects_announced", "msel_status",
    "ARGUED_MODE_FOR_SETTING", "NOT_UNLOCKED", "OVER_BUDGET", "BilateralProposal", "Refusal", "bilateral_status",
    "VARIABLES",
    "ARGUED_MODES", "OVERRIDE_KINDS", "OVERRIDE_REASONS", "ArguedError", "ArguedOrder", "EngineInputError",
    "GameOverError", "InjectError", "InjectInput", "Order", "Override", "OverrideError", "available_actions",
    "check_orders", "effective_cost", "order_from_dict", "game_date", "objectives_status", "perceive", "public_presence",
    "TurnResult", "resolve_turn", "ActionSpec", "InjectSpec", "ObjectiveSpec", "Scenario", "TeamSpec",
    "BAND_NAMES", "RUNG_NAMES", "ActorState", "DyadState", "GameState", "band_name", "dyad_key",
    "tension_rung", "ICE", "quarter", "ice_zones", "ice_closed", "hidden_positions", "own_contacts",
]
