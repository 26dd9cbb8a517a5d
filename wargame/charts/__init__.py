"""Pure-Python SVG charts for the after-action review (no Django): each a ``Chart`` holding accessible
inline SVG (role="img", title, desc, text labels, patterns as well as colours) and the table of its data."""

from .charts import (Band, Chart, Mark, Marker, Panel, Part, Point, Row, Series, Span, Table, fan_chart, hbars,
                     line_chart, scatter, small_multiples, stacked_bars, table_rows, timeline)
from .svg import PALETTE, esc, fmt

__all__ = ["Band", "Chart", "Mark", "Marker", "Panel", "Part", "Point", "Row", "Series", "Span", "Table", "fan_chart",
           "hbars", "line_chart", "scatter", "small_multiples", "stacked_bars", "table_rows", "timeline", "PALETTE",
           "esc", "fmt"]
