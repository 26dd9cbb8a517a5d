"""Theatre map for the Northeast Asia seminar wargame.

``theatre_svg(...)`` returns a self-contained inline SVG of the theatre (sea
zones, presence markers, incidents, and for the Sea of Okhotsk game straits,
ice, contacts and the viewer's own submarines); ``ZONES`` lists the sea zones
whose ids are shared with the engine and the scenarios (see
docs/ENGINE_CONTRACT.md), including ``okhotsk_north``, the northern Sea of
Okhotsk (north of 55 N), cut out of ``okhotsk``.

Pure Python, standard library only (no Django).

Country outlines: Natural Earth 1:50m "Admin 0 - Countries", public domain,
https://www.naturalearthdata.com/ -- clipped to 118-165 E, 30-62 N and
simplified (``northeast-asia.geojson`` in this package). Natural Earth draws the
four disputed islands as Russian; this map draws them in a neutral tone under a
hatched zone of their own, so that neither side's claim is implied.
"""

from .theatre import DEFAULT_COLOURS, ZONE_IDS, ZONES, Zone, theatre_svg, zone_name

__all__ = ["theatre_svg", "zone_name", "ZONES", "ZONE_IDS", "Zone", "DEFAULT_COLOURS"]
