"""Scenario files and their loader (no Django)."""
from .loader import ScenarioError, load_scenario, load_scenario_file, loads, scenario_slugs

__all__ = ["ScenarioError", "load_scenario", "load_scenario_file", "loads", "scenario_slugs"]
