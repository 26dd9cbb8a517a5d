"""Pure rules engine (stdlib only; never imports Django). See docs/ENGINE_CONTRACT.md."""
from .orders import (ARGUED_MODES, OVERRIDE_KINDS, OVERRIDE_REASONS, ArguedError, ArguedOrder, EngineInputError,
                     GameOverError, InjectError, InjectInput, Order, Override, OverrideError, available_actions,
                     check_orders, effective_cost, order_from_dict)
from .perception import game_date, objectives_status, perceive, public_presence
from .resolve import TurnResult, resolve_turn
from .spec import ActionSpec, InjectSpec, ObjectiveSpec, Scenario, TeamSpec
from .state import (BAND_NAMES, RUNG_NAMES, ActorState, DyadState, GameState, band_name, dyad_key,
                    tension_rung)

__all__ = [
    "ARGUED_MODES", "OVERRIDE_KINDS", "OVERRIDE_REASONS", "ArguedError", "ArguedOrder", "EngineInputError",
    "GameOverError", "InjectError", "InjectInput", "Order", "Override", "OverrideError", "available_actions",
    "check_orders", "effective_cost", "order_from_dict", "game_date", "objectives_status", "perceive", "public_presence",
    "TurnResult", "resolve_turn", "ActionSpec", "InjectSpec", "ObjectiveSpec", "Scenario", "TeamSpec",
    "BAND_NAMES", "RUNG_NAMES", "ActorState", "DyadState", "GameState", "band_name", "dyad_key",
    "tension_rung",
]
