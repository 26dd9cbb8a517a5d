"""The chart kinds of the after-action review, as self-contained inline SVG with the data table behind each.

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>``, labels its series in text (and by dash
pattern, marker shape or fill pattern, never by colour alone), escapes every text it draws, and is sized by
its viewBox only, so it fills its container on a projector and prints as sharp vectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .svg import (AXIS, DASHES, FONT, GRID, INK, INK_2, MUTED, PALETTE, SHAPES, Scale, esc, fill_ref, fmt,
                  marker, nice_ticks, num, pattern_defs, safe_id, spread, text)


# ---------------------------------------------------------------------------------------------- the data

@dataclass
class Series:
    name: str
    values: list  # one value (or None for a gap) per x label
    colour: str | None = None
    dash: str | None = None
    shape: str | None = None


@dataclass
class Band:
    lo: float
    hi: float
    label: str
    fill: str


@dataclass
class Marker:
    """A vertical mark between or on x positions (x is an index into the labels; .5 falls between two)."""
    x: float
    label: str
    panel: str | None = None  # in small multiples: the one panel it belongs to (None: every panel)


@dataclass
class Part:
    """One layer of a stacked bar: its values per x label, its colour and a fill pattern."""
    name: str
    label: str
    values: list
    colour: str
    pattern: str = "solid"  # solid | hatch | cross | dots | lines | vlines


@dataclass
class Point:
    x: float
    y: float
    label: str = ""
    group: str = ""


@dataclass
class Panel:
    title: str
    series: list
    bands: list = field(default_factory=list)


@dataclass
class Span:
    start: float
    end: float
    label: str
    colour: str = "#64748b"


@dataclass
class Mark:
    x: float
    label: str
    shape: str = "circle"
    colour: str = "#1f2937"
    filled: bool = True


@dataclass
class Row:
    label: str
    spans: list = field(default_factory=list)
    marks: list = field(default_factory=list)


@dataclass
class Table:
    caption: str
    columns: list
    rows: list


@dataclass
class Chart:
    id: str
    kind: str
    title: str
    desc: str
    svg: str
    table: Table

    def __html__(self):  # Django's templates (and markupsafe) print it as the markup it is, unescaped once
        return self.svg

    def __str__(self):
        return self.svg


def table_rows(chart):
    """The rows of the data table behind a chart: a header row, then one list of strings per row."""
    return [list(chart.table.columns)] + [list(r) for r in chart.table.rows]


# ------------------------------------------------------------------------------------------------ helpers

def _styled(series):
    """Give each series a colour, a dash pattern and a marker shape, distinct in all three where possible."""
    out = []
    for i, s in enumerate(series):
        out.append(Series(s.name, list(s.values), s.colour or PALETTE[i % len(PALETTE)],
                          DASHES[i % len(DASHES)] if s.dash is None else s.dash,
                          s.shape or SHAPES[i % len(SHAPES)]))
    return out


def _open(cid, kind, title, desc, width, height, extra_defs=""):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" role="img" '
            f'aria-labelledby="{cid}-title {cid}-desc" class="chart chart-{kind}" id="{cid}" '
            f'font-family="{esc(FONT)}" preserveAspectRatio="xMidYMid meet">'
            f'<title id="{cid}-title">{esc(title)}</title><desc id="{cid}-desc">{esc(desc)}</desc>'
            + (f"<defs>{extra_defs}</defs>" if extra_defs else ""))


def _y_axis(parts, ys, ticks, left, right, digits=0, suffix=""):
    for t in ticks:
        y = ys(t)
        parts.append(f'<line x1="{num(left)}" x2="{num(right)}" y1="{num(y)}" y2="{num(y)}" stroke="{GRID}" '
                     f'stroke-width="1"/>')
        parts.append(text(left - 6, y + 4, fmt(t, digits) + suffix, size=12, anchor="end", fill=MUTED))


def _x_labels(parts, xs, labels, y, size=12, every=1):
    for i, label in enumerate(labels):
        if i % every and i != len(labels) - 1:
            continue
        parts.append(text(xs(i), y, label, size=size, anchor="middle", fill=MUTED))


def _polyline(points, colour, dash, width=2.4):
    """Paths through the points, broken at gaps (None)."""
    out, run = [], []
    for p in points + [None]:
        if p is None:
            if len(run) > 1:
                d = "M" + "L".join(f"{num(x)} {num(y)}" for x, y in run)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<path d="{d}" fill="none" stroke="{esc(colour)}" stroke-width="{width}" '
                           f'stroke-linejoin="round" stroke-linecap="round"{dash_attr}/>')
            run = []
        else:
            run.append(p)
    return "".join(out)


def _legend(parts, items, x, y, width, size=12):
    """A one-line (wrapping) legend: items are (swatch svg builder(x, y), label)."""
    cx, cy = x, y
    for draw, label in items:
        w = 30 + len(label) * size * 0.56
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + size + 8
        parts.append(draw(cx, cy - size * 0.35))
        parts.append(text(cx + 24, cy, label, size=size, fill=INK_2))
        cx += w + 10
    return cy


def _line_swatch(s):
    def draw(x, y):
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        return (f'<path d="M{num(x)} {num(y)}H{num(x + 20)}" stroke="{esc(s.colour)}" stroke-width="2.4"{dash}/>'
                + marker(s.shape, x + 10, y, s.colour, 3.6))
    return draw


def _bands(parts, bands, ys, left, right, label_x=None, size=11):
    for b in bands:
        y0, y1 = ys(b.hi), ys(b.lo)
        top, h = min(y0, y1), abs(y1 - y0)
        parts.append(f'<rect x="{num(left)}" y="{num(top)}" width="{num(right - left)}" height="{num(h)}" '
                     f'fill="{esc(b.fill)}"/>')
        if b.label and h >= size + 1:
            parts.append(text(label_x if label_x is not None else right - 4, top + h / 2 + size * 0.35, b.label,
                              size=size, anchor="end", fill=MUTED))


def _markers(parts, markers, xs, top, bottom, size=11):
    for m in markers:
        x = xs(m.x)
        parts.append(f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(top)}" y2="{num(bottom)}" stroke="{INK}" '
                     f'stroke-width="1.2" stroke-dasharray="3 3"/>')
        if m.label:
            parts.append(text(x + 3, top + size, m.label, size=size, fill=INK, weight="600"))


# ------------------------------------------------------------------------------------------------- charts

def line_chart(cid, title, desc, *, x_labels, series, bands=(), markers=(), y_min=0, y_max=100, y_label="",
               digits=1, width=820, height=360, caption=None):
    """Lines over turns, on shaded horizontal bands, with vertical markers and a label at each line's end."""
    cid = safe_id(cid)
    series = _styled(series)
    left, right, top = 52, width - 150, 34
    bottom = height - 34
    xs = Scale(0, max(1, len(x_labels) - 1), left + 12, right - 12)
    ys = Scale(y_min, y_max, bottom, top)
    p = [_open(cid, "line", title, desc, width, height)]
    _bands(p, bands, ys, left, right)
    _y_axis(p, ys, nice_ticks(y_min, y_max, 5), left, right)
    if y_label:
        p.append(text(left - 40, top - 14, y_label, size=12, fill=MUTED))
    _x_labels(p, xs, x_labels, bottom + 20)
    _markers(p, markers, xs, top, bottom)
    ends = []
    for s in series:
        pts = [None if v is None else (xs(i), ys(v)) for i, v in enumerate(s.values)]
        p.append(f'<g class="series" data-series="{esc(s.name)}">')
        p.append(_polyline(pts, s.colour, s.dash))
        for pt in pts:
            if pt is not None:
                p.append(marker(s.shape, pt[0], pt[1], s.colour, 3.8))
        p.append("</g>")
        last = next((pt for pt in reversed(pts) if pt is not None), None)
        if last is not None:
            ends.append((s, last))
    placed = spread([(id(s), y) for s, (_, y) in ends], 15, top + 6, bottom)
    for s, (x, y) in ends:
        ly = placed[id(s)]
        p.append(f'<path d="M{num(x + 6)} {num(y)}L{num(right + 4)} {num(ly)}" stroke="{esc(s.colour)}" '
                 f'stroke-width="1" fill="none"/>')
        p.append(marker(s.shape, right + 12, ly, s.colour, 3.8))
        p.append(text(right + 20, ly + 4, s.name, size=13, fill=INK, weight="600"))
    p.append(f'<line x1="{num(left)}" x2="{num(right)}" y1="{num(bottom)}" y2="{num(bottom)}" stroke="{AXIS}"/>')
    p.append("</svg>")
    table = Table(caption or title, [""] + list(x_labels),
                  [[s.name] + [fmt(v, digits) for v in s.values] for s in series])
    return Chart(cid, "line", title, desc, "".join(p), table)


def small_multiples(cid, title, desc, *, x_labels, panels, bands=(), markers=(), y_min=0, y_max=100, columns=3,
                    digits=1, panel_width=300, panel_height=170, y_label="", legend=True, caption=None):
    """One small chart per panel on a shared scale: each with its bands, its markers and its series."""
    cid = safe_id(cid)
    n = max(1, len(panels))
    columns = max(1, min(columns, n))
    rows = (n + columns - 1) // columns
    names = []
    for panel in panels:
        for s in panel.series:
            if s.name not in names:
                names.append(s.name)
    style = {s.name: s for s in _styled([Series(name, []) for name in names])}
    legend_h = 30 if legend and len(names) > 1 else 0
    width = columns * panel_width
    height = rows * panel_height + legend_h + 6
    p = [_open(cid, "multiples", title, desc, width, height)]
    if legend_h:
        items = [(_line_swatch(style[name]), name) for name in names]
        _legend(p, items, 48, 18, width - 60)
    for k, panel in enumerate(panels):
        ox = (k % columns) * panel_width
        oy = legend_h + (k // columns) * panel_height
        has_bands = bool(panel.bands or bands)
        left, right, top, bottom = ox + 44, ox + panel_width - (30 if has_bands else 14), oy + 26, oy + panel_height - 26
        xs = Scale(0, max(1, len(x_labels) - 1), left + 6, right - 6)
        ys = Scale(y_min, y_max, bottom, top)
        p.append(f'<g class="panel" data-panel="{esc(panel.title)}">')
        p.append(text(left, oy + 16, panel.title, size=13, fill=INK, weight="700"))
        _bands(p, panel.bands or bands, ys, left, right, label_x=right + 22, size=10)
        _y_axis(p, ys, nice_ticks(y_min, y_max, 4), left, right)
        _x_labels(p, xs, x_labels, bottom + 16, size=11, every=1 if len(x_labels) <= 10 else 2)
        _markers(p, [m for m in markers if getattr(m, "panel", None) in (None, panel.title)], xs, top, bottom, size=10)
        for s in panel.series:
            st = style[s.name]
            colour = s.colour or st.colour
            pts = [None if v is None else (xs(i), ys(v)) for i, v in enumerate(s.values)]
            p.append(_polyline(pts, colour, st.dash if s.dash is None else s.dash, width=2.2))
            for pt in pts:
                if pt is not None:
                    p.append(marker(s.shape or st.shape, pt[0], pt[1], colour, 3.2))
            if len(panel.series) == 1:
                last = next((v for v in reversed(s.values) if v is not None), None)
                if last is not None:
                    p.append(text(right + (22 if has_bands else 0), oy + 16, fmt(last, digits), size=13, anchor="end", fill=INK,
                                  weight="700"))
        p.append(f'<line x1="{num(left)}" x2="{num(right)}" y1="{num(bottom)}" y2="{num(bottom)}" stroke="{AXIS}"/>')
        p.append("</g>")
    p.append("</svg>")
    rows_out = []
    for panel in panels:
        for s in panel.series:
            name = panel.title if len(panel.series) == 1 else f"{panel.title}: {s.name}"
            rows_out.append([name] + [fmt(v, digits) for v in s.values])
    table = Table(caption or title, [""] + list(x_labels), rows_out)
    return Chart(cid, "multiples", title, desc, "".join(p), table)


def stacked_bars(cid, title, desc, *, x_labels, parts, line=None, line_label="", hrefs=None, y_label="",
                 digits=1, width=820, height=380, bar_titles=None, caption=None, total_label="Total",
                 line2=None, line2_label="", line2_colour="#c8510b", line2_dash="7 4"):
    """Bars stacked from zero (rises up, falls down), a net label on each, an optional cumulative line; each
    bar a link (``hrefs[i]``) to what lies behind it. ``line2``: a second line to compare with (another branch
    of the game, say), dashed, with its own legend entry and table column."""
    cid = safe_id(cid)
    n = len(x_labels)
    totals = [sum(float(pt.values[i] or 0) for pt in parts) for i in range(n)]
    ups = [sum(max(0.0, float(pt.values[i] or 0)) for pt in parts) for i in range(n)]
    downs = [sum(min(0.0, float(pt.values[i] or 0)) for pt in parts) for i in range(n)]
    lines = [v for ln in (line or [], line2 or []) for v in ln if v is not None]
    lo = min([0.0] + downs + lines)
    hi = max([1.0] + ups + lines)
    pad = (hi - lo) * 0.08
    ticks = nice_ticks(lo - pad, hi + pad, 6)
    y0, y1 = min(ticks[0], lo), max(ticks[-1], hi)
    legend_h = 34
    left, right, top, bottom = 56, width - 24, 34 + legend_h, height - 48
    ys = Scale(y0, y1, bottom, top)
    slot = (right - left) / max(1, n)
    bar_w = min(64.0, slot * 0.56)
    xc = lambda i: left + slot * (i + 0.5)  # noqa: E731
    defs = pattern_defs(cid, {pt.name: (pt.pattern, pt.colour) for pt in parts})
    p = [_open(cid, "stacked", title, desc, width, height, defs)]
    items = []
    for pt in parts:
        def draw(x, y, pt=pt):
            return (f'<rect x="{num(x)}" y="{num(y - 7)}" width="18" height="14" rx="2" '
                    f'fill="{fill_ref(cid, pt.name, pt.pattern, pt.colour)}" stroke="{esc(pt.colour)}"/>')
        items.append((draw, pt.label))
    if line is not None:
        items.append((_line_swatch(Series(line_label, [], INK, "", "circle")), line_label))
    if line2 is not None:
        items.append((_line_swatch(Series(line2_label, [], line2_colour, line2_dash, "triangle")), line2_label))
    _legend(p, items, left, 20, right - left, size=13)
    _y_axis(p, ys, ticks, left, right)
    if y_label:
        p.append(text(left - 44, top - 12, y_label, size=12, fill=MUTED))
    p.append(f'<line x1="{num(left)}" x2="{num(right)}" y1="{num(ys(0))}" y2="{num(ys(0))}" stroke="{INK_2}" '
             f'stroke-width="1.4"/>')
    for i in range(n):
        href = hrefs[i] if hrefs else None
        label = (bar_titles[i] if bar_titles and bar_titles[i] else f"{x_labels[i]}: {fmt(totals[i], digits, True)}")
        p.append((f'<a href="{esc(href)}" class="bar-link" data-bar="{i}">' if href else '<g class="bar">')
                 + f"<title>{esc(label)}</title>")
        # a wide, invisible hit area: the whole column is the link
        p.append(f'<rect x="{num(xc(i) - slot / 2 + 2)}" y="{num(top)}" width="{num(slot - 4)}" '
                 f'height="{num(bottom - top)}" fill="#fff" fill-opacity="0" class="bar-hit"/>')
        up, down = 0.0, 0.0
        for pt in parts:
            v = float(pt.values[i] or 0)
            if v == 0:
                continue
            if v > 0:
                a, b = ys(up + v), ys(up)
                up += v
            else:
                a, b = ys(down), ys(down + v)
                down += v
            p.append(f'<rect x="{num(xc(i) - bar_w / 2)}" y="{num(a)}" width="{num(bar_w)}" '
                     f'height="{num(max(0.6, b - a))}" fill="{fill_ref(cid, pt.name, pt.pattern, pt.colour)}" '
                     f'stroke="#fff" stroke-width="0.8" data-part="{esc(pt.name)}"/>')
        ty = ys(up) - 6 if totals[i] >= 0 else min(ys(down) + 16, bottom + 14)
        p.append(text(xc(i), ty, fmt(totals[i], digits, True), size=13, anchor="middle", fill=INK, weight="700"))
        p.append("</a>" if href else "</g>")
    _x_labels(p, Scale(0, max(1, n - 1), xc(0), xc(max(1, n - 1))) if n > 1 else (lambda i: xc(0)),
              x_labels, height - 10, size=12)
    if line is not None:
        pts = [None if v is None else (xc(i), ys(v)) for i, v in enumerate(line)]
        p.append(_polyline(pts, INK, "", width=2.2))
        for i, pt in enumerate(pts):
            if pt is not None:
                p.append(marker("circle", pt[0], pt[1], INK, 4.2, filled=False))
        last = next((i for i in range(n - 1, -1, -1) if line[i] is not None), None)
        if last is not None:
            p.append(text(min(right - 2, xc(last) + 10), ys(line[last]) - 8, fmt(line[last], digits, True),
                          size=12, anchor="start" if xc(last) + 60 < right else "end", fill=INK, weight="600"))
    if line2 is not None:
        pts = [None if i >= n or v is None else (xc(i), ys(v)) for i, v in enumerate(line2)]
        p.append(f'<g class="series" data-series="{esc(line2_label)}">')
        p.append(_polyline(pts, line2_colour, line2_dash, width=2.2))
        p.extend(marker("triangle", pt[0], pt[1], line2_colour, 4.2) for pt in pts if pt is not None)
        p.append("</g>")
    p.append("</svg>")
    columns = [""] + [pt.label for pt in parts] + [total_label] + ([line_label] if line is not None else [])
    columns += [line2_label] if line2 is not None else []
    rows = []
    for i in range(n):
        row = [x_labels[i]] + [fmt(pt.values[i], digits, True) for pt in parts] + [fmt(totals[i], digits, True)]
        if line is not None:
            row.append(fmt(line[i], digits, True))
        if line2 is not None:
            row.append(fmt(line2[i] if i < len(line2) else None, digits, True))
        rows.append(row)
    return Chart(cid, "stacked", title, desc, "".join(p), Table(caption or title, columns, rows))


def scatter(cid, title, desc, *, points, x_label, y_label, x_range=(0, 100), y_range=(0, 100), connect=True,
            y_categories=None, diagonal=None, width=820, height=380, digits=1, caption=None, columns=None,
            empty=""):
    """Points by group (each group its colour and marker shape), each labelled; optionally joined in order
    (a path through the turns). ``y_categories``: names for integer y values (a categorical axis).
    ``diagonal``: a label for the line y = x (e.g. the roll at which an argued action just succeeds)."""
    cid = safe_id(cid)
    groups = []
    for pt in points:
        if pt.group not in groups:
            groups.append(pt.group)
    style = {s.name: s for s in _styled([Series(g, []) for g in groups])}
    legend_h = 30 if len(groups) > 1 or (len(groups) == 1 and groups[0]) else 0
    left, right, top, bottom = 64 + (70 if y_categories else 0), width - 24, 24 + legend_h, height - 52
    xs = Scale(x_range[0], x_range[1], left + 8, right - 8)
    ys = Scale(y_range[0], y_range[1], bottom - 8, top + 8)
    p = [_open(cid, "scatter", title, desc, width, height)]
    if legend_h:
        _legend(p, [(lambda x, y, g=g: marker(style[g].shape, x + 10, y, style[g].colour, 4.2), g or "—")
                    for g in groups], left, 18, right - left)
    if y_categories:
        for value, name in y_categories:
            y = ys(value)
            p.append(f'<line x1="{num(left)}" x2="{num(right)}" y1="{num(y)}" y2="{num(y)}" stroke="{GRID}"/>')
            p.append(text(left - 8, y + 4, name, size=12, anchor="end", fill=INK_2))
    else:
        _y_axis(p, ys, nice_ticks(y_range[0], y_range[1], 5), left, right,
                digits=0 if y_range[1] - y_range[0] >= 5 else 2)
    for t in nice_ticks(x_range[0], x_range[1], 6):
        x = xs(t)
        p.append(f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(top)}" y2="{num(bottom)}" stroke="{GRID}"/>')
        p.append(text(x, bottom + 18, fmt(t, 0 if x_range[1] - x_range[0] >= 5 else 2), size=12, anchor="middle",
                      fill=MUTED))
    if diagonal:
        a, b = max(x_range[0], y_range[0]), min(x_range[1], y_range[1])
        p.append(f'<path d="M{num(xs(a))} {num(ys(a))}L{num(xs(b))} {num(ys(b))}" stroke="{AXIS}" '
                 f'stroke-width="1.4" stroke-dasharray="5 4"/>')
        p.append(text(xs(b) - 4, ys(b) + 16, diagonal, size=11, anchor="end", fill=MUTED))
    p.append(text((left + right) / 2, height - 14, x_label, size=13, anchor="middle", fill=INK_2, weight="600"))
    p.append(text(left - (60 if not y_categories else 130), top - 8, y_label, size=13, fill=INK_2, weight="600"))
    p.append(f'<rect x="{num(left)}" y="{num(top)}" width="{num(right - left)}" height="{num(bottom - top)}" '
             f'fill="none" stroke="{AXIS}"/>')
    if not points and empty:
        p.append(text((left + right) / 2, (top + bottom) / 2, empty, size=15, anchor="middle", fill=MUTED))
    for g in groups:
        st = style[g]
        mine = [pt for pt in points if pt.group == g]
        p.append(f'<g class="group" data-group="{esc(g)}">')
        if connect and len(mine) > 1:
            p.append(_polyline([(xs(pt.x), ys(pt.y)) for pt in mine], st.colour, st.dash or "", width=1.4))
        for pt in mine:
            p.append(marker(st.shape, xs(pt.x), ys(pt.y), st.colour, 5))
            if pt.label:
                p.append(text(xs(pt.x) + 8, ys(pt.y) - 7, pt.label, size=11, fill=INK_2))
        p.append("</g>")
    p.append("</svg>")
    cols = columns or ["", x_label, y_label, ""]
    cats = dict(y_categories or ())
    rows = [[pt.group, fmt(pt.x, digits), cats.get(pt.y, fmt(pt.y, digits)), pt.label] for pt in points]
    return Chart(cid, "scatter", title, desc, "".join(p), Table(caption or title, cols, rows))


def timeline(cid, title, desc, *, x_labels, rows, width=820, row_height=34, label_width=190, caption=None,
             legend=()):
    """Rows over turns: spans (something in force from one turn to another) and marks (something that
    happened in a turn), each labelled in text. ``legend``: (shape, colour, filled, label) entries."""
    cid = safe_id(cid)
    legend_h = 30 if legend else 0
    top = 14 + legend_h
    height = top + max(1, len(rows)) * row_height + 30
    left, right = label_width, width - 20
    n = max(1, len(x_labels))
    slot = (right - left) / n
    xc = lambda x: left + slot * (x + 0.5)  # noqa: E731
    p = [_open(cid, "timeline", title, desc, width, height)]
    if legend:
        _legend(p, [(lambda x, y, e=e: marker(e[0], x + 10, y, e[1], 4.6, e[2]), e[3]) for e in legend],
                left, 18, right - left)
    for i in range(n):
        x = left + slot * i
        p.append(f'<rect x="{num(x)}" y="{num(top)}" width="{num(slot)}" height="{num(len(rows) * row_height)}" '
                 f'fill="{"#f8fafc" if i % 2 else "#ffffff"}"/>')
        p.append(text(xc(i), top + len(rows) * row_height + 18, x_labels[i], size=12, anchor="middle", fill=MUTED))
    for r, row in enumerate(rows):
        y = top + r * row_height
        mid = y + row_height / 2
        p.append(f'<line x1="0" x2="{num(right)}" y1="{num(y + row_height)}" y2="{num(y + row_height)}" '
                 f'stroke="{GRID}"/>')
        p.append(text(8, mid + 4, row.label, size=12, fill=INK, weight="600"))
        for k, sp in enumerate(row.spans):
            off = (k - (len(row.spans) - 1) / 2) * 7
            x0, x1 = left + slot * sp.start + 3, left + slot * (sp.end + 1) - 3
            p.append(f'<rect x="{num(x0)}" y="{num(mid + off - 3)}" width="{num(max(2, x1 - x0))}" height="6" rx="3" '
                     f'fill="{esc(sp.colour)}"><title>{esc(sp.label)}</title></rect>')
        if row.spans and not row.marks:
            names = ", ".join(dict.fromkeys(sp.label for sp in row.spans))
            first = min(sp.start for sp in row.spans)
            p.append(text(left + slot * first + 6, y + 10, names, size=10, fill=MUTED))
        for m in row.marks:
            p.append(marker(m.shape, xc(m.x), mid, m.colour, 5.5, m.filled))
            if m.label:
                p.append(text(xc(m.x) + 9, mid + 4, m.label, size=11, fill=INK_2))
    p.append("</svg>")
    table_rows_ = []
    for row in rows:
        cells = [""] * n
        for sp in row.spans:
            for i in range(int(sp.start), int(sp.end) + 1):
                if 0 <= i < n:
                    cells[i] = ", ".join(filter(None, [cells[i], sp.label]))
        for m in row.marks:
            i = int(m.x)
            if 0 <= i < n:
                cells[i] = ", ".join(filter(None, [cells[i], m.label or "●"]))
        table_rows_.append([row.label] + [c or "–" for c in cells])
    return Chart(cid, "timeline", title, desc, "".join(p), Table(caption or title, [""] + list(x_labels), table_rows_))


def hbars(cid, title, desc, *, rows, max_value, value_label, width=400, row_height=30, label_width=110,
          digits=0, ticks=None, caption=None, colour="#0b6fae", notes=None):
    """One horizontal bar per row, its value written at its end. ``rows``: (label, value) pairs."""
    cid = safe_id(cid)
    top = 30
    height = top + max(1, len(rows)) * row_height + 26
    left, right = label_width, width - 40
    xs = Scale(0, max_value or 1, left, right)
    p = [_open(cid, "hbars", title, desc, width, height)]
    p.append(text(left, 18, value_label, size=12, fill=MUTED, weight="600"))
    for t in (ticks or [t for t in nice_ticks(0, max_value or 1, 4) if digits or t == int(t)]):
        x = xs(t)
        p.append(f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(top)}" y2="{num(top + len(rows) * row_height)}" '
                 f'stroke="{GRID}"/>')
        p.append(text(x, top + len(rows) * row_height + 16, fmt(t, 0), size=11, anchor="middle", fill=MUTED))
    for r, (label, value) in enumerate(rows):
        y = top + r * row_height
        p.append(text(left - 8, y + row_height / 2 + 4, label, size=12, anchor="end", fill=INK, weight="600"))
        w = max(0.0, xs(value or 0) - left)
        p.append(f'<rect x="{num(left)}" y="{num(y + 6)}" width="{num(max(w, 1.5))}" height="{num(row_height - 12)}" '
                 f'rx="3" fill="{esc(colour)}"/>')
        note = f" {notes[r]}" if notes and notes[r] else ""
        p.append(text(left + w + 6, y + row_height / 2 + 4, fmt(value, digits) + note, size=12, fill=INK,
                      weight="700"))
    p.append("</svg>")
    return Chart(cid, "hbars", title, desc, "".join(p),
                 Table(caption or title, ["", value_label],
                       [[label, fmt(value, digits) + (f" {notes[r]}" if notes and notes[r] else "")]
                        for r, (label, value) in enumerate(rows)]))


def fan_chart(cid, title, desc, *, x_labels, median, band50, band90, y_min=0, y_max=100, y_label="", digits=1,
              colour=PALETTE[0], width=640, height=300, caption=None, labels=("Median", "Middle 50%", "Middle 90%"),
              column_labels=("5%", "25%", "Median", "75%", "95%")):
    """A fan chart: the median as a line with markers, on a solid band holding the middle 50% of outcomes and a
    lighter, dash-edged band holding the middle 90%. ``band50`` and ``band90``: (lows, highs), one per x label.
    The first x label may be the known starting point (its bands are then just the median)."""
    cid = safe_id(cid)
    n = len(x_labels)
    left, right, top = 52, width - 24, 46
    bottom = height - 34
    xs = Scale(0, max(1, n - 1), left + 14, right - 14)
    ys = Scale(y_min, y_max, bottom, top)
    p = [_open(cid, "fan", title, desc, width, height)]
    _y_axis(p, ys, nice_ticks(y_min, y_max, 5), left, right)
    if y_label:
        p.append(text(left - 40, top - 14, y_label, size=12, fill=MUTED))
    _x_labels(p, xs, x_labels, bottom + 20)

    def area(lo, hi, fill, opacity, dash, name):
        pts_hi = [(xs(i), ys(v)) for i, v in enumerate(hi)]
        pts_lo = [(xs(i), ys(v)) for i, v in reversed(list(enumerate(lo)))]
        d = "M" + "L".join(f"{num(x)} {num(y)}" for x, y in pts_hi + pts_lo) + "Z"
        edge = f' stroke="{esc(fill)}" stroke-width="1" stroke-dasharray="{dash}"' if dash else ""
        return (f'<path class="fan-band" data-band="{esc(name)}" d="{d}" fill="{esc(fill)}" '
                f'fill-opacity="{opacity}"{edge}/>')

    p.append(area(band90[0], band90[1], colour, "0.16", "4 3", labels[2]))
    p.append(area(band50[0], band50[1], colour, "0.38", "", labels[1]))
    pts = [None if v is None else (xs(i), ys(v)) for i, v in enumerate(median)]
    p.append(f'<g class="series" data-series="{esc(labels[0])}">')
    p.append(_polyline(pts, INK, "", width=2.4))
    p.extend(marker("circle", pt[0], pt[1], INK, 3.8) for pt in pts if pt is not None)
    p.append("</g>")
    for i, v in enumerate(median):
        if v is not None and i:
            p.append(text(xs(i), ys(v) - 8, fmt(v, digits), size=12, anchor="middle", fill=INK, weight="600"))

    def band_swatch(opacity, dash):
        def draw(x, y):
            edge = f' stroke="{esc(colour)}" stroke-dasharray="{dash}"' if dash else ""
            return (f'<rect x="{num(x)}" y="{num(y - 6)}" width="20" height="12" fill="{esc(colour)}" '
                    f'fill-opacity="{opacity}"{edge}/>')
        return draw
    _legend(p, [(_line_swatch(Series(labels[0], [], INK, "", "circle")), labels[0]),
                (band_swatch("0.38", ""), labels[1]), (band_swatch("0.16", "4 3"), labels[2])],
            left, 18, right - left, size=12)
    p.append(f'<line x1="{num(left)}" x2="{num(right)}" y1="{num(bottom)}" y2="{num(bottom)}" stroke="{AXIS}"/>')
    p.append("</svg>")
    rows = [[x_labels[i]] + [fmt(v, digits) for v in (band90[0][i], band50[0][i], median[i], band50[1][i],
                                                      band90[1][i])] for i in range(n)]
    return Chart(cid, "fan", title, desc, "".join(p), Table(caption or title, [""] + list(column_labels), rows))
