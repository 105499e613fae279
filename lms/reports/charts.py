"""Geometry for server-rendered SVG bar charts (no JavaScript, nothing from a CDN).

A chart is drawn from an already suppressed ``Table`` column: hidden cells get no bar, only their label
("<5" or "*"), so a chart never shows more than its table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .selectors.tables import Table

BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 150
BAR_AREA = 200
VALUE_WIDTH = 60


@dataclass
class Bar:
    label: str
    text: str
    y: int
    width: int
    hidden: bool
    highlight: bool = False


@dataclass
class BarChart:
    title: str
    description: str
    bars: list[Bar] = field(default_factory=list)
    height: int = 0
    width: int = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    label_width: int = LABEL_WIDTH
    value_x: int = LABEL_WIDTH + BAR_AREA + 6
    marker_x: int | None = None  # a vertical reference line (e.g. the 50 % quota)

    @property
    def text_y_offset(self) -> int:
        return BAR_HEIGHT // 2 + 5


def bar_chart(table: Table, column_key: str, *, title: str, max_value: float | None = None) -> BarChart | None:
    """Horizontal bars for one column of ``table`` (total row excluded)."""
    index = next((i for i, c in enumerate(table.columns) if c.key == column_key), None)
    if index is None:
        return None
    rows = table.body_rows
    values = [r.cells[index].value for r in rows if r.cells[index].is_number]
    top = max_value or max([float(v) for v in values if v is not None] + [1.0])
    chart = BarChart(title=title, description="")
    y = 0
    parts = []
    for row in rows:
        cell = row.cells[index]
        width = int(round(BAR_AREA * float(cell.value) / top)) if cell.is_number and top else 0
        chart.bars.append(Bar(label=row.label[:24], text=cell.text, y=y, width=width, hidden=not cell.is_number))
        parts.append(f"{row.label}: {cell.text}")
        y += BAR_HEIGHT + GAP
    chart.height = max(y, BAR_HEIGHT)
    chart.description = "; ".join(parts)
    return chart


def quota_chart(rows: list, *, title: str) -> BarChart:
    """Share of women per cohort, on a 0–100 scale with a line at 50 %."""
    chart = BarChart(title=title, description="", marker_x=LABEL_WIDTH + BAR_AREA // 2)
    y = 0
    parts = []
    for row in rows:
        shown = row.share is not None
        text = f"{row.share:.0f} %" if shown else row.women.text
        width = int(round(BAR_AREA * row.share / 100)) if shown else 0
        chart.bars.append(
            Bar(label=row.name[:24], text=text, y=y, width=width, hidden=not shown, highlight=row.status != "ok")
        )
        parts.append(f"{row.name}: {text}")
        y += BAR_HEIGHT + GAP
    chart.height = max(y, BAR_HEIGHT)
    chart.description = "; ".join(parts)
    return chart
