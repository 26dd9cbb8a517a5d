"""wargame.charts: pure SVG charts. Each is well-formed XML, accessible (role="img", a title and a desc it is
labelled by), escapes every text it is given, scales by its viewBox alone, tells series apart by more than
colour, and carries the table of its data."""

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wargame import charts
from wargame.charts.svg import fmt, nice_ticks, spread

NS = {"s": "http://www.w3.org/2000/svg"}
EVIL = '<script>alert("x")</script> & "quotes"'


def _all_charts(label=EVIL):
    x = ["Start", "T1", "T2", "T3"]
    return [
        charts.line_chart("line", label, label, x_labels=x,
                          series=[charts.Series(label, [1, 20, None, 40]), charts.Series("B", [5, 6, 7, 8])],
                          bands=[charts.Band(0, 20, label, "#eee")], markers=[charts.Marker(1.5, label)]),
        charts.small_multiples("multi", label, label, x_labels=x,
                               panels=[charts.Panel(label, [charts.Series("T", [1, 2, 3, 4])],
                                                    [charts.Band(0, 50, "a", "#eee")]),
                                       charts.Panel("P2", [charts.Series("T", [4, 3, 2, 1]),
                                                           charts.Series("U", [2, 2, 2, 2])])]),
        charts.stacked_bars("bars", label, label, x_labels=x[1:],
                            parts=[charts.Part("direct", label, [1.5, -2, 0], "#1d4ed8", "solid"),
                                   charts.Part("spill", "Spill", [2, 1, 0.5], "#c8510b", "hatch")],
                            line=[3.5, 2.5, 3.0], line_label="Total", hrefs=["#m1", "#m2", "#m3"]),
        charts.scatter("pts", label, label, points=[charts.Point(10, 20, label, label), charts.Point(30, 40, "b", "g2")],
                       x_label=label, y_label=label, diagonal=label),
        charts.timeline("tl", label, label, x_labels=x[1:],
                        rows=[charts.Row(label, [charts.Span(0, 1, label)], [charts.Mark(2, label, "diamond")])],
                        legend=[("circle", "#000", True, label)]),
        charts.hbars("hb", label, label, rows=[(label, 3), ("b", 0)], max_value=7, value_label=label, notes=[label, ""]),
    ]


@pytest.mark.parametrize("chart", _all_charts(), ids=lambda c: c.kind)
def test_each_chart_is_well_formed_accessible_and_scalable(chart):
    root = ET.fromstring(chart.svg)  # well-formed, so an escaping slip would fail here
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart.id}-title {chart.id}-desc"
    assert root.find("s:title", NS).text == EVIL and root.find("s:desc", NS).text == EVIL
    assert root.find("s:title", NS).get("id") == f"{chart.id}-title"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    assert root.get("width") is None and root.get("height") is None  # the container sizes it; print stays vector
    assert "<script" not in chart.svg and "style=" not in chart.svg  # escaped; CSP-safe (no inline style)
    assert any(EVIL == (t.text or "") for t in root.iter("{http://www.w3.org/2000/svg}text")) or chart.kind == "hbars"
    # the table behind it
    rows = charts.table_rows(chart)
    assert rows[0] == list(chart.table.columns) and len(rows) >= 2
    assert all(len(r) == len(rows[0]) for r in rows)


def test_an_svg_chart_never_holds_a_raw_ampersand_or_angle_bracket_from_its_input():
    for chart in _all_charts("a < b & c > d"):
        assert "a < b" not in chart.svg and "a &lt; b &amp; c &gt; d" in chart.svg


def test_stacked_bars_stack_up_and_down_and_link_each_bar():
    chart = _all_charts("x")[2]
    root = ET.fromstring(chart.svg)
    links = root.findall(".//s:a", NS)
    assert [a.get("href") for a in links] == ["#m1", "#m2", "#m3"]
    assert [a.get("data-bar") for a in links] == ["0", "1", "2"]
    # each bar has its own tooltip title, and the parts that are not zero
    assert all(a.find("s:title", NS) is not None for a in links)
    second = links[1]
    parts = [r.get("data-part") for r in second.findall("s:rect", NS) if r.get("data-part")]
    assert parts == ["direct", "spill"]
    # the fall (direct −2) is drawn below the zero line, the rise above it
    zero = [float(l.get("y1")) for l in root.findall("s:line", NS) if l.get("stroke-width") == "1.4"][0]
    rects = {r.get("data-part"): r for r in second.findall("s:rect", NS) if r.get("data-part")}
    assert float(rects["direct"].get("y")) >= zero - 0.5
    assert float(rects["spill"].get("y")) + float(rects["spill"].get("height")) <= zero + 0.5
    # patterns, not colour alone: the hatched part fills from a <pattern>
    assert rects["spill"].get("fill") == "url(#bars-spill)"
    assert root.find(".//s:pattern[@id='bars-spill']", NS) is not None
    # the table: parts, net total and the line
    assert charts.table_rows(chart)[0] == ["", "x", "Spill", "Total", "Total"]
    assert charts.table_rows(chart)[2] == ["T2", "−2", "+1", "−1", "+2.5"]


def test_series_differ_by_dash_and_marker_as_well_as_colour():
    chart = _all_charts("x")[0]
    root = ET.fromstring(chart.svg)
    groups = root.findall(".//s:g[@class='series']", NS)
    assert [g.get("data-series") for g in groups] == ["x", "B"]
    first_path = groups[0].find("s:path", NS)
    second_path = groups[1].find("s:path", NS)
    assert first_path.get("stroke") != second_path.get("stroke")
    assert first_path.get("stroke-dasharray") != second_path.get("stroke-dasharray")
    assert groups[0][1].tag != groups[1][1].tag or groups[0][1].get("d") != groups[1][1].get("d")
    # a gap (None) breaks the line: two runs for the first series, one path each
    assert len(groups[0].findall("s:path", NS)) == 1  # [1, 20] then [40] alone: one drawable run
    # each line is named at its end, in text
    names = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "x" in names and "B" in names


def test_number_formatting_and_ticks():
    assert fmt(-2.0) == "−2" and fmt(2.35, 1, True) == "+2.4" and fmt(0.0, 1, True) == "0" and fmt(None) == "–"
    assert fmt(-0.04) == "0"
    assert nice_ticks(0, 100, 5) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(-5, 12, 6) == [-5, 0, 5, 10]
    assert nice_ticks(0, 1, 4) == [0, 0.25, 0.5, 0.75, 1]
    placed = spread([("a", 10), ("b", 12), ("c", 100)], 15, 0, 200)
    assert placed["b"] - placed["a"] >= 15 and placed["c"] == 100


def test_empty_scatter_says_so():
    chart = charts.scatter("e", "t", "d", points=[], x_label="x", y_label="y", empty="Nothing yet")
    assert "Nothing yet" in chart.svg and charts.table_rows(chart) == [["", "x", "y", ""]]


def test_the_chart_package_imports_no_django():
    for path in (Path(charts.__file__).parent).glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "django" for n in names), path
