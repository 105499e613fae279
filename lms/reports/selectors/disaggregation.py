"""Disaggregated tables: the indicators by one dimension (``indicator_table``) and people by two dimensions at
once (``cross_table``), with small-cell suppression applied before anything leaves.

Must not import views, forms or services.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from courses.models import Enrollment

from .. import suppression
from ..dimensions import DIMENSIONS, NOT_STATED, dimension_annotations, ordered_values, value_label
from .aggregation import GroupStats
from .filters import Filters, Scope, _in_period
from .indicators import INDICATORS, indicator_figures
from .tables import (
    Cell,
    Column,
    Table,
    TableRow,
    _ratio_column,
    _table_notes,
    _unavailable_cell,
    k_threshold,
    suppressed_count_column,
)
from .universes import ENROLLMENT

# Filters that narrow who is counted. Each is a way to ask for a slice of a wider report; its region and cohort go
# together (a cohort has one place). The period counts as one filter, taken off whole: two periods that overlap
# are a difference this check does not close (lms/reports/README.md), and each end on its own would cost two more
# reports' queries for every dated table.
_NARROWING: tuple[tuple[str, ...], ...] = (
    ("cohort", "region"),
    ("cohort",),
    ("region",),
    ("country",),
    ("institution",),
    ("course",),
    ("programme",),
    ("funding_source",),
    ("start", "end"),
)


def _wider_scopes(scope: Scope) -> list[Scope]:
    """The reports a reader can ask for beside this one that count everyone this one counts and more: this report
    with any one narrowing filter taken off, and with none at all. A reader who has one of them can subtract this
    report from it and learn the rest of its scope (DOMAIN.md §4.2)."""
    filters = scope.filters
    empty: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(Filters)}
    wider: dict[Filters, None] = {}
    for names in _NARROWING:
        if any(getattr(filters, name) not in (None, "") for name in names):
            wider[dataclasses.replace(filters, **{name: empty[name] for name in names})] = None
    if wider:
        wider[Filters()] = None
    wider.pop(filters, None)
    return [Scope(universe=scope.universe, filters=f) for f in wider]


def _wider_groups(*, scope: Scope, dimension_key: str) -> list[dict]:
    """The figures of every wider report (``_wider_scopes``): a cell of this report is hidden when any of them
    minus it is a small count."""
    return [indicator_figures(scope=wider, dimension=DIMENSIONS[dimension_key])[0] for wider in _wider_scopes(scope)]


def _told_apart(narrow: list[int], wider: list[list[int]], k: int) -> list[bool]:
    """Cells to hide because a wider report minus this one would be a small non-zero count (1..k−1): the
    difference is the rest of the wider scope, small cells that its own table hides."""
    forced = [False] * len(narrow)
    for values in wider:
        for i, (n, w) in enumerate(zip(narrow, values, strict=True)):
            forced[i] = forced[i] or 1 <= w - n <= k - 1
    return forced if wider else []


def indicator_table(*, scope: Scope, dimension_key: str, indicators: list[str] | None = None) -> Table:
    """Indicators (columns) by the values of one dimension (rows), with a total row, suppressed."""
    dimension = DIMENSIONS[dimension_key]
    k = k_threshold()
    chosen = [i for i in INDICATORS if indicators is None or i.key in indicators]
    groups, unavailable = indicator_figures(scope=scope, dimension=dimension)
    total_stats = groups.get(None, GroupStats())
    values = ordered_values(dimension, {key for key in groups if key is not None})
    wider = _wider_groups(scope=scope, dimension_key=dimension_key)
    columns_cells: list[list[Cell]] = []
    total_cells: list[Cell] = []
    for indicator in chosen:
        if indicator.key in unavailable:
            reason = str(_("No aplica"))
            columns_cells.append([_unavailable_cell(reason) for _v in values])
            total_cells.append(_unavailable_cell(reason))
            continue
        if indicator.kind == "count":
            column_values = [groups.get(v, GroupStats()).counts.get(indicator.key, 0) for v in values]
            total = total_stats.counts.get(indicator.key, 0)
            # The total too: a wider report's total minus this one's counts the people outside this scope.
            wider_values = [
                [g.get(v, GroupStats()).counts.get(indicator.key, 0) for v in [*values, None]] for g in wider
            ]
            cells, total_cell = suppressed_count_column(
                values=column_values,
                total=total,
                k=k,
                forced=_told_apart([*column_values, total], wider_values, k),
            )
        else:
            ratios = [groups.get(v, GroupStats()).ratios.get(indicator.key, (None, 0)) for v in values]
            total_ratio = total_stats.ratios.get(indicator.key, (None, 0))
            wider_n = [
                [g.get(v, GroupStats()).ratios.get(indicator.key, (None, 0))[1] for v in [*values, None]] for g in wider
            ]
            cells, total_cell = _ratio_column(
                indicator.kind,
                ratios,
                total_ratio,
                k,
                _told_apart([*(n for _, n in ratios), total_ratio[1]], wider_n, k),
            )
        columns_cells.append(cells)
        total_cells.append(total_cell)
    rows = [
        TableRow(value or "no-indicado", value_label(dimension, value), [col[i] for col in columns_cells])
        for i, value in enumerate(values)
    ]
    rows.append(TableRow("total", str(_("Total")), total_cells, is_total=True))
    return Table(
        key=f"indicadores-{dimension.key}",
        caption=str(_("Indicadores por %(dimension)s") % {"dimension": str(dimension.label).lower()}),
        row_header=str(dimension.label),
        columns=[Column(i.key, str(i.label), i.kind, str(i.definition)) for i in chosen],
        rows=rows,
        notes=_table_notes(k),
    )


def _cross_counts(
    scope: Scope, row_dimension: str, column_dimension: str, indicator: str, ref
) -> dict[tuple[str, str], int]:
    """People (distinct) per pair of values of two dimensions, in ``scope``."""
    rows_dim, cols_dim = DIMENSIONS[row_dimension], DIMENSIONS[column_dimension]
    counts: dict[tuple[str, str], int] = {}
    period = {"enrolled": "enrolled_at", "completed": "completed_at", "active": "last_activity_at"}[indicator]
    qs = Enrollment.objects.filter(scope.q(ENROLLMENT)).filter(_in_period(period, scope.filters))
    annotations = {
        **dimension_annotations(rows_dim, "user", ref, name="r_dim"),
        **dimension_annotations(cols_dim, "user", ref, name="c_dim"),
    }
    grouped = qs.annotate(**annotations).values("r_dim", "c_dim")  # type: ignore[misc]  # annotated through **kwargs: invisible to django-stubs
    for row in grouped.annotate(n=Count("user_id", distinct=True)).order_by():
        counts[(row["r_dim"] or NOT_STATED, row["c_dim"] or NOT_STATED)] = row["n"]
    return counts


def _cross_flat(counts: dict[tuple[str, str], int], rows: list, cols: list) -> list[int]:
    """The figures a cross-table of ``rows`` × ``cols`` shows, row by row with each row's total, then the column
    totals and the grand total — the totals over everything ``counts`` holds (a wider report's too)."""
    flat: list[int] = []
    for r in rows:
        flat += [counts.get((r, c), 0) for c in cols]
        flat.append(sum(n for (rr, _c), n in counts.items() if rr == r))
    flat += [sum(n for (_r, cc), n in counts.items() if cc == c) for c in cols]
    flat.append(sum(counts.values()))
    return flat


def cross_table(*, scope: Scope, row_dimension: str, column_dimension: str, indicator: str = "enrolled") -> Table:
    """People enrolled (or completing, or certified) by two dimensions at once, suppressed in both directions."""
    rows_dim, cols_dim = DIMENSIONS[row_dimension], DIMENSIONS[column_dimension]
    k = k_threshold()
    ref = scope.reference_date
    counts = _cross_counts(scope, rows_dim.key, cols_dim.key, indicator, ref)
    row_values = ordered_values(rows_dim, {r for r, _c in counts})
    col_values = ordered_values(cols_dim, {c for _r, c in counts})
    grid = [[counts.get((r, c), 0) for c in col_values] for r in row_values]
    # As in indicator_table: a figure that a wider report (this one with a narrowing filter off) minus it would
    # make a small count is hidden too.
    narrow = _cross_flat(counts, row_values, col_values)
    wider = [
        _cross_flat(_cross_counts(w, rows_dim.key, cols_dim.key, indicator, ref), row_values, col_values)
        for w in _wider_scopes(scope)
    ]
    result = suppression.suppress_cross_table(grid, k, _told_apart(narrow, wider, k))
    rows = []
    for i, value in enumerate(row_values):
        cells = [
            Cell(None if h else v, suppression.display(v, h, k), h)
            for v, h in zip(result.cells[i], result.hidden[i], strict=True)
        ]
        rt, rh = result.row_totals[i], result.row_totals_hidden[i]
        cells.append(Cell(None if rh else rt, suppression.display(rt, rh, k), rh))
        rows.append(TableRow(value or "no-indicado", value_label(rows_dim, value), cells))
    total_cells = [
        Cell(None if h else v, suppression.display(v, h, k), h)
        for v, h in zip(result.col_totals, result.col_totals_hidden, strict=True)
    ]
    g, gh = result.grand_total, result.grand_total_hidden
    total_cells.append(Cell(None if gh else g, suppression.display(g, gh, k), gh))
    rows.append(TableRow("total", str(_("Total")), total_cells, is_total=True))
    indicator_label = next(str(i.label) for i in INDICATORS if i.key == indicator)
    return Table(
        key=f"cruce-{rows_dim.key}-{cols_dim.key}",
        caption=str(
            _("%(indicator)s por %(rows)s y %(cols)s")
            % {"indicator": indicator_label, "rows": str(rows_dim.label).lower(), "cols": str(cols_dim.label).lower()}
        ),
        row_header=str(rows_dim.label),
        columns=[Column(v or "no-indicado", value_label(cols_dim, v)) for v in col_values]
        + [Column("total", str(_("Total")))],
        rows=rows,
        notes=_table_notes(k),
    )
