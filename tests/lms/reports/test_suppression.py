"""Small-cell suppression: primary ("<5"), complementary ("*") and the back-calculation case."""

import itertools
import random

import pytest

from lms.reports import suppression
from lms.reports.selectors.disaggregation import indicator_table
from lms.reports.selectors.filters import Filters, Scope
from lms.reports.selectors.roles import universe_for
from lms.reports.suppression import COMPLEMENTARY, PRIMARY, suppress_column, suppress_cross_table


def test_counts_below_the_threshold_are_hidden():
    hidden, total_hidden = suppress_column([12, 3, 7, 0], 22, 5)
    assert hidden[1] == PRIMARY and hidden[3] == PRIMARY
    assert hidden[0] == "" and hidden[2] == "" and total_hidden == ""
    assert suppression.display(3, PRIMARY, 5) == "<5"


def test_a_single_hidden_cell_gets_a_partner_so_the_total_cannot_reveal_it():
    """Women 10, men 3, total 13 (other categories absent): 13 − 10 = 3 would give the men away."""
    hidden, total_hidden = suppress_column([10, 3, 12], 25, 5)
    assert hidden == [COMPLEMENTARY, PRIMARY, ""]  # the smallest other cell is hidden too
    assert total_hidden == ""
    assert suppression.display(10, COMPLEMENTARY, 5) == "*"


def test_when_no_partner_is_left_the_total_is_hidden():
    hidden, total_hidden = suppress_column([3, 0], 3, 5)
    assert hidden == [PRIMARY, PRIMARY] and total_hidden == PRIMARY
    hidden, total_hidden = suppress_column([2], 2, 5)
    assert hidden == [PRIMARY] and total_hidden == PRIMARY


def test_threshold_is_configurable():
    assert suppress_column([9, 12], 21, 10)[0] == [PRIMARY, COMPLEMENTARY]
    assert suppress_column([9, 12], 21, 5)[0] == ["", ""]


def _possible_values(values, hidden, total, k):
    """Every value each hidden cell could take, for a reader who knows the rule, the visible cells and the total.

    "<k" means 0..k−1; "*" means "some count". Returns {index: set of values}.
    """
    idx = [i for i, h in enumerate(hidden) if h]
    rest = total - sum(v for v, h in zip(values, hidden, strict=True) if not h)
    ranges = [range(k) if hidden[i] == PRIMARY else range(rest + 1) for i in idx]
    options = {i: set() for i in idx}
    for combo in itertools.product(*ranges):
        if sum(combo) == rest:
            for i, v in zip(idx, combo, strict=True):
                options[i].add(v)
    return options


@pytest.mark.parametrize("seed", range(40))
def test_no_small_cell_can_be_back_calculated_from_the_total(seed):
    rng = random.Random(seed)
    values = [rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 30]) for _ in range(rng.randint(2, 6))]
    total = sum(values)
    hidden, total_hidden = suppress_column(values, total, 5)
    if total_hidden:
        return  # nothing in the line is published but zeros-or-hidden cells
    for i, options in _possible_values(values, hidden, total, 5).items():
        if values[i] > 0:
            assert len(options) > 1, (values, hidden, i)


@pytest.mark.parametrize("seed", range(30))
def test_cross_table_lines_never_hold_a_lone_hidden_cell(seed):
    rng = random.Random(seed)
    rows, cols = rng.randint(2, 5), rng.randint(2, 4)
    grid = [[rng.choice([0, 2, 4, 6, 8, 20]) for _ in range(cols)] for _ in range(rows)]
    result = suppress_cross_table(grid, 5)
    full_mask = [[*result.hidden[r], result.row_totals_hidden[r]] for r in range(rows)]
    full_mask.append([*result.col_totals_hidden, result.grand_total_hidden])
    for line in full_mask:
        assert sum(1 for h in line if h) != 1
    for c in range(cols + 1):
        assert sum(1 for r in range(rows + 1) if full_mask[r][c]) != 1


def test_cross_table_back_calculation_case():
    """Venezuelan women 3 in a 2×2 table: the row, the column and their margins must all hide a partner."""
    result = suppress_cross_table([[3, 10], [12, 20]], 5)
    assert result.hidden[0][0] == PRIMARY
    assert result.hidden[0][1] == COMPLEMENTARY  # row partner
    assert result.hidden[1][0] == COMPLEMENTARY  # column partner
    assert result.hidden[1][1] == COMPLEMENTARY  # closes the rectangle
    assert result.grand_total_hidden == ""


@pytest.mark.django_db
def test_report_tables_are_suppressed_on_the_way_out(world):
    """Alternativa by region: Lima 5, Cusco 5, not stated 1 → the lone "<5" needs a partner ("*")."""
    scope = Scope(universe_for(user=world.me, view="monitoreo"))
    table = indicator_table(scope=scope, dimension_key="region", indicators=["enrolled"])
    cells = {row.key: row.cells[0] for row in table.rows}
    assert cells["no-indicado"].text == "<5" and cells["no-indicado"].value is None
    hidden_partners = [key for key in ("Lima", "Cusco") if cells[key].hidden == COMPLEMENTARY]
    assert len(hidden_partners) == 1
    assert cells[hidden_partners[0]].text == "*" and cells[hidden_partners[0]].value is None
    assert cells["total"].text == "11"


@pytest.mark.django_db
def test_rates_are_hidden_where_their_people_count_is(world):
    """Average score by sex: women 2 completions, men 1 — both below 5, so both averages are hidden."""
    scope = Scope(universe_for(user=world.me, view="monitoreo"))
    table = indicator_table(scope=scope, dimension_key="sexo", indicators=["completed", "average_score"])
    women = next(r for r in table.rows if r.key == "F")
    assert [c.text for c in women.cells] == ["<5", "<5"]
    assert table.total_row.cells[1].text == "<5"  # three completions overall


@pytest.mark.django_db
def test_threshold_setting_is_read(world, settings):
    settings.RUTA_SMALL_CELL_THRESHOLD = 3
    scope = Scope(universe_for(user=world.me, view="monitoreo"), Filters())
    table = indicator_table(scope=scope, dimension_key="sexo", indicators=["enrolled"])
    cells = {row.key: row.cells[0].text for row in table.rows}
    assert cells["F"] == "6" and cells["M"] == "4"
    assert cells["no-indicado"] == "<3"


# --- An attacker: what a reader can deduce from a table as a role sees it -----------------------------------


def _attack(shown: list[list[str]], k: int) -> list[list[tuple[float, float]]]:
    """Interval propagation over every additive line of a table as displayed (last row = column totals, last
    column = row totals): "<k" is 0..k−1, "*" is k or more (it was not small), a number is itself. Written
    apart from ``suppression.reader_bounds`` on purpose: it reads only the displayed strings."""
    inf = float("inf")
    n_rows, n_cols = len(shown), len(shown[0])

    def start(text: str) -> tuple[float, float]:
        if text.startswith("<"):
            return 0, k - 1
        if text == "*":
            return k, inf
        return int(text.replace("\u00a0", "")), int(text.replace("\u00a0", ""))

    lo = [[start(t)[0] for t in row] for row in shown]
    hi = [[start(t)[1] for t in row] for row in shown]
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)] + [
        [(r, c) for r in range(n_rows)] for c in range(n_cols)
    ]
    if n_cols == 1:  # a one-way column: a single line
        lines = [[(r, 0) for r in range(n_rows)]]
    changed = True
    while changed:
        changed = False
        for *inner, (mr, mc) in lines:
            low, high = sum(lo[r][c] for r, c in inner), sum(hi[r][c] for r, c in inner)
            if low > lo[mr][mc]:
                lo[mr][mc], changed = low, True
            if high < hi[mr][mc]:
                hi[mr][mc], changed = high, True
            for r, c in inner:
                others = [x for x in inner if x != (r, c)]
                low = lo[mr][mc] - sum(hi[x][y] for x, y in others)
                high = hi[mr][mc] - sum(lo[x][y] for x, y in others)
                if low > lo[r][c]:
                    lo[r][c], changed = low, True
                if high < hi[r][c]:
                    hi[r][c], changed = high, True
    return [list(zip(lo[r], hi[r], strict=True)) for r in range(n_rows)]


def _shown_cross(result, k: int) -> list[list[str]]:
    def text(value, hidden):
        return suppression.display(value, hidden, k)

    rows = [
        [*map(text, result.cells[r], result.hidden[r]), text(result.row_totals[r], result.row_totals_hidden[r])]
        for r in range(len(result.cells))
    ]
    rows.append(
        [*map(text, result.col_totals, result.col_totals_hidden), text(result.grand_total, result.grand_total_hidden)]
    )
    return rows


def _pinned(shown: list[list[str]], values: list[list[int]], k: int, *, zeros: bool = False) -> list:
    """The small ("<k") cells the attacker pins to one value (non-zero ones, or all with ``zeros``). A pinned
    "*" discloses a count of k or more: not small, so not a disclosure."""
    bounds = _attack(shown, k)
    return [
        (r, c, values[r][c])
        for r, row in enumerate(shown)
        for c, text in enumerate(row)
        if text.startswith("<") and bounds[r][c][0] == bounds[r][c][1] and (values[r][c] > 0 or zeros)
    ]


def test_two_small_cells_are_not_pinned_at_k_minus_one_by_the_total():
    """Mujer 10, Hombre 10, Otra 4, No indicado 4, total 28: 28 − 20 = 8 = two «<5», so both were 4."""
    values = [10, 10, 4, 4]
    hidden, total_hidden = suppress_column(values, 28, 5)
    shown = [[suppression.display(v, h, 5)] for v, h in zip([*values, 28], [*hidden, total_hidden], strict=True)]
    assert _pinned(shown, [[v] for v in [*values, 28]], 5, zeros=True) == []
    assert hidden[2] == PRIMARY and hidden[3] == PRIMARY and COMPLEMENTARY in [*hidden, total_hidden]
    # ...nor pinned at 0 (a hidden sum of 0 tells every hidden cell).
    hidden, total_hidden = suppress_column([10, 10, 0, 0], 20, 5)
    shown = [[suppression.display(v, h, 5)] for v, h in zip([10, 10, 0, 0, 20], [*hidden, total_hidden], strict=True)]
    assert _pinned(shown, [[v] for v in [10, 10, 0, 0, 20]], 5, zeros=True) == []


def test_hidden_zeros_give_no_cover_in_a_cross_table():
    """The donor's nationality × sex table of the demo: «Peruvian men = 2» was recovered (the zeros around it
    were pinned to 0 by other lines, so they did not protect it)."""
    grid = [[9, 5, 0, 0], [6, 2, 0, 0], *([[0, 0, 0, 0]] * 4)]
    result = suppress_cross_table(grid, 5)
    full = [[*grid[r], sum(grid[r])] for r in range(6)] + [[15, 7, 0, 0, 22]]
    assert _pinned(_shown_cross(result, 5), full, 5) == []


@pytest.mark.parametrize("seed", range(3))
def test_an_attacker_pins_no_hidden_non_zero_cell_in_random_tables(seed):
    rng = random.Random(1000 + seed)
    for _ in range(100):
        rows, cols = rng.randint(2, 6), rng.randint(2, 5)
        grid = [[rng.choice([0, 0, 0, 1, 2, 3, 4, 5, 6, 9, 15]) for _ in range(cols)] for _ in range(rows)]
        result = suppress_cross_table(grid, 5)
        full = [[*grid[r], sum(grid[r])] for r in range(rows)]
        full.append([*(sum(grid[r][c] for r in range(rows)) for c in range(cols)), sum(map(sum, grid))])
        assert _pinned(_shown_cross(result, 5), full, 5) == [], grid
        values = [rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15]) for _ in range(rng.randint(2, 7))]
        hidden, total_hidden = suppress_column(values, sum(values), 5)
        figures = [*values, sum(values)]
        shown = [[suppression.display(v, h, 5)] for v, h in zip(figures, [*hidden, total_hidden], strict=True)]
        # In a column every hidden figure is protected, zeros too, unless nothing but the zeros is hidden.
        assert (
            _pinned(
                shown,
                [[v] for v in figures],
                5,
                zeros=any(v > 0 for v, h in zip(figures, [*hidden, total_hidden], strict=True) if h),
            )
            == []
        ), values
