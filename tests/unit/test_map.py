"""Theatre map (wargame.maps): pure Python, no Django needed.

Run: .venv/bin/python -m pytest tests/unit/test_map.py -q -p no:django
"""

import re
import time
import xml.etree.ElementTree as ET

import pytest

from wargame.maps import ZONES, theatre_svg
from wargame.maps.theatre import DEFAULT_COLOURS, ZONE_IDS, project

SVG_NS = "{http://www.w3.org/2000/svg}"
CONTRACT_ZONE_IDS = {
    "okhotsk", "kurils_south", "kurils_north", "soya", "tsugaru",
    "sea_of_japan", "korea_strait", "east_china_sea", "nw_pacific",
}

PRESENCE = {
    "okhotsk": {"RUS": 4, "USA": 1},
    "kurils_south": {"RUS": 2, "JPN": 1},
    "sea_of_japan": {"JPN": 2, "RUS": 1, "KOR": 1},
    "east_china_sea": {"CHN": 3},
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def local(tag: str) -> str:
    return tag.removeprefix(SVG_NS)


def markers(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if local(el.tag) == "g"
            and "marker" in el.get("class", "").split()]


def all_text(el: ET.Element) -> str:
    return "".join(el.itertext())


# -- zones -----------------------------------------------------------------

def test_zones_match_engine_contract():
    assert {z.id for z in ZONES} == CONTRACT_ZONE_IDS
    assert len(ZONE_IDS) == len(set(ZONE_IDS)) == 9
    for z in ZONES:
        assert z.name
        assert len(z.polygon_lonlat) >= 3
        lon, lat = z.label_lonlat
        assert 118 <= lon <= 165 and 30 <= lat <= 62


def test_disputed_zone_covers_the_four_islands():
    zone = next(z for z in ZONES if z.id == "kurils_south")
    lons = [p[0] for p in zone.polygon_lonlat]
    lats = [p[1] for p in zone.polygon_lonlat]
    assert 145.0 <= min(lons) <= 145.5 and 148.7 <= max(lons) <= 149.2
    assert 43.1 <= min(lats) <= 43.4 and 45.4 <= max(lats) <= 45.9
    assert "Disputed" in zone.name


# -- structure ---------------------------------------------------------------

def test_svg_parses_and_is_self_contained():
    svg = theatre_svg(title="Turn 1")
    root = parse(svg)
    assert local(root.tag) == "svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("role") == "img"
    assert root.get("aria-label", "").startswith("Turn 1")
    assert root.get("id") == "theatre-map"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == "Turn 1"
    assert "Natural Earth" in svg
    assert "<image" not in svg and "href=\"http" not in svg


@pytest.mark.parametrize("compact", [False, True])
def test_every_zone_id_is_present(compact):
    root = parse(theatre_svg(compact=compact))
    data_zones = {el.get("data-zone") for el in root.iter() if el.get("data-zone")}
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for zid in CONTRACT_ZONE_IDS:
        assert zid in data_zones
        assert f"theatre-map-zone-{zid}" in ids


def test_hatch_pattern_applied_to_disputed_zone():
    root = parse(theatre_svg(dom_id="m1"))
    patterns = {el.get("id") for el in root.iter() if local(el.tag) == "pattern"}
    assert "m1-hatch" in patterns
    zone = next(el for el in root.iter()
                if local(el.tag) == "path" and el.get("data-zone") == "kurils_south")
    assert zone.get("fill") == "url(#m1-hatch)"
    # drawn after (on top of) the land
    order = [el for el in root.iter() if local(el.tag) == "path"]
    land = max(i for i, el in enumerate(order) if "country" in el.get("class", ""))
    assert order.index(zone) > land
    # the label names both sides' names for the islands
    label = next(el for el in root.iter()
                 if el.get("class") == "zone-label" and el.get("data-zone") == "kurils_south")
    text = all_text(label)
    assert "Northern Territories" in text and "Southern Kurils" in text


def test_dom_id_is_sanitised_and_prefixes_ids():
    svg = theatre_svg(dom_id='x" onload="alert(1)')
    root = parse(svg)
    assert "onload" not in root.attrib
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", root.get("id"))


# -- presence ------------------------------------------------------------------

def test_presence_markers_have_team_codes_and_counts():
    root = parse(theatre_svg(presence=PRESENCE))
    found = {}
    for m in markers(root):
        zone = next(g for g in root.iter() if local(g.tag) == "g"
                    and g.get("class") == "presence" and m in list(g))
        found[(zone.get("data-zone"), m.get("data-team"))] = int(m.get("data-count"))
        text = next(t for t in m if local(t.tag) == "text").text
        assert text == f"{m.get('data-team')} {m.get('data-count')}"
        assert m.get("data-estimated") is None
    expected = {(z, t): n for z, teams in PRESENCE.items() for t, n in teams.items()}
    assert found == expected


def test_presence_uses_team_colours_and_overrides():
    root = parse(theatre_svg(presence={"okhotsk": {"RUS": 1, "JPN": 1}},
                             colours={"JPN": "#000000"}))
    fills = {}
    for m in markers(root):
        rect = next(r for r in m if local(r.tag) == "rect")
        fills[m.get("data-team")] = rect.get("fill")
    assert fills == {"RUS": DEFAULT_COLOURS["RUS"], "JPN": "#000000"}


def test_presence_skips_unknown_zones_and_empty_counts():
    root = parse(theatre_svg(presence={"atlantis": {"JPN": 1},
                                       "soya": {"JPN": 0, "RUS": 2}}))
    teams = [(m.get("data-team"), m.get("data-count")) for m in markers(root)]
    assert teams == [("RUS", "2")]


def test_estimated_markers_are_marked():
    svg = theatre_svg(presence=PRESENCE, estimated=True)
    root = parse(svg)
    ms = markers(root)
    assert ms
    for m in ms:
        assert m.get("data-estimated") == "true"
        assert "estimated" in m.get("class").split()
        rect = next(r for r in m if local(r.tag) == "rect")
        assert rect.get("stroke-dasharray")
        text = next(t for t in m if local(t.tag) == "text").text
        assert text == f"{m.get('data-team')} ~{m.get('data-count')}"
    assert "Estimated (fog of war)" in svg
    assert "Estimated (fog of war)" not in theatre_svg(presence=PRESENCE)


# -- incidents -----------------------------------------------------------------

def test_incidents_are_marked():
    root = parse(theatre_svg(incidents=["soya", {"zone": "okhotsk", "label": "Near miss"},
                                        "nowhere"]))
    inc = {g.get("data-zone"): g for g in root.iter()
           if local(g.tag) == "g" and g.get("class") == "incident"}
    assert set(inc) == {"soya", "okhotsk"}
    for g in inc.values():
        assert any(local(el.tag) == "text" and el.text == "!" for el in g.iter())
    assert "Near miss" in all_text(inc["okhotsk"])
    highlighted = {el.get("data-zone") for el in root.iter()
                   if local(el.tag) == "path" and el.get("data-incident") == "true"}
    assert highlighted == {"soya", "okhotsk"}
    assert "Incident" in all_text(root)


def test_no_incident_markers_by_default():
    root = parse(theatre_svg())
    assert not [g for g in root.iter() if g.get("class") == "incident"]


# -- safety: escaping and CSP --------------------------------------------------

def test_text_is_escaped():
    svg = theatre_svg(presence={"okhotsk": {"<b>": 2}},
                      incidents=[{"zone": "soya", "label": "<script>x</script>"}],
                      title='Turn "1" & <i>',
                      colours={"<b>": 'red" onclick="x'})
    assert "<b>" not in svg
    assert "&lt;b&gt; 2" in svg
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "onclick" not in svg
    root = parse(svg)
    m = markers(root)[0]
    assert m.get("data-team") == "<b>"
    assert root.find(f"{SVG_NS}title").text == 'Turn "1" & <i>'


@pytest.mark.parametrize("kwargs", [
    {},
    {"presence": PRESENCE, "incidents": ["soya"], "estimated": True},
    {"presence": PRESENCE, "compact": True},
])
def test_no_inline_style_or_script(kwargs):
    svg = theatre_svg(**kwargs)
    assert not re.search(r"[\s\"']style\s*=", svg)
    assert "<style" not in svg
    assert "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+\s*=", svg)
    for el in parse(svg).iter():
        assert "style" not in el.attrib
        assert local(el.tag) not in {"script", "style", "foreignObject"}


# -- misc ------------------------------------------------------------------------

def test_compact_drops_minor_labels():
    full, compact = theatre_svg(), theatre_svg(compact=True)
    assert "Shikotan" in full and "Shikotan" not in compact
    assert "compact" in parse(compact).get("class")


def test_projection_is_inside_the_viewbox():
    root = parse(theatre_svg())
    _, _, w, h = (float(v) for v in root.get("viewBox").split())
    for z in ZONES:
        x, y = project(*z.label_lonlat)
        assert 0 <= x <= w and 0 <= y <= h


def test_rendering_is_fast():
    theatre_svg(presence=PRESENCE)  # warm the caches
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        theatre_svg(presence=PRESENCE, incidents=["soya"], estimated=True)
    per_call = (time.perf_counter() - t0) / n
    assert per_call < 0.002, f"{per_call * 1000:.2f} ms per call"
