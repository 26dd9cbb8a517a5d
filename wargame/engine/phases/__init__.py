"""The phases of one turn (§4), in the order resolve_turn runs them, one module each.

inputs (White's overrides and ad-hoc injects checked) → pending (delayed effects fall due) → injects →
orders → opposed → actions (diplomatic, economic, military) → argued → incidents → update (drift, IL,
D, RP) → triggers (crisis, rungs, bands, domestic pressure) → end. `turn.Turn` is what they share.
"""
