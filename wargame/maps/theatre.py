"""Theatre map of Northeast Asia as a self-contained inline SVG string.

Pure Python (stdlib only). Country outlines come from Natural Earth 1:50m
"Admin 0 - Countries" (public domain, naturalearthdata.com), stored next to
this module as ``northeast-asia.geojson``.

Layers, bottom to top:

1. sea (pale blue) and a faint graticule;
2. the sea zones (translucent, dashed outlines) -- drawn *under* the land so
   the coastline clips them; then, when given, the ice (a pale pattern and a
   ticked "ice edge" line) and the straits (hatched, solid navy outline);
3. land, one muted tone per country. The four disputed islands are taken out
   of the Russian feature and drawn in a neutral tone;
4. the disputed-islands zone, hatched, *on top* of the land;
5. country names, zone labels, ice labels, strait glyphs ")(", presence
   markers, the viewer's own submarines and contacts ("T3"), incident
   markers, legend and the data credit.

The Sea of Okhotsk layers (straits, ice, contacts, own submarines) draw only
what the caller passes: the map never looks a position up itself, so a team's
map shows no one else's submarines.

The output uses only SVG presentation attributes (``fill=``, ``stroke=``,
``font-size=`` ...) and class names: no ``style=`` attribute and no script,
so it passes a ``style-src 'self'`` Content-Security-Policy.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["Zone", "ZONES", "ZONE_IDS", "DEFAULT_COLOURS", "theatre_svg", "zone_name"]

DATA_FILE = Path(__file__).with_name("northeast-asia.geojson")
CREDIT = "Map data: Natural Earth (public domain)"

# --------------------------------------------------------------------------
# Projection: equirectangular, x scaled by cos(46 deg).
# --------------------------------------------------------------------------
LON_W, LON_E = 118.0, 165.0
LAT_S, LAT_N = 30.0, 61.0
_KX = math.cos(math.radians(46.0))
VIEW_W = 1000.0
_SCALE = VIEW_W / ((LON_E - LON_W) * _KX)  # viewBox units per degree of latitude
VIEW_H = round((LAT_N - LAT_S) * _SCALE, 1)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Longitude/latitude -> viewBox x/y."""
    return (lon - LON_W) * _KX * _SCALE, (LAT_N - lat) * _SCALE


def _pt(lon: float, lat: float) -> str:
    x, y = project(lon, lat)
    return f"{x:.1f} {y:.1f}"


def _path_d(rings: Iterable[Iterable[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        pts = [_pt(lon, lat) for lon, lat in ring]
        if len(pts) < 3:
            continue
        parts.append("M" + "L".join(pts) + "Z")
    return "".join(parts)


# --------------------------------------------------------------------------
# Zones
# --------------------------------------------------------------------------
class Zone(NamedTuple):
    id: str
    name: str
    label_lonlat: tuple[float, float]
    polygon_lonlat: tuple[tuple[float, float], ...]


# Shared boundaries, so neighbouring zones meet without gaps or overlaps.
_SOUTH_KURILS_NW = (  # Nemuro Strait -> north of Etorofu/Iturup, west to east
    (145.38, 43.95), (145.45, 44.22), (145.72, 44.40), (146.10, 44.66),
    (146.70, 44.80), (147.40, 45.22), (148.20, 45.55), (148.80, 45.76),
    (149.00, 45.78),
)
_SOUTH_KURILS_SE = (  # Nemuro peninsula -> south of Etorofu/Iturup, west to east
    (145.86, 43.47), (145.85, 43.33), (146.20, 43.28), (146.75, 43.52),
    (147.15, 43.80), (148.20, 44.32), (149.00, 44.86),
)
_NORTH_KURILS_NW = (  # west to east, Okhotsk side
    (149.00, 45.78), (149.35, 46.35), (150.40, 46.75), (151.60, 47.45),
    (152.75, 48.12), (153.65, 49.05), (154.35, 49.85), (154.95, 50.45),
    (155.40, 51.20), (156.75, 51.35),
)
_NORTH_KURILS_SE = (  # west to east, Pacific side
    (149.00, 44.86), (150.00, 45.20), (151.20, 45.85), (152.60, 46.50),
    (153.65, 47.30), (154.70, 48.25), (155.60, 49.05), (156.70, 49.85),
    (157.40, 50.60), (157.20, 51.35),
)
# Soya: Hokkaido (Cape Soya) -- Sakhalin (Cape Crillon / Aniva Bay)
_SOYA = ((141.75, 45.05), (141.40, 45.45), (141.50, 46.25), (142.05, 46.30),
         (142.55, 46.75), (143.05, 46.30), (142.60, 44.90))
# Down the middle of Sakhalin, south to north (Tatar Strait west, Okhotsk east)
_SAKHALIN = ((142.35, 47.50), (142.37, 48.00), (142.50, 49.00), (143.00, 50.00),
             (142.80, 51.00), (142.40, 52.00))
# Tsugaru: Honshu (Tsugaru / Shimokita) -- Hokkaido (Oshima peninsula)
_TSUGARU = ((140.45, 40.95), (139.95, 41.25), (140.15, 41.55), (141.10, 41.80),
            (141.62, 41.42), (141.35, 40.95))
_KOREA_STRAIT = ((127.55, 34.50), (128.60, 32.95), (129.70, 33.05), (130.70, 33.60),
                 (131.45, 34.45), (129.45, 35.55), (128.20, 35.30))

# The northern Sea of Okhotsk (the ice-prone shelf along the Siberian and
# Kamchatka coasts) is its own zone, cut from "okhotsk" along 55 N: both ends of
# the line are inland, on the okhotsk polygon's west and east edges.
_OKHOTSK_ICE_LINE = ((134.76, 55.00), (158.11, 55.00))  # west to east
_OKHOTSK_SOUTH_RIM = (
    (_SOYA[4], _SOYA[5], _SOYA[6], (144.00, 43.95), (144.90, 43.85))
    + _SOUTH_KURILS_NW + _NORTH_KURILS_NW[1:] + ((157.00, 53.00),)
)
_OKHOTSK_NORTH_RIM = ((159.50, 57.50), (162.50, 60.00), (163.50, 61.60), (150.00, 61.60),
                      (140.50, 60.00), (135.50, 57.00))  # east to west
_OKHOTSK_WEST_RIM = ((134.50, 54.30), (140.60, 53.45), (142.75, 53.40), (142.60, 53.00)) \
    + tuple(reversed(_SAKHALIN))

ZONES: tuple[Zone, ...] = (
    Zone(
        "okhotsk", "Sea of Okhotsk (bastion)", (149.3, 53.75),
        _OKHOTSK_SOUTH_RIM + tuple(reversed(_OKHOTSK_ICE_LINE)) + _OKHOTSK_WEST_RIM,
    ),
    Zone(
        "okhotsk_north", "Northern Sea of Okhotsk", (147.7, 58.05),
        _OKHOTSK_ICE_LINE + _OKHOTSK_NORTH_RIM,
    ),
    Zone(
        "kurils_south", "Disputed islands", (148.2, 43.05),
        _SOUTH_KURILS_NW + tuple(reversed(_SOUTH_KURILS_SE))
        + ((145.62, 43.52), (145.40, 43.62)),
    ),
    Zone(
        "kurils_north", "Northern Kurils", (158.6, 48.55),
        _NORTH_KURILS_NW + tuple(reversed(_NORTH_KURILS_SE)),
    ),
    Zone("soya", "Soya / La Pérouse Strait", (143.6, 48.05), _SOYA),
    Zone("tsugaru", "Tsugaru Strait", (139.0, 42.75), _TSUGARU),
    Zone(
        "sea_of_japan", "Sea of Japan / East Sea", (135.2, 40.25),
        ((129.45, 35.55), (131.45, 34.45), (133.00, 35.20), (135.80, 35.20),
         (136.80, 36.30), (138.30, 37.00), (139.80, 38.20), (140.40, 39.50),
         (140.30, 40.40), _TSUGARU[0], _TSUGARU[1], _TSUGARU[2],
         (140.60, 42.70), (141.60, 43.60), _SOYA[0], _SOYA[1], _SOYA[2], _SOYA[3],
         _SOYA[4]) + _SAKHALIN + ((140.20, 52.00),
         (140.00, 49.50), (138.00, 47.00), (135.50, 44.80), (133.00, 43.60),
         (131.00, 43.00), (129.50, 42.00), (127.80, 40.30), (127.00, 39.00),
         (128.80, 37.00)),
    ),
    Zone("korea_strait", "Korea / Tsushima Strait", (130.25, 37.35), _KOREA_STRAIT),
    Zone(
        "east_china_sea", "East China Sea (Senkaku/Diaoyu)", (124.6, 32.45),
        ((120.80, 29.50), (121.30, 32.00), (126.20, 34.40), _KOREA_STRAIT[0],
         _KOREA_STRAIT[1], (129.90, 32.60), (130.45, 31.45), (130.55, 29.50)),
    ),
    Zone(
        "nw_pacific", "Northwest Pacific", (155.5, 38.9),
        ((_TSUGARU[3], _TSUGARU[4], _TSUGARU[5], (141.00, 40.50), (140.70, 38.50),
          (140.20, 36.50), (139.50, 35.50), (137.50, 34.90), (135.50, 34.90),
          (133.50, 34.75), (132.20, 34.45), (131.30, 34.20), (130.90, 33.50),
          (131.00, 32.00), (130.45, 31.45), (130.55, 29.50),
          (165.80, 29.50), (165.80, 61.60), (163.50, 61.60), (162.50, 60.00),
          (160.50, 57.00), (158.00, 53.50),
          (157.60, 52.00))
         + tuple(reversed(_NORTH_KURILS_SE))
         + tuple(reversed(_SOUTH_KURILS_SE))
         + ((145.30, 43.24), (144.00, 43.20), (142.50, 42.80), (141.00, 42.80),
            (140.20, 42.40), (140.55, 41.95))),
    ),
)
ZONE_IDS: tuple[str, ...] = tuple(z.id for z in ZONES)
_ZONE_BY_ID = {z.id: z for z in ZONES}

# A scenario without "okhotsk_north" (Northern Territories) has one Sea of
# Okhotsk: the map then draws the whole sea as "okhotsk", as it did before.
_OKHOTSK_WHOLE = Zone("okhotsk", "Sea of Okhotsk (bastion)", (149.3, 54.2),
                      _OKHOTSK_SOUTH_RIM + _OKHOTSK_NORTH_RIM + _OKHOTSK_WEST_RIM)
_MERGED_ZONES: tuple[Zone, ...] = tuple(
    _OKHOTSK_WHOLE if z.id == "okhotsk" else z for z in ZONES if z.id != "okhotsk_north")


def _zone_set(split: bool) -> tuple[Zone, ...]:
    return ZONES if split else _MERGED_ZONES


@lru_cache(maxsize=2)
def _zones_by_id(split: bool) -> dict[str, Zone]:
    return {z.id: z for z in _zone_set(split)}

# How each zone label is laid out: text lines (text, minor), text-anchor, and
# an optional leader line to a point of the zone, starting from the "left" of a
# line or the "top" of the label. Minor lines are dropped when compact=True.
_LABELS: dict[str, dict[str, Any]] = {
    "okhotsk": {"lines": (("Sea of Okhotsk", False), ("(bastion)", False))},
    "okhotsk_north": {"lines": (("Northern Sea", False), ("of Okhotsk", False)),
                      "compact_at": (147.7, 58.5)},
    "kurils_south": {
        "lines": (("Disputed islands", False),
                  ("Northern Territories /", False),
                  ("Southern Kurils", False),
                  ("Etorofu/Iturup · Kunashiri/Kunashir", True),
                  ("Shikotan · Habomai", True)),
        "anchor": "start", "leader": (147.0, 43.75), "leader_from": ("left", 0),
    },
    "kurils_north": {"lines": (("Northern Kurils", False),)},
    "soya": {"lines": (("Soya / La Pérouse", False), ("Strait", False)),
             "anchor": "start", "leader": (142.0, 45.72), "leader_from": ("left", 0)},
    "tsugaru": {"lines": (("Tsugaru Strait", False),), "anchor": "end",
                "leader": (140.6, 41.42), "leader_from": ("right", 0)},
    "sea_of_japan": {"lines": (("Sea of Japan", False), ("East Sea", False))},
    "korea_strait": {"lines": (("Korea / Tsushima", False), ("Strait", False)),
                     "anchor": "start", "leader": (129.65, 34.55),
                     "leader_from": ("left", 0)},
    "east_china_sea": {"lines": (("East China Sea", False),), "compact_at": (124.2, 32.8)},
    "nw_pacific": {"lines": (("Northwest Pacific", False),)},
}

# --------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------
_LAND_FILL = {
    "RUS": "#dde3d5",
    "CHN": "#e5e3d5",
    "MNG": "#e9e4d3",
    "PRK": "#dedfd3",
    "KOR": "#e2e8dc",
    "JPN": "#dbe6d4",
}
_DISPUTED_LAND_FILL = "#eceae4"
_COUNTRY_LABELS = (
    # (text, lon, lat, font size, rotate, minor)
    ("RUSSIA", 129.5, 56.4, 22, 0, False),
    ("CHINA", 124.6, 45.2, 20, 0, False),
    ("Mongolia", 118.97, 47.28, 10, 0, True),
    ("JAPAN", 138.6, 36.35, 15, -38, False),
    ("NORTH", 126.75, 40.55, 11, 0, False),
    ("KOREA", 126.75, 40.05, 11, 0, False),
    ("SOUTH", 128.05, 36.65, 11, 0, False),
    ("KOREA", 128.05, 36.15, 11, 0, False),
)
# The four disputed islands (and islets) are the Russian polygons that lie
# entirely inside this box.
_DISPUTED_BOX = (145.2, 43.2, 148.95, 45.6)

DEFAULT_COLOURS: dict[str, str] = {
    "JPN": "#2563eb",
    "RUS": "#dc2626",
    "CHN": "#d97706",
    "USA": "#16a34a",
    "KOR": "#7c3aed",
}
_TEAM_ORDER = ("JPN", "RUS", "CHN", "USA", "KOR")
_FALLBACK_COLOUR = "#475569"
_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_ID_RE = re.compile(r"[^A-Za-z0-9_-]")

_FONT = "'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif"
_SEA = "#d6e8f5"
_SEA_TEXT = "#1d4a73"
_HALO_SEA = "#e9f3fa"
_HALO_LAND = "#f4f4ef"
_ZONE_STROKE = "#3f78ad"
_INCIDENT = "#b91c1c"


def _esc(s: object) -> str:
    return html.escape(str(s), quote=True)


# rough advance widths (em) of a sans-serif face, generous for DejaVu Sans
def _text_w(s: str, size: float, bold: bool = False) -> float:
    w = 0.0
    for ch in s:
        if ch in " .,:;!|'·":
            w += 0.30
        elif ch in "ilj()/[]-~":
            w += 0.36
        elif ch.isdigit():
            w += 0.60
        elif ch.isupper():
            w += 0.70
        elif ch in "mw":
            w += 0.88
        else:
            w += 0.58
    return w * size * (1.08 if bold else 1.0)


def _fmt(v: float) -> str:
    return f"{v:.1f}"


# --------------------------------------------------------------------------
# Static layers (computed once)
# --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _land_paths() -> tuple[tuple[tuple[str, str, str], ...], str]:
    """((iso, name, path d), ...) and the path of the disputed islands."""
    with DATA_FILE.open(encoding="utf-8") as fh:
        data = json.load(fh)
    x0, y0, x1, y1 = _DISPUTED_BOX
    out = []
    disputed_rings: list = []
    for feat in data["features"]:
        props = feat["properties"]
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        keep = []
        for poly in polys:
            outer = poly[0]
            inside = all(x0 <= lon <= x1 and y0 <= lat <= y1 for lon, lat in outer)
            if inside and props["iso_a3"] == "RUS":
                disputed_rings.extend(poly)
            else:
                keep.extend(poly)
        out.append((props["iso_a3"], props["name"], _path_d(keep)))
    return tuple(out), _path_d(disputed_rings)


def _clamp(pt: tuple[float, float]) -> tuple[float, float]:
    lon, lat = pt
    return min(max(lon, LON_W), LON_E), min(max(lat, LAT_S), LAT_N)


@lru_cache(maxsize=2)
def _zone_paths(split: bool = True) -> dict[str, str]:
    # Zones run off the map's edges; clamp them to the box so a letterboxed map shows no stray outline.
    return {z.id: _path_d([[_clamp(p) for p in z.polygon_lonlat]]) for z in _zone_set(split)}


def _halo_text(x: float, y: float, text: str, *, size: float, fill: str, halo: str,
               anchor: str = "middle", weight: str | None = None, italic: bool = False,
               cls: str = "label", extra: str = "", spacing: float | None = None,
               rotate: float = 0.0, halo_w: float = 3.2) -> str:
    attrs = [f'class="{cls}"', f'x="{_fmt(x)}"', f'y="{_fmt(y)}"',
             f'font-size="{size:g}"', f'fill="{fill}"', f'stroke="{halo}"',
             f'stroke-width="{halo_w:g}"', 'stroke-linejoin="round"',
             'paint-order="stroke"', f'text-anchor="{anchor}"']
    if weight:
        attrs.append(f'font-weight="{weight}"')
    if italic:
        attrs.append('font-style="italic"')
    if spacing:
        attrs.append(f'letter-spacing="{spacing:g}"')
    if rotate:
        attrs.append(f'transform="rotate({rotate:g} {_fmt(x)} {_fmt(y)})"')
    if extra:
        attrs.append(extra)
    return f"<text {' '.join(attrs)}>{_esc(text)}</text>"


@lru_cache(maxsize=64)
def _label_layout(zone_id: str, compact: bool, split: bool = True) -> dict[str, Any]:
    """Label lines, their positions and the box they occupy (computed once)."""
    zone = _zones_by_id(split)[zone_id]
    spec = _LABELS.get(zone.id, {"lines": ((zone.name, False),)})
    anchor = spec.get("anchor", "middle")
    size = 19.0 if compact else 15.5
    minor_size = 12.5
    x, y = project(*(spec.get("compact_at", zone.label_lonlat) if compact else zone.label_lonlat))
    lines = []
    cy = y
    for i, (text, minor) in enumerate(t for t in spec["lines"] if not (compact and t[1])):
        s = minor_size if minor else size
        bold = i == 0 and zone.id == "kurils_south"
        w = _text_w(text, s, bold)
        left = x - w / 2 if anchor == "middle" else (x - w if anchor == "end" else x)
        lines.append({"text": text, "y": cy, "size": s, "bold": bold, "minor": minor,
                      "w": w, "left": left})
        cy += s * 1.18
    width = max(ln["w"] for ln in lines)
    left = min(ln["left"] for ln in lines)
    last = lines[-1]
    return {"x": x, "y": y, "lines": tuple(lines), "anchor": anchor, "left": left,
            "width": width, "bottom": last["y"] + last["size"] * 0.3,
            "top": y - size * 0.8, "size": size, "leader": spec.get("leader"),
            "leader_from": spec.get("leader_from", ("top", 0))}


@lru_cache(maxsize=64)
def _static_layers(uid: str, compact: bool,
                   split: bool = True) -> tuple[str, str, dict[str, str], dict[str, str], str]:
    """(head, land, zones normal, zones highlighted, labels) for one dom id."""
    countries, disputed_d = _land_paths()
    zpaths = _zone_paths(split)
    zones = _zone_set(split)
    w, h = VIEW_W, VIEW_H

    defs = (
        "<defs>"
        f'<pattern id="{uid}-hatch" patternUnits="userSpaceOnUse" width="7" height="7" '
        'patternTransform="rotate(45)">'
        '<rect width="7" height="7" fill="#f5f3ee" fill-opacity="0.35"/>'
        '<line x1="0" y1="0" x2="0" y2="7" stroke="#57534e" stroke-width="1.6" '
        'stroke-opacity="0.75"/></pattern>'
        "</defs>"
    )
    # sea + graticule
    grat = ['<g class="graticule" fill="none" stroke="#ffffff" stroke-width="0.8" '
            'stroke-opacity="0.7">']
    for lon in range(120, 165, 5):
        x, _ = project(lon, 0)
        grat.append(f'<line x1="{_fmt(x)}" y1="0" x2="{_fmt(x)}" y2="{h:g}"/>')
    for lat in range(35, 61, 5):
        _, y = project(0, lat)
        grat.append(f'<line x1="0" y1="{_fmt(y)}" x2="{w:g}" y2="{_fmt(y)}"/>')
    grat.append("</g>")
    head = defs + f'<rect class="sea" width="{w:g}" height="{h:g}" fill="{_SEA}"/>' + "".join(grat)

    # zones (under the land); kurils_south is drawn on top of the land instead
    zone_normal: dict[str, str] = {}
    zone_hi: dict[str, str] = {}
    for z in zones:
        d = zpaths[z.id]
        common = (f'id="{uid}-zone-{z.id}" class="zone zone-{z.id}" data-zone="{z.id}" '
                  f'd="{d}" stroke-linejoin="round"')
        name = f"<title>{_esc(z.name)}</title>"
        if z.id == "kurils_south":
            zone_normal[z.id] = (
                f'<path {common} fill="url(#{uid}-hatch)" stroke="#44403c" '
                f'stroke-width="1.6" stroke-dasharray="5 3">{name}</path>')
            zone_hi[z.id] = (
                f'<path {common} fill="url(#{uid}-hatch)" stroke="{_INCIDENT}" '
                f'stroke-width="2.6" data-incident="true">{name}</path>')
        else:
            fill_op = "0.10" if z.id in ("okhotsk", "okhotsk_north") else "0.06"
            zone_normal[z.id] = (
                f'<path {common} fill="#1e5b99" fill-opacity="{fill_op}" '
                f'stroke="{_ZONE_STROKE}" stroke-width="1.5" stroke-dasharray="6 4">{name}</path>')
            zone_hi[z.id] = (
                f'<path {common} fill="#1e5b99" fill-opacity="{fill_op}" '
                f'stroke="{_INCIDENT}" stroke-width="2.4" stroke-dasharray="9 4" '
                f'data-incident="true">{name}</path>')

    # land
    land = ['<g class="land" stroke="#a3a89a" stroke-width="0.7" stroke-linejoin="round">']
    for iso, name, d in countries:
        land.append(f'<path class="country" data-country="{_esc(iso)}" '
                    f'fill="{_LAND_FILL.get(iso, "#e5e5dc")}" d="{d}">'
                    f"<title>{_esc(name)}</title></path>")
    land.append(f'<path class="country disputed-land" data-country="disputed" '
                f'fill="{_DISPUTED_LAND_FILL}" stroke="#78716c" d="{disputed_d}">'
                "<title>Disputed islands</title></path>")
    land.append("</g>")

    # labels: countries, then zones
    lab = [f'<g class="country-labels" font-weight="600" font-family="{_FONT}">']
    for text, lon, lat, size, rot, minor in _COUNTRY_LABELS:
        if compact and minor:
            continue
        x, y = project(lon, lat)
        s = size * (1.15 if compact else 1.0)
        lab.append(_halo_text(x, y, text, size=s, fill="#575e51", halo=_HALO_LAND,
                              spacing=(2 if size > 12 else (1 if text.isupper() else 0)), rotate=rot, cls="country-label",
                              halo_w=2.5))
    lab.append("</g>")
    if not compact:
        # graticule ticks along the edges
        lab.append(f'<g class="graticule-labels" font-family="{_FONT}">')
        for lat in range(35, 61, 5):
            _, y = project(0, lat)
            lab.append(_halo_text(4, y - 3, f"{lat}°N", size=10, fill="#556070",
                                  halo=_HALO_LAND, anchor="start", cls="tick", halo_w=2))
        for lon in range(120, 165, 5):
            x, _ = project(lon, 0)
            lab.append(_halo_text(x + 3, 13, f"{lon}°E", size=10, fill="#556070",
                                  halo=_HALO_LAND, anchor="start", cls="tick", halo_w=2))
        lab.append("</g>")
    lab.append(f'<g class="zone-labels" font-family="{_FONT}">')
    for z in zones:
        lay = _label_layout(z.id, compact, split)
        g = [f'<g class="zone-label" data-zone="{z.id}">']
        if lay["leader"]:
            tx, ty = project(*lay["leader"])
            side, idx = lay["leader_from"]
            ln = lay["lines"][min(idx, len(lay["lines"]) - 1)]
            if side == "left":
                sx, sy = ln["left"] - 5, ln["y"] - ln["size"] * 0.33
            elif side == "right":
                sx, sy = ln["left"] + ln["w"] + 5, ln["y"] - ln["size"] * 0.33
            else:
                sx, sy = lay["x"], lay["top"] - 3
            g.append(f'<line x1="{_fmt(sx)}" y1="{_fmt(sy)}" x2="{_fmt(tx)}" y2="{_fmt(ty)}" '
                     f'stroke="{_SEA_TEXT}" stroke-width="1.2" stroke-opacity="0.8"/>'
                     f'<circle cx="{_fmt(tx)}" cy="{_fmt(ty)}" r="2.6" fill="{_SEA_TEXT}"/>')
        for ln in lay["lines"]:
            g.append(_halo_text(lay["x"], ln["y"], ln["text"], size=ln["size"],
                                fill="#3f3a36" if z.id == "kurils_south" else _SEA_TEXT,
                                halo=_HALO_SEA, anchor=lay["anchor"],
                                weight="700" if ln["bold"] else ("400" if ln["minor"] else "600"),
                                italic=z.id != "kurils_south" and not ln["minor"]))
        g.append("</g>")
        lab.append("".join(g))
    lab.append("</g>")
    # Senkaku / Diaoyu lie south of the map frame (25.7 N, 123.5 E)
    sx, _ = project(123.5, 30.0)
    arrow_y = h - 22
    lab.append(
        f'<g class="off-map" data-zone="east_china_sea" font-family="{_FONT}">'
        f'<path d="M{_fmt(sx - 6)} {_fmt(h - 16)}L{_fmt(sx + 6)} {_fmt(h - 16)}L{_fmt(sx)} {_fmt(h - 6)}Z" '
        f'fill="{_SEA_TEXT}"/>'
        + _halo_text(sx, arrow_y, "Senkaku / Diaoyu (25.7°N)", size=15 if compact else 12.5,
                     fill=_SEA_TEXT, halo=_HALO_SEA, weight="600")
        + "</g>"
    )
    return head, "".join(land), zone_normal, zone_hi, "".join(lab)


# --------------------------------------------------------------------------
# Dynamic parts
# --------------------------------------------------------------------------
def _team_sort_key(code: str) -> tuple[int, str]:
    try:
        return (_TEAM_ORDER.index(code), code)
    except ValueError:
        return (len(_TEAM_ORDER), code)


@lru_cache(maxsize=2)
def _canon(split: bool) -> dict[str, str]:
    """Zone id as given -> the zone it is drawn in (okhotsk_north folds into okhotsk when merged)."""
    out = {z.id: z.id for z in _zone_set(split)}
    if not split:
        out["okhotsk_north"] = "okhotsk"
    return out


def _zone_of(value: object, canon: Mapping[str, str]) -> str | None:
    return canon.get(value) if isinstance(value, str) else None


def _normalise_presence(presence: Mapping | None,
                        canon: Mapping[str, str]) -> dict[str, list[tuple[str, int]]]:
    merged: dict[str, dict[str, int]] = {}
    if not presence:
        return {}
    for zid, teams in presence.items():
        zid = _zone_of(zid, canon)
        if zid is None or not teams:
            continue
        for code, n in teams.items():
            try:
                n = int(n)
            except (TypeError, ValueError):
                continue
            if n > 0:
                row = merged.setdefault(zid, {})
                row[str(code)] = row.get(str(code), 0) + n
    return {zid: sorted(rows.items(), key=lambda r: _team_sort_key(r[0]))
            for zid, rows in merged.items()}


def _normalise_incidents(incidents: Iterable | None,
                         canon: Mapping[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(incidents, (str, Mapping)):
        incidents = [incidents]
    for inc in incidents or ():
        if isinstance(inc, Mapping):
            zid = inc.get("zone")
            label = inc.get("label") or ""
        else:
            zid, label = inc, ""
        zid = _zone_of(zid, canon)
        if zid is not None:
            out.setdefault(zid, [])
            if label:
                out[zid].append(str(label))
    return out


def _normalise_zone_list(zones: Iterable | None, known: Mapping[str, Any]) -> list[str]:
    """Known zone ids, in the order given, each once (a bare string is one id)."""
    if isinstance(zones, str):
        zones = [zones]
    out: list[str] = []
    for zid in zones or ():
        if isinstance(zid, str) and zid in known and zid not in out:
            out.append(zid)
    return out


def _turn_number(turn: object) -> int | None:
    if isinstance(turn, bool):
        return None
    try:
        return int(turn)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _normalise_contacts(contacts: Iterable | None,
                        canon: Mapping[str, str]) -> dict[str, list[dict[str, str]]]:
    """{zone: [{"turn": "3", "label": text}, ...]} in turn order; unknown zones are skipped."""
    rows: list[tuple[str, tuple[int, int, str], dict[str, str]]] = []
    if isinstance(contacts, Mapping):
        contacts = [contacts]
    for c in contacts or ():
        if not isinstance(c, Mapping):
            continue
        zid = _zone_of(c.get("zone"), canon)
        if zid is None:
            continue
        raw = c.get("turn")
        n = _turn_number(raw)
        turn = str(n) if n is not None else ("" if raw is None else str(raw).strip())
        key = (0, n, "") if n is not None else (1, 0, turn)
        label = str(c.get("label") or "").strip()
        if not label and c.get("hunted"):  # the engine's own record {"zone", "turn", "hunted"}
            label = f"{c['hunted']} submarine"
        rows.append((zid, key, {"turn": turn, "label": label}))
    out: dict[str, list[dict[str, str]]] = {}
    for zid, _, row in sorted(rows, key=lambda r: r[1]):
        out.setdefault(zid, []).append(row)
    return out


def _normalise_subs(subs: Iterable | None, canon: Mapping[str, str],
                    default: str) -> dict[str, list[dict[str, str]]]:
    """{zone: [{"label": text, "colour": hex}, ...]}; unknown zones are skipped."""
    out: dict[str, list[dict[str, str]]] = {}
    if isinstance(subs, Mapping):
        subs = [subs]
    for s in subs or ():
        if not isinstance(s, Mapping):
            continue
        zid = _zone_of(s.get("zone"), canon)
        if zid is None:
            continue
        colour = s.get("colour") or s.get("color")
        if not (isinstance(colour, str) and _HEX_RE.match(colour)):
            colour = default
        out.setdefault(zid, []).append({"label": str(s.get("label") or "").strip(),
                                         "colour": colour})
    return out


def _colour(colours: Mapping[str, str], code: str) -> str:
    c = colours.get(code)
    return c if isinstance(c, str) and _HEX_RE.match(c) else _FALLBACK_COLOUR


def _darken(colour: str, amount: float = 0.3) -> str:
    """A darker shade of a #rgb/#rrggbb colour (for text on white)."""
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in rgb)


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    lin = [(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
           for c in (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _under_white_text(colour: str) -> str:
    """The colour, darkened just enough for white text on it to reach WCAG AA (4.5:1)."""
    for step in range(20):
        shade = _darken(colour, 0.05 * step) if step else colour
        if 1.05 / (_luminance(shade) + 0.05) >= 4.5:
            return shade
    return shade


def _pill_w(code: str, n: int, estimated: bool, size: float) -> float:
    return _text_w(f"{code} {'~' if estimated else ''}{n}", size, bold=True) + 14


def _pill(x: float, y: float, code: str, n: int, colour: str, estimated: bool,
          size: float) -> tuple[str, float]:
    """One marker with its left edge at x and vertical centre at y; returns (svg, width)."""
    text = f"{code} {'~' if estimated else ''}{n}"
    h = size + 8
    w = _pill_w(code, n, estimated, size)
    if estimated:
        rect = (f'<rect x="{_fmt(x)}" y="{_fmt(y - h / 2)}" width="{_fmt(w)}" height="{_fmt(h)}" '
                f'rx="{_fmt(h / 2)}" fill="#ffffff" fill-opacity="0.92" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="4 3"/>')
        tfill = _darken(colour)
    else:
        rect = (f'<rect x="{_fmt(x)}" y="{_fmt(y - h / 2)}" width="{_fmt(w)}" height="{_fmt(h)}" '
                f'rx="{_fmt(h / 2)}" fill="{_under_white_text(colour)}" stroke="#ffffff" stroke-width="1.5"/>')
        tfill = "#ffffff"
    txt = (f'<text x="{_fmt(x + w / 2)}" y="{_fmt(y + size * 0.36)}" text-anchor="middle" '
           f'font-size="{size:g}" font-weight="700" fill="{tfill}">{_esc(text)}</text>')
    est = ' data-estimated="true"' if estimated else ""
    svg = (f'<g class="marker{" estimated" if estimated else ""}" data-team="{_esc(code)}" '
           f'data-count="{n}"{est}><title>{_esc(code)}: {"about " if estimated else ""}{n} '
           f'task group{"s" if n != 1 else ""}{" (estimate)" if estimated else ""}</title>'
           f"{rect}{txt}</g>")
    return svg, w


def _presence_svg(zid: str, rows: list[tuple[str, int]], colours: Mapping[str, str],
                  estimated: bool, compact: bool, split: bool = True) -> str:
    lay = _label_layout(zid, compact, split)
    size = 15.0 if compact else 12.5
    gap = 6.0
    per_row = 3
    h = size + 8
    y = lay["bottom"] + h / 2 + 5
    parts = [f'<g class="presence" data-zone="{zid}">']
    for start in range(0, len(rows), per_row):
        chunk = rows[start:start + per_row]
        widths = [_pill_w(c, n, estimated, size) for c, n in chunk]
        total = sum(widths) + gap * (len(chunk) - 1)
        if lay["anchor"] == "middle":
            x = lay["x"] - total / 2
        elif lay["anchor"] == "end":
            x = lay["x"] - total
        else:
            x = lay["x"]
        for code, n in chunk:
            svg, w = _pill(x, y, code, n, _colour(colours, code), estimated, size)
            parts.append(svg)
            x += w + gap
        y += h + 4
    parts.append("</g>")
    return "".join(parts)


def _warning(cx: float, cy: float, r: float) -> str:
    tri = (f"M{_fmt(cx)} {_fmt(cy - r)}L{_fmt(cx + r * 1.1)} {_fmt(cy + r * 0.85)}"
           f"L{_fmt(cx - r * 1.1)} {_fmt(cy + r * 0.85)}Z")
    return (f'<path d="{tri}" fill="#facc15" stroke="#7f1d1d" stroke-width="{r / 6:.1f}" '
            f'stroke-linejoin="round"/>'
            f'<text x="{_fmt(cx)}" y="{_fmt(cy + r * 0.68)}" text-anchor="middle" '
            f'font-size="{r * 1.3:.1f}" font-weight="800" fill="#7f1d1d">!</text>')


def _incident_svg(zid: str, labels: list[str], compact: bool, split: bool = True) -> str:
    """Warning triangle right of the zone label's first line, incident texts after it."""
    lay = _label_layout(zid, compact, split)
    first = lay["lines"][0]
    r = 14.0 if compact else 11.5
    cx = first["left"] + first["w"] + r + 7
    cy = first["y"] - first["size"] * 0.35
    title = "Incident" + (": " + "; ".join(labels) if labels else "")
    parts = [f'<g class="incident" data-zone="{zid}" data-incident="true">'
             f"<title>{_esc(title)}</title>", _warning(cx, cy, r)]
    if labels:
        size = 14.0 if compact else 12.0
        ty = cy + size * 0.36
        for text in labels:
            parts.append(_halo_text(cx + r + 5, ty, text, size=size, fill=_INCIDENT,
                                    halo="#ffffff", anchor="start", weight="700",
                                    cls="incident-label"))
            ty += size * 1.2
    parts.append("</g>")
    return "".join(parts)




# --------------------------------------------------------------------------
# Sea of Okhotsk layers: straits, ice, contacts, the viewer's own submarines.
# The map draws only what it is given; it never looks a position up itself.
# --------------------------------------------------------------------------
_STRAIT = "#1d3f63"
_ICE_EDGE = "#4a7aa8"
_ICE_TEXT = "#24507c"
_CONTACT = "#334155"

# Where a strait's glyph sits when the zone label has no leader line to end on.
_STRAIT_AT = {"kurils_north": (151.05, 46.55)}
# An ice zone's edge, when it is a line rather than the zone's whole outline
# (ticks on the ice side, i.e. north), and where its label goes.
_ICE_LINES = {"okhotsk_north": _OKHOTSK_ICE_LINE}
_ICE_LABEL_AT = {"okhotsk_north": (152.2, 55.5), "okhotsk": (145.3, 50.4),
                 "sea_of_japan": (137.6, 44.4)}
# Submarine/contact markers go in rows under the zone's presence markers, except:
# above the label (the map's bottom edge is near) ...
_TOKENS_ABOVE = frozenset({"east_china_sea"})
# ... or from a point of their own, rows stepping up (the long label would reach
# down to the Northwest Pacific's).
_TOKENS_AT = {"kurils_south": (149.35, 44.2)}


def _layer_defs(uid: str, straits: bool, ice: bool) -> str:
    if not (straits or ice):
        return ""
    out = ["<defs>"]
    if straits:
        out.append(f'<pattern id="{uid}-strait" patternUnits="userSpaceOnUse" width="6" height="6">'
                   f'<line x1="0" y1="3" x2="6" y2="3" stroke="{_STRAIT}" stroke-width="1.1" '
                   'stroke-opacity="0.45"/></pattern>')
    if ice:
        out.append(f'<pattern id="{uid}-ice" patternUnits="userSpaceOnUse" width="18" height="18">'
                   '<rect width="18" height="18" fill="#ffffff" fill-opacity="0.62"/>'
                   '<path d="M2.5 4.5h5M5 2v5M11.5 13.5h5M14 11v5" stroke="#8eb1d1" '
                   'stroke-width="1.2" stroke-linecap="round" fill="none"/></pattern>')
    out.append("</defs>")
    return "".join(out)


def _strait_glyph(cx: float, cy: float, r: float) -> str:
    """Two facing arcs, ")(": the narrows, with a white halo so they read on sea and land."""
    a, b, c = r * 0.62, r * 0.95, r * 0.12
    d = (f"M{_fmt(cx - a)} {_fmt(cy - b)}Q{_fmt(cx - c)} {_fmt(cy)} {_fmt(cx - a)} {_fmt(cy + b)}"
         f"M{_fmt(cx + a)} {_fmt(cy - b)}Q{_fmt(cx + c)} {_fmt(cy)} {_fmt(cx + a)} {_fmt(cy + b)}")
    w = r * 0.3
    return (f'<path d="{d}" fill="none" stroke="#ffffff" stroke-width="{w + 3.4:.1f}" '
            'stroke-linecap="round" stroke-opacity="0.95"/>'
            f'<path d="{d}" fill="none" stroke="{_STRAIT}" stroke-width="{w:.1f}" '
            'stroke-linecap="round"/>')


def _straits_under(uid: str, straits: list[str], zone_names: Mapping[str, Zone],
                   incs: Mapping[str, Any], split: bool) -> str:
    """Hatch and a solid outline over each strait zone (under the land, so the coast clips them)."""
    zpaths = _zone_paths(split)
    out = ['<g class="straits">']
    for zid in straits:
        # an incident's red outline stays visible: the strait keeps only its hatch then
        stroke = ('stroke="none"' if zid in incs else
                  f'stroke="{_STRAIT}" stroke-width="2.2" stroke-linejoin="round"')
        out.append(f'<path class="strait" data-strait="{zid}" d="{zpaths[zid]}" '
                   f'fill="url(#{uid}-strait)" {stroke}>'
                   f"<title>{_esc('Strait (chokepoint): ' + zone_names[zid].name)}</title></path>")
    out.append("</g>")
    return "".join(out)


def _strait_glyphs(straits: list[str], zone_names: Mapping[str, Zone], compact: bool,
                   split: bool) -> str:
    r = 12.5 if compact else 10.5
    out = ['<g class="strait-glyphs">']
    for zid in straits:
        lay = _label_layout(zid, compact, split)
        if zid in _STRAIT_AT:
            cx, cy = project(*_STRAIT_AT[zid])
        elif lay["leader"]:
            cx, cy = project(*lay["leader"])
        else:  # left of the label's first line
            first = lay["lines"][0]
            cx, cy = first["left"] - r - 6, first["y"] - first["size"] * 0.35
        out.append(f'<g class="strait-glyph" data-strait="{zid}">'
                   f"<title>{_esc('Strait (chokepoint): ' + zone_names[zid].name)}</title>"
                   f"{_strait_glyph(cx, cy, r)}</g>")
    out.append("</g>")
    return "".join(out)


def _ice_under(uid: str, ice: list[str], label: str, split: bool) -> str:
    """The ice pattern and its edge (under the land, so the coast clips them)."""
    out = ['<g class="ice-layer">']
    for zid in ice:
        d = _zone_paths(split).get(zid) or _zone_paths(True)[zid]
        edge = _ICE_LINES.get(zid)
        edge_d = "M" + "L".join(_pt(*_clamp(p)) for p in edge) if edge else d
        title = _esc(f"{label}: {_ZONE_BY_ID[zid].name}")
        out.append(f'<g class="ice" data-ice-zone="{zid}"><title>{title}</title>'
                   f'<path class="ice-fill" d="{d}" fill="url(#{uid}-ice)" stroke="none"/>'
                   f'<path class="ice-edge" d="{edge_d}" fill="none" stroke="#ffffff" '
                   'stroke-width="5.5" stroke-opacity="0.9" stroke-linejoin="round"/>'
                   f'<path d="{edge_d}" fill="none" stroke="{_ICE_EDGE}" stroke-width="2.2" '
                   'stroke-linejoin="round"/>')
        if edge:  # ticks on the ice side of the line
            ticks = "M" + "L".join(
                f"{_fmt(x)} {_fmt(y - 4)}" for x, y in (project(*_clamp(p)) for p in edge))
            out.append(f'<path d="{ticks}" fill="none" stroke="{_ICE_EDGE}" stroke-width="6" '
                       'stroke-dasharray="1.8 8"/>')
        out.append("</g>")
    out.append("</g>")
    return "".join(out)


def _ice_labels(ice: list[str], label: str, compact: bool, split: bool) -> str:
    size = 17.0 if compact else 14.0
    out = [f'<g class="ice-labels" font-family="{_FONT}">']
    for zid in ice:
        if zid in _ICE_LABEL_AT:
            x, y = project(*_ICE_LABEL_AT[zid])
        else:
            lay = _label_layout(zid if zid in _zones_by_id(split) else "okhotsk", compact, split)
            x, y = lay["x"], lay["top"] - 6
        out.append(f'<g class="ice-label" data-ice-zone="{zid}">'
                   + _halo_text(x, y, label, size=size, fill=_ICE_TEXT, halo="#ffffff",
                                weight="700", cls="ice-label-text", halo_w=3.5)
                   + "</g>")
    out.append("</g>")
    return "".join(out)


def _turn_text(turn: str) -> str:
    return f"T{turn}" if turn else "T?"


def _sub_shape(x: float, y: float, k: float) -> str:
    """Path of a submarine silhouette, bow to the right, left edge x, hull centre y."""
    L, hh = 30 * k, 9 * k
    r = hh / 2
    top, bot = y - r, y + r
    sx, sw, sh = x + L * 0.36, 7 * k, 6.5 * k
    return (f"M{_fmt(x + r)} {_fmt(top)}H{_fmt(x + L - r)}"
            f"A{_fmt(r)} {_fmt(r)} 0 0 1 {_fmt(x + L - r)} {_fmt(bot)}"
            f"H{_fmt(x + r)}A{_fmt(r)} {_fmt(r)} 0 0 1 {_fmt(x + r)} {_fmt(top)}Z"
            f"M{_fmt(sx)} {_fmt(top + 0.5)}V{_fmt(top - sh)}H{_fmt(sx + sw)}V{_fmt(top + 0.5)}Z")


def _sub_w(k: float) -> float:
    return 30 * k


def _sub_svg(x: float, y: float, k: float, zone: str, label: str, colour: str) -> str:
    d = _sub_shape(x, y + 2 * k, k)
    fill = _under_white_text(colour)
    title = f"Your submarine{': ' + label if label else ''}, {zone}"
    return (f"<title>{_esc(title)}</title>"
            f'<path d="{d}" fill="#ffffff" stroke="#ffffff" stroke-width="3.2" '
            f'stroke-linejoin="round"/><path d="{d}" fill="{fill}"/>')


def _contact_w(turn: str, size: float, r: float) -> float:
    return 2 * r + 4 + _text_w(_turn_text(turn), size, bold=True)


def _contact_svg(x: float, y: float, r: float, size: float, turn: str) -> str:
    cx = x + r
    diamond = (f"M{_fmt(cx)} {_fmt(y - r)}L{_fmt(cx + r)} {_fmt(y)}L{_fmt(cx)} {_fmt(y + r)}"
               f"L{_fmt(x)} {_fmt(y)}Z")
    return (f'<path d="{diamond}" fill="{_CONTACT}" stroke="#ffffff" stroke-width="1.6" '
            f'stroke-linejoin="round"/><circle cx="{_fmt(cx)}" cy="{_fmt(y)}" '
            f'r="{_fmt(r * 0.3)}" fill="#ffffff"/>'
            + _halo_text(x + 2 * r + 4, y + size * 0.36, _turn_text(turn), size=size,
                         fill=_CONTACT, halo="#ffffff", anchor="start", weight="700",
                         cls="contact-turn", halo_w=3))


def _tokens_svg(zid: str, subs: list[dict[str, str]], contacts: list[dict[str, str]],
                n_presence_rows: int, zone_names: Mapping[str, Zone], compact: bool,
                split: bool) -> str:
    """The viewer's submarines, then contacts, in rows under the zone's presence markers.

    Each token has its own slot in a row (never two at one position)."""
    lay = _label_layout(zid, compact, split)
    k = 1.15 if compact else 1.0
    size = 15.0 if compact else 12.5
    r = 8.5 * k
    gap = 10 * k
    rh = 24 * k
    per_row = 4
    name = zone_names[zid].name
    items: list[tuple[str, dict[str, str], float]] = (
        [("sub", s, _sub_w(k)) for s in subs]
        + [("contact", c, _contact_w(c["turn"], size, r)) for c in contacts])
    psize = 15.0 if compact else 12.5
    anchor = lay["anchor"]
    if zid in _TOKENS_AT:
        x0, y = project(*_TOKENS_AT[zid])
        anchor, step = "start", -rh
    elif zid in _TOKENS_ABOVE:
        y = lay["top"] - 8 - rh / 2
        step = -rh
    else:
        y = lay["bottom"] + 5 + n_presence_rows * (psize + 12) + rh / 2 + 2
        step = rh
    out = []
    for start in range(0, len(items), per_row):
        chunk = items[start:start + per_row]
        total = sum(w for _, _, w in chunk) + gap * (len(chunk) - 1)
        if zid in _TOKENS_AT:
            x = x0
        elif anchor == "middle":
            x = lay["x"] - total / 2
        elif anchor == "end":
            x = lay["x"] - total
        else:
            x = lay["x"]
        for kind, item, w in chunk:
            if kind == "sub":
                out.append(f'<g class="own-sub" data-own-sub-zone="{zid}" '
                           f'data-x="{_fmt(x)}" data-y="{_fmt(y)}">'
                           + _sub_svg(x, y, k, name, item["label"], item["colour"]) + "</g>")
            else:
                label = item["label"]
                title = (f"Contact{': ' + label if label else ''}, {name}, "
                         f"turn {item['turn'] or 'unknown'}")
                out.append(f'<g class="contact" data-contact-zone="{zid}" '
                           f'data-turn="{_esc(item["turn"])}" data-x="{_fmt(x)}" data-y="{_fmt(y)}">'
                           f"<title>{_esc(title)}</title>"
                           + _contact_svg(x, y, r, size, item["turn"]) + "</g>")
            x += w + gap
        y += step
    return "".join(out)


# --------------------------------------------------------------------------
# Legend and summary
# --------------------------------------------------------------------------
def _legend_svg(uid: str, title: str, teams: list[str], colours: Mapping[str, str],
                estimated: bool, has_incident: bool, compact: bool, *,
                straits: bool = False, ice_label: str = "", contacts: bool = False,
                sub_colour: str = "") -> str:
    fs = 15.0 if compact else 12.5
    lh = fs * 1.8
    rows: list[tuple[str, str]] = []  # (kind, text)
    rows.append(("zone", "Sea zone"))
    rows.append(("hatch", "Disputed islands" if compact else "Disputed islands (no claim implied)"))
    if teams:
        rows.append(("teams", ""))
    if estimated:
        rows.append(("estimated", "Estimated (fog of war)"))
    if has_incident:
        rows.append(("incident", "Incident"))
    if straits:
        rows.append(("strait", "Strait" if compact else "Strait (chokepoint)"))
    if ice_label:
        rows.append(("ice", ice_label if compact else f"{ice_label}: ice edge"))
    if sub_colour:
        rows.append(("sub", "Your submarine"))
    if contacts:
        rows.append(("contact", "Contact (turn)" if compact else "Contact (turn detected)"))
    psize = fs - 1.5
    team_ws = [_text_w(c, psize, True) + 12 for c in teams]
    teams_w = sum(team_ws) + 4 * max(len(teams) - 1, 0)

    def row_w(kind: str, text: str) -> float:
        return teams_w + 24 if kind == "teams" else _text_w(text, fs) + 58

    # more than five rows: two columns, so the box stays clear of the zone labels
    cols = [rows] if len(rows) <= 5 else [rows[:(len(rows) + 1) // 2], rows[(len(rows) + 1) // 2:]]
    col_ws = [min(max(max(row_w(k, t) for k, t in col), 170.0), VIEW_W * 0.45) for col in cols]
    width = sum(col_ws)
    head_h = 0.0
    if not compact:
        width = max(width, _text_w(title, fs + 1, True) + 24)
        head_h = lh
    width = min(width, VIEW_W * 0.9)
    height = head_h + lh * max(len(c) for c in cols) + 10
    x0 = VIEW_W - width - 12
    y0 = VIEW_H - height - (34 if compact else 30)
    out = [f'<g class="legend" font-family="{_FONT}">',
           f'<rect x="{_fmt(x0)}" y="{_fmt(y0)}" width="{_fmt(width)}" height="{_fmt(height)}" '
           'rx="6" fill="#ffffff" fill-opacity="0.92" stroke="#94a3b8" stroke-width="1"/>']
    if not compact:
        y = y0 + 5 + lh / 2
        out.append(f'<text x="{_fmt(x0 + 12)}" y="{_fmt(y + fs * 0.36)}" font-size="{fs + 1:g}" '
                   f'font-weight="700" fill="#1f2937">{_esc(title)}</text>')
    cx0 = x0
    for col, cw in zip(cols, col_ws):
        y = y0 + 5 + head_h + lh / 2
        sx = cx0 + 12
        tx = cx0 + 46
        for kind, text in col:
            if kind == "teams":
                x = sx
                ph = psize + 7
                for code, w in zip(teams, team_ws):
                    out.append(f'<g class="legend-team" data-team="{_esc(code)}">'
                               f'<rect x="{_fmt(x)}" y="{_fmt(y - ph / 2)}" width="{_fmt(w)}" '
                               f'height="{_fmt(ph)}" rx="{_fmt(ph / 2)}" '
                               f'fill="{_under_white_text(_colour(colours, code))}"/>'
                               f'<text x="{_fmt(x + w / 2)}" y="{_fmt(y + psize * 0.36)}" '
                               f'text-anchor="middle" font-size="{psize:g}" font-weight="700" '
                               f'fill="#ffffff">{_esc(code)}</text></g>')
                    x += w + 4
                y += lh
                continue
            if kind == "zone":
                out.append(f'<rect x="{_fmt(sx)}" y="{_fmt(y - 7)}" width="26" height="14" rx="2" '
                           f'fill="#1e5b99" fill-opacity="0.10" stroke="{_ZONE_STROKE}" '
                           'stroke-width="1.3" stroke-dasharray="6 4"/>')
            elif kind == "hatch":
                out.append(f'<rect x="{_fmt(sx)}" y="{_fmt(y - 7)}" width="26" height="14" rx="2" '
                           f'fill="url(#{uid}-hatch)" stroke="#44403c" stroke-width="1.3" '
                           'stroke-dasharray="5 3"/>')
            elif kind == "estimated":
                out.append(f'<rect x="{_fmt(sx)}" y="{_fmt(y - 8)}" width="26" height="16" rx="8" '
                           'fill="#ffffff" stroke="#475569" stroke-width="1.6" stroke-dasharray="4 3"/>'
                           f'<text x="{_fmt(sx + 13)}" y="{_fmt(y + 4.5)}" text-anchor="middle" '
                           'font-size="13" font-weight="700" fill="#475569">~</text>')
            elif kind == "incident":
                out.append(_warning(sx + 13, y + 1, 8.5))
            elif kind == "strait":
                out.append(f'<g class="legend-strait">{_strait_glyph(sx + 13, y, 9.5)}</g>')
            elif kind == "ice":
                out.append(f'<g class="legend-ice"><rect x="{_fmt(sx)}" y="{_fmt(y - 8)}" width="26" '
                           f'height="16" fill="url(#{uid}-ice)" stroke="#b6cde2" stroke-width="1"/>'
                           f'<line x1="{_fmt(sx)}" y1="{_fmt(y + 8)}" x2="{_fmt(sx + 26)}" '
                           f'y2="{_fmt(y + 8)}" stroke="{_ICE_EDGE}" stroke-width="2.2"/></g>')
            elif kind == "sub":
                out.append(f'<g class="legend-sub"><path d="{_sub_shape(sx - 1, y + 2, 0.95)}" '
                           f'fill="{_under_white_text(sub_colour)}"/></g>')
            elif kind == "contact":
                out.append(f'<g class="legend-contact"><path d="M{_fmt(sx + 13)} {_fmt(y - 8)}'
                           f'L{_fmt(sx + 21)} {_fmt(y)}L{_fmt(sx + 13)} {_fmt(y + 8)}'
                           f'L{_fmt(sx + 5)} {_fmt(y)}Z" fill="{_CONTACT}"/>'
                           f'<circle cx="{_fmt(sx + 13)}" cy="{_fmt(y)}" r="2.4" fill="#ffffff"/></g>')
            out.append(f'<text x="{_fmt(tx)}" y="{_fmt(y + fs * 0.36)}" font-size="{fs:g}" '
                       f'fill="#1f2937">{_esc(text)}</text>')
            y += lh
        cx0 += cw
    out.append("</g>")
    return "".join(out)


def _summary(title: str, presence: dict[str, list[tuple[str, int]]],
             incidents: dict[str, list[str]], estimated: bool, *,
             zone_names: Mapping[str, Zone], n_zones: int,
             straits: Iterable[str] = (), ice: Iterable[str] = (), ice_label: str = "",
             subs: Mapping[str, list[dict[str, str]]] | None = None,
             contacts: Mapping[str, list[dict[str, str]]] | None = None) -> str:
    bits = [f"{title}: map of Northeast Asia with {n_zones} sea zones."]
    if presence:
        est = "Estimated presence" if estimated else "Presence"
        zones = []
        for zid, rows in presence.items():
            teams = ", ".join(f"{c} {n}" for c, n in rows)
            zones.append(f"{zone_names[zid].name}: {teams}")
        bits.append(f"{est} (task groups): " + "; ".join(zones) + ".")
    if incidents:
        bits.append("Incidents: " + "; ".join(
            zone_names[z].name + (f" ({', '.join(ls)})" if ls else "")
            for z, ls in incidents.items()) + ".")
    if straits:
        bits.append("Straits (chokepoints): " + "; ".join(zone_names[z].name for z in straits) + ".")
    if ice:
        bits.append(f"{ice_label} closes: " + "; ".join(_ZONE_BY_ID[z].name for z in ice) + ".")
    if subs:
        bits.append("Your submarines: " + "; ".join(
            f"{s['label'] or 'submarine'} in {zone_names[z].name}"
            for z, rows in subs.items() for s in rows) + ".")
    if contacts:
        bits.append("Contacts: " + "; ".join(
            f"{c['label'] or 'contact'} in {zone_names[z].name}, turn {c['turn'] or 'unknown'}"
            for z, rows in contacts.items() for c in rows) + ".")
    return " ".join(bits)


def theatre_svg(*, presence: Mapping[str, Mapping[str, int]] | None = None,
                incidents: Iterable[str | Mapping[str, str]] = (),
                colours: Mapping[str, str] | None = None,
                estimated: bool = False,
                title: str = "Theatre",
                dom_id: str = "theatre-map",
                compact: bool = False,
                zones: Iterable[str] | None = None,
                straits: Iterable[str] = (),
                ice_zones: Iterable[str] = (),
                ice_label: str = "",
                contacts: Iterable[Mapping[str, Any]] = (),
                own_subs: Iterable[Mapping[str, Any]] = ()) -> str:
    """Return the theatre map as a complete inline ``<svg>`` string.

    presence   ``{zone_id: {team_code: task_groups}}``; unknown zones and
               counts <= 0 are skipped.
    incidents  zone ids, or dicts ``{"zone": id, "label": text}``.
    colours    team code -> CSS hex colour, merged over DEFAULT_COLOURS.
    estimated  mark the presence markers as estimates (fog of war).
    title      used for <title>, aria-label and the legend heading.
    dom_id     id of the <svg> element; also prefixes internal ids.
    compact    bigger text, fewer minor labels, for narrow (~600 px) maps.
    zones      the scenario's zone ids. Given without "okhotsk_north" (the
               Northern Territories game), the Sea of Okhotsk is drawn whole as
               "okhotsk" and anything placed in okhotsk_north is drawn there.
               None (the default) draws every zone of the map.

    The Sea of Okhotsk layers (each drawn only when given; the map never looks
    a position up itself, so a team's map shows only what the caller passes):

    straits    zone ids drawn as chokepoints (hatched, solid outline, ")(" glyph).
    ice_zones  zone ids under ice, with ``ice_label`` (e.g. "Ice (Q1)").
    contacts   dicts ``{"zone", "turn", "label"}``: a diamond with "T3"; several
               in one zone sit side by side. Without a label, ``"hunted": "RUS"``
               (the engine's record) reads "RUS submarine".
    own_subs   dicts ``{"zone", "label", "colour"?}``: the viewing team's own
               submarines, a submarine glyph in the given colour.
    """
    uid = _ID_RE.sub("-", str(dom_id or "theatre-map")) or "theatre-map"
    if not uid[0].isalpha():
        uid = "m-" + uid
    compact = bool(compact)
    estimated = bool(estimated)
    if zones is None:
        split = True
    else:
        zone_list = [zones] if isinstance(zones, str) else list(zones)
        split = "okhotsk_north" in zone_list or "okhotsk" not in zone_list
    canon = _canon(split)
    zone_names = _zones_by_id(split)
    pal = dict(DEFAULT_COLOURS)
    if colours:
        pal.update({str(k): v for k, v in colours.items()})
    pres = _normalise_presence(presence, canon)
    incs = _normalise_incidents(incidents, canon)
    title = str(title)
    strait_ids = [canon[z] for z in _normalise_zone_list(straits, canon)]
    strait_ids = list(dict.fromkeys(strait_ids))
    ice_ids = _normalise_zone_list(ice_zones, _ZONE_BY_ID)  # ice keeps its own outline
    ice_label = str(ice_label or "").strip() or "Ice"
    cons = _normalise_contacts(contacts, canon)
    subs = _normalise_subs(own_subs, canon, _FALLBACK_COLOUR)

    head, land, zone_normal, zone_hi, labels = _static_layers(uid, compact, split)
    teams = sorted({c for rows in pres.values() for c, _ in rows}, key=_team_sort_key)
    summary = _summary(title, pres, incs, estimated, zone_names=zone_names,
                       n_zones=len(zone_names), straits=strait_ids, ice=ice_ids,
                       ice_label=ice_label, subs=subs, contacts=cons)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{uid}" class="theatre-map'
        f'{" compact" if compact else ""}" viewBox="0 0 {VIEW_W:g} {VIEW_H:g}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" aria-label="{_esc(summary)}" '
        f'font-family="{_FONT}" data-estimated="{"true" if estimated else "false"}">',
        f'<title id="{uid}-title">{_esc(title)}</title>',
        f'<desc id="{uid}-desc">{_esc(summary)} {_esc(CREDIT)}.</desc>',
        head,
        _layer_defs(uid, bool(strait_ids), bool(ice_ids)),
        '<g class="zones">',
    ]
    for z in _zone_set(split):
        if z.id != "kurils_south":
            parts.append(zone_hi[z.id] if z.id in incs else zone_normal[z.id])
    parts.append("</g>")
    if ice_ids:
        parts.append(_ice_under(uid, ice_ids, ice_label, split))
    if strait_ids:
        parts.append(_straits_under(uid, strait_ids, zone_names, incs, split))
    parts.append(land)
    parts.append('<g class="zones zones-over-land">')
    parts.append(zone_hi["kurils_south"] if "kurils_south" in incs else zone_normal["kurils_south"])
    parts.append("</g>")
    parts.append(labels)
    if ice_ids:
        parts.append(_ice_labels(ice_ids, ice_label, compact, split))
    if strait_ids:
        parts.append(_strait_glyphs(strait_ids, zone_names, compact, split))
    if pres:
        parts.append(f'<g class="presence-layer" font-family="{_FONT}">')
        for zid, rows in pres.items():
            parts.append(_presence_svg(zid, rows, pal, estimated, compact, split))
        parts.append("</g>")
    if subs or cons:
        parts.append(f'<g class="okhotsk-tokens" font-family="{_FONT}">')
        for zid in dict.fromkeys(list(subs) + list(cons)):
            n_rows = -(-len(pres.get(zid, ())) // 3)
            parts.append(_tokens_svg(zid, subs.get(zid, []), cons.get(zid, []), n_rows,
                                     zone_names, compact, split))
        parts.append("</g>")
    if incs:
        parts.append(f'<g class="incidents" font-family="{_FONT}">')
        for zid, labs in incs.items():
            parts.append(_incident_svg(zid, labs, compact, split))
        parts.append("</g>")
    first_sub = next((s["colour"] for rows in subs.values() for s in rows), "")
    parts.append(_legend_svg(uid, title, teams, pal, estimated, bool(incs), compact,
                             straits=bool(strait_ids), ice_label=ice_label if ice_ids else "",
                             contacts=bool(cons), sub_colour=first_sub))
    parts.append(
        f'<text class="credit" x="{VIEW_W - 10:g}" y="{VIEW_H - 10:g}" text-anchor="end" '
        f'font-size="{13 if compact else 11}" fill="#475569" stroke="{_HALO_SEA}" '
        f'stroke-width="2.5" paint-order="stroke">{_esc(CREDIT)}</text>'
    )
    parts.append(f'<rect class="frame" width="{VIEW_W:g}" height="{VIEW_H:g}" fill="none" '
                 'stroke="#94a3b8" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def zone_name(zone_id: str) -> str:
    """A sea zone's name for people ("soya" -> "Soya / La Pérouse Strait"); the id when the map has none."""
    zone = _ZONE_BY_ID.get(zone_id)
    return zone.name if zone else zone_id
