"""Small-cell suppression for every figure that leaves Ruta (DOMAIN.md §4.2). Pure functions, no database.

Rules:

* **Primary suppression**: a count below ``k`` (``settings.RUTA_SMALL_CELL_THRESHOLD``, default 5) is
  hidden and shown as ``"<k"``. Zero is below ``k`` too: showing true zeros would let a reader narrow
  a hidden cell down (two hidden cells summing to 2 would both be 1).
* **Complementary suppression**: in every additive line (the cells of a column and their total, or a row
  of a cross-table and its total) a hidden cell is never alone. When it is, the smallest other visible
  cell of the line is hidden too (shown as ``"*"``), or, when there is none, the line's total. Hiding
  one cell may break another line, so the rule repeats until every line is safe.
* **Rates and averages** are hidden wherever the count of people they are computed from is hidden
  (so a group's average cannot be derived from the overall one).

Must not import anything from Ruta: it is used by selectors, exports and tests alike.
"""

from __future__ import annotations

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


def _protect_line(cells: list[int], margin: int, hidden: list[str], margin_hidden: str) -> tuple[int | None, bool]:
    """For one additive line, what else must be hidden. Returns (interior index or None, hide margin?)."""
    hidden_count = sum(1 for h in hidden if h) + (1 if margin_hidden else 0)
    if hidden_count != 1:
        return None, False
    # Exactly one unknown in "sum(cells) == margin": it could be solved for. Hide a partner.
    candidates = [i for i, h in enumerate(hidden) if not h]
    if candidates:
        # Prefer the smallest cell (least information lost), and a non-zero one (a hidden zero partner
        # still leaves the line's unknowns summing to the hidden cell alone).
        nonzero = [i for i in candidates if cells[i] > 0]
        pool = nonzero or candidates
        return min(pool, key=lambda i: (cells[i], i)), False
    if not margin_hidden:
        return None, True
    return None, False


def suppress_column(values: Sequence[int], total: int, k: int) -> tuple[list[str], str]:
    """Suppress one additive column: ``values`` sum to ``total``. Returns (hidden flags, total's flag)."""
    hidden = [PRIMARY if below_threshold(v, k) else "" for v in values]
    total_hidden = PRIMARY if below_threshold(total, k) else ""
    while True:
        index, hide_margin = _protect_line(list(values), total, hidden, total_hidden)
        if index is not None:
            hidden[index] = COMPLEMENTARY
        elif hide_margin:
            total_hidden = COMPLEMENTARY
        else:
            return hidden, total_hidden


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


def suppress_cross_table(cells: Sequence[Sequence[int]], k: int) -> CrossTable:
    """Suppress a two-way table of counts and its margins (rows, columns, grand total).

    Every row (with its total) and every column (with its total), and the row of column totals and the
    column of row totals (with the grand total), is an additive line that must never hold exactly one
    hidden figure.
    """
    grid = [list(row) for row in cells]
    n_rows = len(grid)
    n_cols = len(grid[0]) if grid else 0
    row_totals = [sum(row) for row in grid]
    col_totals = [sum(grid[r][c] for r in range(n_rows)) for c in range(n_cols)]
    grand = sum(row_totals)
    # One (n_rows + 1) × (n_cols + 1) matrix: the last row and column are the margins.
    full = [[*grid[r], row_totals[r]] for r in range(n_rows)] + [[*col_totals, grand]]
    mask = [[PRIMARY if below_threshold(v, k) else "" for v in row] for row in full]
    changed = True
    while changed:
        changed = False
        for r in range(n_rows + 1):  # each row: interior cells 0..n_cols-1, margin at n_cols
            index, hide_margin = _protect_line(full[r][:n_cols], full[r][n_cols], mask[r][:n_cols], mask[r][n_cols])
            if index is not None:
                mask[r][index] = COMPLEMENTARY
                changed = True
            elif hide_margin:
                mask[r][n_cols] = COMPLEMENTARY
                changed = True
        for c in range(n_cols + 1):
            column = [full[r][c] for r in range(n_rows)]
            column_mask = [mask[r][c] for r in range(n_rows)]
            index, hide_margin = _protect_line(column, full[n_rows][c], column_mask, mask[n_rows][c])
            if index is not None:
                mask[index][c] = COMPLEMENTARY
                changed = True
            elif hide_margin:
                mask[n_rows][c] = COMPLEMENTARY
                changed = True
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
