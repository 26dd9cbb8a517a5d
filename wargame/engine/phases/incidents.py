"""Incidents (§7): each dyad whose forces share a zone, are in contact or are forced rolls once."""
from __future__ import annotations

from .. import incidents


def roll_incidents(turn):
    incidents.incident_phase(turn)
