"""Suppressed tables: the cells, rows and columns every report table is made of, and how counts are hidden.

A ``Table`` is what leaves the selectors for a page, a chart or an export; the raw value of a hidden cell
never reaches it (``Cell.value`` is ``None``). The small-cell rules themselves are ``lms.reports.suppression``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .. import suppression


def k_threshold() -> int:
    return int(getattr(settings, "RUTA_SMALL_CELL_THRESHOLD", 5))


@dataclass
class Cell:
    value: float | int | None
    text: str
    hidden: str = ""  # "", "primary" or "complementary"

    @property
    def is_number(self) -> bool:
        return not self.hidden and self.value is not None


@dataclass
class TableRow:
    key: str
    label: str
    cells: list[Cell]
    is_total: bool = False


@dataclass
class Column:
    key: str
    label: str
    kind: str = "count"
    definition: str = ""


@dataclass
class Table:
    """A suppressed table ready for a page or an export. Raw values of hidden cells never leave it."""

    key: str
    caption: str
    row_header: str
    columns: list[Column]
    rows: list[TableRow]
    notes: list[str] = field(default_factory=list)

    @property
    def body_rows(self) -> list[TableRow]:
        return [r for r in self.rows if not r.is_total]

    @property
    def total_row(self) -> TableRow | None:
        return next((r for r in self.rows if r.is_total), None)

    def has_hidden(self) -> bool:
        return any(c.hidden for r in self.rows for c in r.cells)


def _fmt(kind: str, value: float | int | None) -> str:
    if kind == "count":
        return suppression.display(value, "", k_threshold())
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",")


def suppressed_count_column(
    *, values: list[int], total: int, k: int, forced: list[bool] | None = None
) -> tuple[list[Cell], Cell]:
    """Cells for one additive count column and its total, with primary and complementary suppression
    (``forced``: cells to hide whatever their size)."""
    hidden, total_hidden = suppression.suppress_column(values, total, k, forced or ())
    cells = [Cell(v if not h else None, suppression.display(v, h, k), h) for v, h in zip(values, hidden, strict=True)]
    return cells, Cell(total if not total_hidden else None, suppression.display(total, total_hidden, k), total_hidden)


def _ratio_column(
    kind: str,
    ratios: list[tuple[float | None, int]],
    total: tuple[float | None, int],
    k: int,
    forced: list[bool] | None = None,
) -> tuple[list[Cell], Cell]:
    """A rate or mean is hidden wherever the number of people behind it is hidden (so it cannot be solved for)."""
    hidden, total_hidden = suppression.suppress_column([n for _, n in ratios], total[1], k, forced or ())
    cells = []
    for (value, _n), h in zip(ratios, hidden, strict=True):
        cells.append(Cell(None, suppression.display(None, h, k), h) if h else Cell(value, _fmt(kind, value)))
    total_cell = (
        Cell(None, suppression.display(None, total_hidden, k), total_hidden)
        if total_hidden
        else Cell(total[0], _fmt(kind, total[0]))
    )
    return cells, total_cell


def _unavailable_cell(reason: str) -> Cell:
    return Cell(None, reason)


def _table_notes(k: int) -> list[str]:
    return [
        str(_("«<%(k)s»: menos de %(k)s personas; la cifra se oculta para proteger su identidad.") % {"k": k}),
        str(_("«*»: cifra oculta para que no se pueda deducir otra celda pequeña a partir del total.")),
    ]
