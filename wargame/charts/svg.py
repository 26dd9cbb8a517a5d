"""Small SVG building blocks shared by the charts: escaping, number formatting, scales, patterns, markers.

Only presentation attributes and class names (no ``style=``, no script), so the output passes a
``style-src 'self'`` Content-Security-Policy, and every size is in viewBox units so a chart scales to its
container and prints as vectors.
"""

from __future__ import annotations

import html
import math
import re

FONT = "Inter, 'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', Arial, sans-serif"
INK = "#0f172a"
INK_2 = "#334155"
MUTED = "#5b6677"
GRID = "#e2e8f0"
AXIS = "#94a3b8"

# A calm palette that stays apart for the common colour-vision deficiencies (Okabe-Ito, darkened for text on
# white), each paired with a dash pattern and a marker shape so no series is told by colour alone.
PALETTE = ("#0b6fae", "#c8510b", "#0a8a64", "#b04d8f", "#a66f00", "#3b8fc4", "#1f2937", "#6d4bd1",
           "#7c4a2d", "#64748b")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 4", "1 3", "12 4", "6 2 2 2 2 2")
SHAPES = ("circle", "square", "triangle", "diamond", "cross", "triangle-down", "plus", "ring")


def esc(text) -> str:
    """Escape any text for SVG element content or a double-quoted attribute."""
    return html.escape(str(text), quote=True)


_ID = re.compile(r"[^A-Za-z0-9_-]+")


def safe_id(text) -> str:
    """A string usable as an XML id: letters, digits, _ and - only."""
    return _ID.sub("-", str(text)).strip("-") or "chart"


def num(x, digits=1) -> str:
    """A coordinate: short and stable (no float noise, no "-0")."""
    v = round(float(x), digits)
    if v == 0:
        v = 0.0
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return s or "0"


def fmt(value, digits=1, signed=False) -> str:
    """A value as a person reads it: 12.5, +2.4, −3 (a real minus sign)."""
    if value is None:
        return "–"
    v = round(float(value), digits)
    if v == 0:
        v = 0.0
    s = f"{abs(v):.{digits}f}".rstrip("0").rstrip(".") if digits else f"{abs(v):.0f}"
    s = s or "0"
    if v < 0:
        return "\u2212" + s
    return ("+" + s) if signed and v > 0 else s


class Scale:
    """Linear map from a data domain to a pixel range (range may run backwards, as y does)."""

    def __init__(self, d0, d1, r0, r1):
        self.d0, self.d1, self.r0, self.r1 = float(d0), float(d1), float(r0), float(r1)
        if self.d1 == self.d0:
            self.d1 = self.d0 + 1.0

    def __call__(self, v):
        return self.r0 + (float(v) - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)


def nice_ticks(lo, hi, count=5):
    """Round tick values covering [lo, hi]."""
    lo, hi = float(lo), float(hi)
    span = hi - lo
    if span <= 0:
        return [lo]
    mag = 10 ** math.floor(math.log10(span / max(1, count)))
    step = mag
    for m in (1, 2, 2.5, 5, 10):
        step = m * mag
        if span / step <= count:
            break
    v = math.ceil(lo / step - 1e-9) * step
    ticks = []
    while v <= hi + 1e-9:
        ticks.append(round(v, 6))
        v += step
    return ticks


def pattern_defs(prefix, patterns):
    """<pattern> elements for fills that do not rely on colour: name -> (kind, colour)."""
    out = []
    for name, (kind, colour) in patterns.items():
        pid = f"{prefix}-{name}"
        if kind == "solid":
            continue
        body = {
            "hatch": '<path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="#fff" stroke-width="1.6"/>',
            "cross": '<path d="M0 0L8 8M8 0L0 8" stroke="#fff" stroke-width="1.3"/>',
            "dots": '<circle cx="4" cy="4" r="1.5" fill="#fff"/>',
            "lines": '<path d="M0 4H8" stroke="#fff" stroke-width="1.4"/>',
            "vlines": '<path d="M4 0V8" stroke="#fff" stroke-width="1.4"/>',
        }.get(kind, "")
        out.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
                   f'<rect width="8" height="8" fill="{esc(colour)}"/>{body}</pattern>')
    return "".join(out)


def fill_ref(prefix, name, kind, colour):
    return esc(colour) if kind == "solid" else f"url(#{prefix}-{name})"


def marker(shape, x, y, colour, size=4.5, filled=True):
    """A point marker of the given shape, centred on (x, y)."""
    s = size
    fill = esc(colour) if filled else "#fff"
    stroke = f' stroke="{esc(colour)}" stroke-width="1.6"'
    if shape == "square":
        return f'<rect x="{num(x - s)}" y="{num(y - s)}" width="{num(2 * s)}" height="{num(2 * s)}" fill="{fill}"{stroke}/>'
    if shape == "triangle":
        return (f'<path d="M{num(x)} {num(y - s * 1.2)}L{num(x + s * 1.15)} {num(y + s * .9)}'
                f'L{num(x - s * 1.15)} {num(y + s * .9)}Z" fill="{fill}"{stroke}/>')
    if shape == "triangle-down":
        return (f'<path d="M{num(x)} {num(y + s * 1.2)}L{num(x + s * 1.15)} {num(y - s * .9)}'
                f'L{num(x - s * 1.15)} {num(y - s * .9)}Z" fill="{fill}"{stroke}/>')
    if shape == "diamond":
        return (f'<path d="M{num(x)} {num(y - s * 1.3)}L{num(x + s * 1.3)} {num(y)}L{num(x)} {num(y + s * 1.3)}'
                f'L{num(x - s * 1.3)} {num(y)}Z" fill="{fill}"{stroke}/>')
    if shape == "cross":
        return (f'<path d="M{num(x - s)} {num(y - s)}L{num(x + s)} {num(y + s)}M{num(x + s)} {num(y - s)}'
                f'L{num(x - s)} {num(y + s)}" stroke="{esc(colour)}" stroke-width="2.4" fill="none"/>')
    if shape == "plus":
        return (f'<path d="M{num(x - s * 1.2)} {num(y)}H{num(x + s * 1.2)}M{num(x)} {num(y - s * 1.2)}V{num(y + s * 1.2)}"'
                f' stroke="{esc(colour)}" stroke-width="2.4" fill="none"/>')
    if shape == "ring":
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(s)}" fill="#fff"{stroke}/>'
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(s)}" fill="{fill}"{stroke}/>'


def text(x, y, body, *, size=13, anchor="start", fill=INK_2, weight=None, cls=None, baseline=None):
    extra = ""
    if weight:
        extra += f' font-weight="{weight}"'
    if cls:
        extra += f' class="{esc(cls)}"'
    if baseline:
        extra += f' dominant-baseline="{baseline}"'
    return (f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f'{esc(body)}</text>')


def spread(positions, gap, lo, hi):
    """Nudge label positions (sorted by value) apart by at least ``gap``, keeping them within [lo, hi].
    ``positions``: list of (key, y). Returns {key: y}."""
    items = sorted(positions, key=lambda p: p[1])
    ys = [y for _, y in items]
    for i in range(1, len(ys)):
        if ys[i] - ys[i - 1] < gap:
            ys[i] = ys[i - 1] + gap
    overflow = ys[-1] - hi if ys else 0
    if overflow > 0:
        ys = [y - overflow for y in ys]
        for i in range(len(ys) - 2, -1, -1):
            if ys[i + 1] - ys[i] < gap:
                ys[i] = ys[i + 1] - gap
    ys = [max(lo, y) for y in ys]
    return {k: y for (k, _), y in zip(items, ys)}
