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
    "okhotsk", "okhotsk_north", "kurils_south", "kurils_north", "soya", "tsugaru",
    "sea_of_japan", "korea_strait", "east_china_sea", "nw_pacific",
}
# The Northern Territories game has one Sea of Okhotsk (no okhotsk_north).
NT_ZONE_IDS = ["okhotsk", "kurils_south", "kurils_north", "soya", "tsugaru",
               "sea_of_japan", "korea_strait", "east_china_sea", "nw_pacific"]

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
    assert len(ZONE_IDS) == len(set(ZONE_IDS)) == 10
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


# -- the Sea of Okhotsk layers -------------------------------------------------------

STRAITS = ["soya", "tsugaru", "korea_strait", "kurils_north"]
CONTACTS = [{"zone": "okhotsk", "turn": 3, "label": "RUS submarine"},
            {"zone": "okhotsk", "turn": 5, "label": "RUS SSBN"},
            {"zone": "okhotsk_north", "turn": 4, "label": "RUS SSBN"}]
OWN_SUBS = [{"zone": "okhotsk", "label": "SSN Hakuryu", "colour": "#2563eb"},
            {"zone": "kurils_north", "label": "SSN Taigei", "colour": "#2563eb"}]
LAYERS = {"straits": STRAITS, "ice_zones": ["okhotsk_north"], "ice_label": "Ice (Q1)",
          "contacts": CONTACTS, "own_subs": OWN_SUBS}
LAYER_ATTRS = ("data-strait", "data-ice-zone", "data-contact-zone", "data-own-sub-zone")


def inside(pt, polygon) -> bool:
    """Even-odd ray casting, lon/lat."""
    x, y = pt
    hit = False
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def zone(zid):
    return next(z for z in ZONES if z.id == zid)


def with_attr(root, attr, value=None):
    return [el for el in root.iter() if el.get(attr) is not None
            and (value is None or el.get(attr) == value)]


def groups(root, cls):
    return [el for el in root.iter() if local(el.tag) == "g" and el.get("class") == cls]


def title_of(el):
    t = el.find(f"{SVG_NS}title")
    return t.text if t is not None else None


def test_okhotsk_north_is_the_northern_sea_and_does_not_overlap_okhotsk():
    north, south = zone("okhotsk_north").polygon_lonlat, zone("okhotsk").polygon_lonlat
    assert "Okhotsk" in zone("okhotsk_north").name
    # northern shelf (Magadan coast, Shelikhov Gulf, off the Shantar Islands, west Kamchatka)
    for pt in [(150.0, 58.5), (145.0, 57.0), (156.0, 59.5), (140.0, 56.0), (155.0, 56.0)]:
        assert inside(pt, north) and not inside(pt, south), pt
    # the central and southern sea, off the Kurils and Hokkaido, Sakhalin's east coast
    for pt in [(150.0, 52.0), (146.0, 46.0), (152.0, 48.5), (144.5, 50.0), (148.0, 54.5)]:
        assert inside(pt, south) and not inside(pt, north), pt
    # not in both, anywhere: a grid over the old Sea of Okhotsk
    lons = [134.0 + 0.5 * i for i in range(62)]
    lats = [43.0 + 0.5 * j for j in range(38)]
    both = [(x, y) for x in lons for y in lats if inside((x, y), north) and inside((x, y), south)]
    assert both == []
    # the label of each sits in its own part
    assert inside(zone("okhotsk_north").label_lonlat, north)
    assert inside(zone("okhotsk").label_lonlat, south)


def test_okhotsk_north_is_drawn_and_labelled():
    for compact in (False, True):
        root = parse(theatre_svg(compact=compact))
        assert with_attr(root, "id", "theatre-map-zone-okhotsk_north")
        label = next(g for g in groups(root, "zone-label") if g.get("data-zone") == "okhotsk_north")
        assert "Northern Sea" in all_text(label) and "Okhotsk" in all_text(label)


def test_a_game_without_okhotsk_north_draws_the_whole_sea_as_okhotsk():
    root = parse(theatre_svg(zones=NT_ZONE_IDS, presence={"okhotsk": {"RUS": 1},
                                                          "okhotsk_north": {"RUS": 2}},
                             contacts=[{"zone": "okhotsk_north", "turn": 2, "label": "x"}]))
    zones = {el.get("data-zone") for el in root.iter() if el.get("data-zone")}
    assert "okhotsk_north" not in zones and "okhotsk" in zones
    assert [(m.get("data-team"), m.get("data-count")) for m in markers(root)] == [("RUS", "3")]
    assert [g.get("data-contact-zone") for g in groups(root, "contact")] == ["okhotsk"]
    assert "with 9 sea zones" in root.get("aria-label")
    # ...and the default (and the Okhotsk game's list) splits it
    assert "with 10 sea zones" in parse(theatre_svg(zones=sorted(CONTRACT_ZONE_IDS))).get("aria-label")


@pytest.mark.parametrize("compact", [False, True])
def test_layers_absent_unless_given(compact):
    for kwargs in ({}, {"straits": [], "ice_zones": [], "contacts": [], "own_subs": []},
                   {"presence": PRESENCE, "incidents": ["soya"], "estimated": True}):
        svg = theatre_svg(compact=compact, **kwargs)
        for attr in LAYER_ATTRS:
            assert attr not in svg
        for word in ("Strait (chokepoint)", "closes", "Your submarine", "Contact"):
            assert word not in svg
        assert "-ice" not in svg and "-strait" not in svg  # no pattern defs either
    svg = theatre_svg(compact=compact, **LAYERS)
    for attr in LAYER_ATTRS:
        assert attr in svg


def test_each_layer_appears_alone():
    only = {
        "data-strait": {"straits": ["soya"]},
        "data-ice-zone": {"ice_zones": ["okhotsk_north"], "ice_label": "Ice (Q1)"},
        "data-contact-zone": {"contacts": [{"zone": "soya", "turn": 1, "label": "x"}]},
        "data-own-sub-zone": {"own_subs": [{"zone": "soya", "label": "x"}]},
    }
    for attr, kwargs in only.items():
        svg = theatre_svg(**kwargs)
        assert attr in svg
        for other in LAYER_ATTRS:
            if other != attr:
                assert other not in svg, (attr, other)


def test_straits_are_marked_with_outline_hatch_and_glyph():
    root = parse(theatre_svg(dom_id="m2", straits=STRAITS + ["atlantis", "soya"]))
    paths = [el for el in with_attr(root, "data-strait") if local(el.tag) == "path"]
    glyphs = groups(root, "strait-glyph")
    assert [p.get("data-strait") for p in paths] == STRAITS
    assert [g.get("data-strait") for g in glyphs] == STRAITS
    for p in paths:
        assert p.get("fill") == "url(#m2-strait)"
        assert p.get("stroke") and not p.get("stroke-dasharray")  # solid, unlike a sea zone
        assert "chokepoint" in title_of(p)
    assert "Soya" in title_of(glyphs[0])
    patterns = {el.get("id") for el in root.iter() if local(el.tag) == "pattern"}
    assert "m2-strait" in patterns
    # under the land (the coast clips the hatch), glyphs on top
    order = list(root.iter())
    land = next(i for i, el in enumerate(order) if el.get("class") == "land")
    assert all(order.index(p) < land < order.index(g) for p, g in zip(paths, glyphs))
    assert "Strait (chokepoint)" in all_text(next(g for g in groups(root, "legend")))


def test_a_strait_with_an_incident_keeps_the_red_outline():
    root = parse(theatre_svg(straits=["soya"], incidents=["soya"]))
    strait = next(el for el in with_attr(root, "data-strait", "soya") if local(el.tag) == "path")
    assert strait.get("stroke") == "none"
    assert with_attr(root, "data-incident", "true")


def test_ice_layer():
    root = parse(theatre_svg(dom_id="m3", ice_zones=["okhotsk_north", "nowhere"],
                             ice_label="Ice (Q1)"))
    ice = groups(root, "ice")
    assert [g.get("data-ice-zone") for g in ice] == ["okhotsk_north"]
    fill = next(p for p in ice[0] if p.get("class") == "ice-fill")
    assert fill.get("fill") == "url(#m3-ice)"
    assert any(p.get("class") == "ice-edge" for p in ice[0])
    assert title_of(ice[0]) == "Ice (Q1): Northern Sea of Okhotsk"
    label = groups(root, "ice-label")
    assert [g.get("data-ice-zone") for g in label] == ["okhotsk_north"]
    assert all_text(label[0]) == "Ice (Q1)"
    assert "Ice (Q1)" in all_text(groups(root, "legend")[0])
    # without a label the ice still says what it is
    assert all_text(groups(parse(theatre_svg(ice_zones=["okhotsk_north"])), "ice-label")[0]) == "Ice"


def test_ice_over_okhotsk_north_in_a_game_without_it_keeps_its_outline():
    root = parse(theatre_svg(zones=NT_ZONE_IDS, ice_zones=["okhotsk_north"], ice_label="Ice"))
    assert [g.get("data-ice-zone") for g in groups(root, "ice")] == ["okhotsk_north"]


def test_contacts_show_the_turn_and_a_title():
    root = parse(theatre_svg(contacts=CONTACTS + [{"zone": "atlantis", "turn": 1}, "okhotsk", None]))
    cs = groups(root, "contact")
    assert sorted((g.get("data-contact-zone"), g.get("data-turn")) for g in cs) == [
        ("okhotsk", "3"), ("okhotsk", "5"), ("okhotsk_north", "4")]
    for g in cs:
        text = next(el for el in g.iter() if local(el.tag) == "text")
        assert text.text == f"T{g.get('data-turn')}"
        assert f"turn {g.get('data-turn')}" in title_of(g)
    assert "RUS SSBN" in title_of(next(g for g in cs if g.get("data-turn") == "4"))
    assert "Northern Sea of Okhotsk" in title_of(next(g for g in cs if g.get("data-turn") == "4"))
    assert "Contact (turn detected)" in all_text(groups(root, "legend")[0])
    # the engine's own record works as it is
    root = parse(theatre_svg(contacts=[{"zone": "soya", "turn": 2, "hunted": "CHN"}]))
    assert title_of(groups(root, "contact")[0]) == "Contact: CHN submarine, Soya / La Pérouse Strait, turn 2"


def _token_boxes(root, zid):
    """(x0, y0, x1, y1) of each contact diamond and submarine hull in a zone."""
    boxes = []
    for g in groups(root, "contact") + groups(root, "own-sub"):
        if zid not in (g.get("data-contact-zone"), g.get("data-own-sub-zone")):
            continue
        p = next(el for el in g if local(el.tag) == "path")
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", p.get("d"))]
        if g.get("class") == "contact":
            xs, ys = nums[0::2], nums[1::2]
            text = next(el for el in g.iter() if local(el.tag) == "text")
            right = float(text.get("x")) + 7 * len(all_text(text))
        else:  # "M x y H x2 ..." : the hull's left is x - r, right x2 + r
            xs, ys, right = [nums[0] - 5, nums[2] + 5], [nums[1], nums[1] + 9], nums[2] + 5
        boxes.append((min(xs), min(ys), max(max(xs), right), max(ys)))
    return boxes


@pytest.mark.parametrize("compact", [False, True])
def test_several_contacts_in_one_zone_never_overlap(compact):
    contacts = [{"zone": "okhotsk", "turn": t, "label": f"c{t}"} for t in (3, 3, 1, 12, 7, 2, 9)]
    subs = [{"zone": "okhotsk", "label": "s1"}, {"zone": "okhotsk", "label": "s2"}]
    root = parse(theatre_svg(contacts=contacts, own_subs=subs, compact=compact,
                             presence={"okhotsk": {"RUS": 1, "JPN": 1, "USA": 1, "CHN": 1}}))
    cs = groups(root, "contact")
    assert len(cs) == 7
    assert [g.get("data-turn") for g in cs] == ["1", "2", "3", "3", "7", "9", "12"]
    positions = [(g.get("data-x"), g.get("data-y")) for g in cs + groups(root, "own-sub")]
    assert len(set(positions)) == len(positions) == 9
    boxes = _token_boxes(root, "okhotsk")
    assert len(boxes) == 9
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # and below the presence markers, not on them
    pills = [float(r.get("y")) + float(r.get("height")) for m in markers(root)
             for r in m if local(r.tag) == "rect"]
    assert min(b[1] for b in boxes) > max(pills)


def test_own_submarines_in_the_team_colour():
    root = parse(theatre_svg(own_subs=OWN_SUBS + [{"zone": "soya", "label": "no colour"},
                                                  {"zone": "atlantis", "label": "lost"}]))
    subs = groups(root, "own-sub")
    assert [g.get("data-own-sub-zone") for g in subs] == ["okhotsk", "kurils_north", "soya"]
    fills = [[p.get("fill") for p in g if local(p.tag) == "path"][-1] for g in subs]
    assert fills[0] == fills[1] == "#2563eb"
    assert fills[2] == "#475569"  # no colour given: neutral slate
    assert title_of(subs[0]) == "Your submarine: SSN Hakuryu, Sea of Okhotsk (bastion)"
    assert "Your submarine" in all_text(groups(root, "legend")[0])


def test_the_map_draws_only_the_submarines_and_contacts_it_is_given():
    # presence (even Russia's in the bastion) is never turned into submarines or contacts
    svg = theatre_svg(presence={"okhotsk": {"RUS": 3}, "okhotsk_north": {"RUS": 2}}, estimated=True)
    assert "own-sub" not in svg and 'class="contact"' not in svg
    root = parse(theatre_svg(own_subs=[{"zone": "soya", "label": "mine"}]))
    assert len(groups(root, "own-sub")) == 1 and not groups(root, "contact")


def test_new_layers_escape_their_text():
    svg = theatre_svg(
        straits=["soya", "<b>"], ice_zones=["okhotsk_north"], ice_label="<i>Ice</i> & snow",
        contacts=[{"zone": "okhotsk", "turn": '4"><script>x</script>', "label": "<script>y</script>"}],
        own_subs=[{"zone": "okhotsk", "label": "<b>sub</b>", "colour": 'red" onclick="x'}])
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "onclick" not in svg
    assert "&lt;i&gt;Ice&lt;/i&gt; &amp; snow" in svg
    assert "&lt;b&gt;sub&lt;/b&gt;" in svg
    root = parse(svg)
    c = groups(root, "contact")[0]
    assert c.get("data-turn") == '4"><script>x</script>'
    assert "<script>y</script>" in title_of(c)
    sub = groups(root, "own-sub")[0]
    assert [p.get("fill") for p in sub if local(p.tag) == "path"][-1] == "#475569"
    assert "Your submarines: <b>sub</b> in" in root.get("aria-label")


def test_accessible_summary_mentions_the_layers():
    svg = theatre_svg(**LAYERS)
    root = parse(svg)
    desc = root.find(f"{SVG_NS}desc").text
    for text in (root.get("aria-label"), desc):
        assert "Straits (chokepoints): Soya / La Pérouse Strait; Tsugaru Strait" in text
        assert "Ice (Q1) closes: Northern Sea of Okhotsk." in text
        assert "Your submarines: SSN Hakuryu in Sea of Okhotsk (bastion); " \
               "SSN Taigei in Northern Kurils." in text
        assert "Contacts: RUS submarine in Sea of Okhotsk (bastion), turn 3; " in text
        assert "RUS SSBN in Northern Sea of Okhotsk, turn 4" in text
    plain = parse(theatre_svg()).get("aria-label")
    for word in ("Straits", "closes", "Your submarines", "Contacts"):
        assert word not in plain


@pytest.mark.parametrize("compact", [False, True])
def test_layers_have_no_inline_style_or_script(compact):
    svg = theatre_svg(compact=compact, presence=PRESENCE, incidents=["soya"], **LAYERS)
    assert not re.search(r"[\s\"']style\s*=", svg)
    assert "<style" not in svg and "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+\s*=", svg)
    for el in parse(svg).iter():
        assert "style" not in el.attrib


def test_rendering_with_layers_is_fast():
    kwargs = dict(presence=PRESENCE, estimated=True, compact=True, **LAYERS)
    theatre_svg(**kwargs)
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        theatre_svg(**kwargs)
    per_call = (time.perf_counter() - t0) / n
    assert per_call < 0.003, f"{per_call * 1000:.2f} ms per call"
