"""Small-cell suppression for every figure that leaves Ruta (DOMAIN.md §4.2). Pure functions, no database.

Rules:

* **Primary suppression**: a count below ``k`` (``settings.RUTA_SMALL_CELL_THRESHOLD``, default 5) is
  hidden and shown as ``"<k"``. Zero is below ``k`` too: showing true zeros would let a reader narrow
  a hidden cell down (two hidden cells summing to 2 would both be 1).
* **Complementary suppression**: in every additive line (the cells of a column and their total, or a row
  of a cross-table and its total) a hidden cell is never alone. When it is, the smallest other visible
  cell of the line is hidden too (shown as ``"*"``), or, when there is none, the line's total. Hiding
  one cell may break another line, so the rule repeats until every line is safe. In a cross-table a hidden
  zero gives no cover (other lines can pin it to 0): a line whose hidden cells hold exactly one non-zero
  value is unsafe too, and partners are chosen among non-zero cells.
* **Attacker's check**: then ``reader_bounds`` propagates every line's sum over what a reader sees (``"<k"``
  is 0..k−1, ``"*"`` at least k); while a hidden non-zero figure (in a one-way column, any hidden figure:
  two ``"<5"`` summing to 8 are both 4) has a single possible value, a partner of one of its lines is hidden
  and everything is checked again (bounded: each round hides one more figure).
* **Rates and averages** are hidden wherever the count of people they are computed from is hidden
  (so a group's average cannot be derived from the overall one).

Must not import anything from Ruta: it is used by selectors, exports and tests alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

PRIMARY = "primary"
COMPLEMENTARY = "complementary"
COMPLEMENTARY_MARK = "*"


@dataclass(frozen=True)
class Masked:
    """One figure after suppression: the value (kept for internal use only) and why it is hidden."""

    value: int | float | None
    hidden: str = ""  # "", PRIMARY or COMPLEMENTARY

    @property
    def is_hidden(self) -> bool:
        return bool(self.hidden)


def below_threshold(value: int | float | None, k: int) -> bool:
    return value is not None and value < k


def display(value: int | float | None, hidden: str, k: int, fmt: str = "{:,}") -> str:
    """The text a reader sees for a figure: ``"<5"``, ``"*"``, ``"—"`` for no data, or the number."""
    if hidden == PRIMARY:
        return f"<{k}"
    if hidden == COMPLEMENTARY:
        return COMPLEMENTARY_MARK
    if value is None:
        return "—"
    return fmt.format(value).replace(",", "\u00a0")  # a no-break space groups thousands (Spanish style)


# One additive line of a table: the indices (in a flat list of figures) of its interior cells and of its margin.
Line = tuple[list[int], int]

_INF = math.inf


def _protect_line(values: list[int], mask: list[str], line: Line, *, zeros_cover: bool) -> int | None:
    """For one additive line, the index of the figure that must be hidden too, or None when the line is safe.

    Unsafe: exactly one hidden figure (it could be solved for), or hidden figures of which exactly one is
    non-zero, in a table of several lines (``zeros_cover`` False): the hidden zeros give no cover there, as
    another line can pin them to 0 and then the sum pins the other.
    The partner is the smallest visible non-zero interior cell (least information lost; a zero partner would
    be no cover either), else any visible interior cell, else the margin.
    """
    interior, margin = line
    members = [*interior, margin]
    hidden = [i for i in members if mask[i]]
    covering = [i for i in hidden if values[i] > 0 or zeros_cover]
    # A lone non-zero "*" is no disclosure (it is k or more); a lone non-zero "<k" is.
    if not hidden or (len(hidden) >= 2 and (len(covering) != 1 or mask[covering[0]] != PRIMARY)):
        return None
    candidates = [i for i in interior if not mask[i]]
    nonzero = [i for i in candidates if values[i] > 0]
    if nonzero or (candidates and len(hidden) == 1):
        pool = nonzero or candidates
        return min(pool, key=lambda i: (values[i], i))
    if not mask[margin] and (values[margin] > 0 or len(hidden) == 1):
        return margin
    return None


def reader_bounds(
    values: Sequence[int], mask: Sequence[str], lines: Sequence[Line], k: int
) -> list[tuple[float, float]]:
    """What a reader who knows the rules can deduce about each figure: (lowest, highest) possible value.

    Visible figures are exact; ``"<k"`` is 0..k−1; ``"*"`` is at least k (it was not small, or it would show
    ``"<k"``). Every line's sum is propagated until nothing tightens (interval propagation, bounded passes).
    """
    lo: list[float] = []
    hi: list[float] = []
    for value, hidden in zip(values, mask, strict=True):
        if not hidden:
            lo.append(value)
            hi.append(value)
        elif hidden == PRIMARY:
            lo.append(0)
            hi.append(k - 1)
        else:
            lo.append(k)
            hi.append(_INF)
    for _ in range(100):
        changed = False
        for interior, margin in lines:
            sum_lo = sum(lo[i] for i in interior)
            sum_hi = sum(hi[i] for i in interior)
            if sum_lo > lo[margin]:
                lo[margin], changed = sum_lo, True
            if sum_hi < hi[margin]:
                hi[margin], changed = sum_hi, True
            for i in interior:
                new_lo = lo[margin] - _others_hi(hi, interior, i)
                new_hi = hi[margin] - (sum_lo - lo[i])
                if new_lo > lo[i]:
                    lo[i], changed = new_lo, True
                if new_hi < hi[i]:
                    hi[i], changed = new_hi, True
        if not changed:
            break
    return list(zip(lo, hi, strict=True))


def _others_hi(hi: list[float], interior: list[int], i: int) -> float:
    return sum(hi[j] for j in interior if j != i)


def _suppress(
    values: list[int], lines: list[Line], k: int, *, protect_zeros: bool, forced: Sequence[bool] = ()
) -> list[str]:
    """Primary and complementary suppression of figures tied by additive ``lines``; returns one flag each.

    First the line rule (``_protect_line``) until stable; then an attacker's check (``reader_bounds``): while a
    hidden non-zero figure (or, with ``protect_zeros``, any hidden figure) has a single possible value, hide the
    smallest visible non-zero cell of one of its lines (or the line's margin), and start again. Only ``"<k"``
    figures count: a pinned ``"*"`` discloses a count of k or more, which is not small (its other lines are
    still propagated, so it cannot be used to pin a small one). Bounded: each
    round hides one more figure.
    """
    mask = [PRIMARY if below_threshold(v, k) else "" for v in values]
    for i, force in enumerate(forced):
        if force and not mask[i]:
            mask[i] = COMPLEMENTARY
    for _ in range(len(values) + 1):
        changed = True
        while changed:
            changed = False
            for line in lines:
                index = _protect_line(values, mask, line, zeros_cover=len(lines) == 1)
                if index is not None:
                    mask[index] = COMPLEMENTARY
                    changed = True
        bounds = reader_bounds(values, mask, lines, k)
        pinned = [
            i
            for i, (low, high) in enumerate(bounds)
            # With k = 1, "<1" says 0 by itself: hiding more could not help.
            if mask[i] == PRIMARY and low == high and k > 1 and (values[i] > 0 or protect_zeros)
        ]
        partner = next((p for i in pinned if (p := _partner_for(values, mask, lines, i)) is not None), None)
        if partner is None:
            break
        mask[partner] = COMPLEMENTARY
    return mask


def _partner_for(values: list[int], mask: list[str], lines: list[Line], index: int) -> int | None:
    """A visible figure to hide so that the pinned figure ``index`` gets cover: the smallest non-zero interior
    cell of a line holding it, else that line's margin."""
    holding = [line for line in lines if index in line[0] or index == line[1]]
    cells = [i for interior, _ in holding for i in interior if not mask[i] and values[i] > 0 and i != index]
    if cells:
        return min(cells, key=lambda i: (values[i], i))
    margins = [m for _, m in holding if not mask[m] and m != index]
    return min(margins, key=lambda i: (values[i], i)) if margins else None


def suppress_column(values: Sequence[int], total: int, k: int, forced: Sequence[bool] = ()) -> tuple[list[str], str]:
    """Suppress one additive column: ``values`` sum to ``total``. Returns (hidden flags, total's flag).

    In a single line the hidden cells' sum is always known (total − visible cells), so hidden cells are also
    unsafe when that sum pins them (two ``"<5"`` summing to 8 are both 4; summing to 0, both 0).

    ``forced`` marks cells that must be hidden whatever their size (``"*"``), e.g. because a wider table tells
    them apart (see ``selectors.disaggregation.indicator_table``); one flag more marks the total.
    """
    figures = [*values, total]
    mask = _suppress(figures, [(list(range(len(values))), len(values))], k, protect_zeros=True, forced=forced)
    return mask[:-1], mask[-1]


@dataclass
class CrossTable:
    """A two-way table of counts with row totals, column totals and a grand total, after suppression."""

    cells: list[list[int]]
    row_totals: list[int]
    col_totals: list[int]
    grand_total: int
    hidden: list[list[str]]
    row_totals_hidden: list[str]
    col_totals_hidden: list[str]
    grand_total_hidden: str


def suppress_cross_table(cells: Sequence[Sequence[int]], k: int, forced: Sequence[bool] = ()) -> CrossTable:
    """Suppress a two-way table of counts and its margins (rows, columns, grand total).

    Every row (with its total) and every column (with its total), and the row of column totals and the
    column of row totals (with the grand total), is an additive line that must never hold exactly one
    hidden figure. ``forced`` marks figures to hide whatever their size, row by row over the table with its
    margins (each row followed by its total, then the row of column totals and the grand total).
    """
    grid = [list(row) for row in cells]
    n_rows = len(grid)
    n_cols = len(grid[0]) if grid else 0
    row_totals = [sum(row) for row in grid]
    col_totals = [sum(grid[r][c] for r in range(n_rows)) for c in range(n_cols)]
    grand = sum(row_totals)
    # One (n_rows + 1) × (n_cols + 1) matrix: the last row and column are the margins.
    full = [[*grid[r], row_totals[r]] for r in range(n_rows)] + [[*col_totals, grand]]
    width = n_cols + 1
    flat = [v for row in full for v in row]
    lines: list[Line] = [([r * width + c for c in range(n_cols)], r * width + n_cols) for r in range(n_rows + 1)]
    lines += [([r * width + c for r in range(n_rows)], n_rows * width + c) for c in range(n_cols + 1)]
    flat_mask = _suppress(flat, lines, k, protect_zeros=False, forced=forced)
    mask = [flat_mask[r * width : (r + 1) * width] for r in range(n_rows + 1)]
    return CrossTable(
        cells=grid,
        row_totals=row_totals,
        col_totals=col_totals,
        grand_total=grand,
        hidden=[mask[r][:n_cols] for r in range(n_rows)],
        row_totals_hidden=[mask[r][n_cols] for r in range(n_rows)],
        col_totals_hidden=mask[n_rows][:n_cols],
        grand_total_hidden=mask[n_rows][n_cols],
    )
