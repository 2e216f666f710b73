"""Suppression of report tables: nothing small is shown, nothing hidden can be worked out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.domain.suppression import (
    Cell,
    Reason,
    SafeCell,
    SafeTable,
    Suppressed,
    share,
    suppress,
    threshold_of,
)

counts = st.one_of(st.integers(0, 12), st.integers(0, 400))


@st.composite
def grids(draw: st.DrawFn) -> list[list[Cell]]:
    rows = draw(st.integers(1, 5))
    cols = draw(st.integers(1, 5))
    return [
        [
            Cell(h, (draw(st.integers(0, 10_000)) * h,))
            for h in draw(st.lists(counts, min_size=cols, max_size=cols))
        ]
        for _ in range(rows)
    ]


def _entries(table: SafeTable) -> list[list[SafeCell]]:
    """The extended grid: each row with its total, then the totals row with the grand total."""
    grid = [[*row, total] for row, total in zip(table.rows, table.row_totals, strict=True)]
    return [*grid, [*table.column_totals, table.total]]


def _recovered(table: SafeTable) -> set[tuple[int, int]]:
    """Work out every hidden household count that subtraction from shown totals gives."""
    ext = _entries(table)
    known: dict[tuple[int, int], int] = {
        (r, c): cell.households
        for r, row in enumerate(ext)
        for c, cell in enumerate(row)
        if isinstance(cell.households, int)
    }
    n_rows, n_cols = len(ext), len(ext[0])
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)] + [
        [(r, c) for r in range(n_rows)] for c in range(n_cols)
    ]
    found: set[tuple[int, int]] = set()
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [p for p in line if p not in known]
            if len(unknown) == 1:
                *parts, total = line
                (p,) = unknown
                if p == total:
                    known[p] = sum(known[q] for q in parts)
                else:
                    known[p] = known[total] - sum(known[q] for q in parts if q != p)
                found.add(p)
                progress = True
    return found


@settings(max_examples=300, deadline=None)
@given(grid=grids(), k=st.integers(5, 12))
def test_no_suppressed_count_can_be_worked_out_from_the_totals_shown(grid, k):
    assert _recovered(suppress(grid, threshold=k)) == set()


@settings(max_examples=300, deadline=None)
@given(grid=grids(), k=st.integers(5, 12))
def test_no_shown_cell_counts_fewer_than_k_households(grid, k):
    for row in _entries(suppress(grid, threshold=k)):
        for cell in row:
            if not isinstance(cell.households, Suppressed):
                assert cell.households == 0 or cell.households >= k


@settings(max_examples=200, deadline=None)
@given(grid=grids(), k=st.integers(5, 12))
def test_figures_are_hidden_with_their_households_and_totals_add_up(grid, k):
    table = suppress(grid, threshold=k)
    for row in _entries(table):
        for cell in row:
            hidden = isinstance(cell.households, Suppressed)
            assert all(isinstance(f, Suppressed) == hidden for f in cell.figures)
    if not table.total.hidden:
        assert table.total.figures[0] == sum(c.figures[0] for row in grid for c in row)


def test_a_co_op_of_three_households_shows_nothing_derived_from_them():
    table = suppress([[Cell(3, (4_500, 6_000))]], threshold=10)
    for cell in (table.rows[0][0], table.row_totals[0], table.column_totals[0], table.total):
        assert cell.households == Suppressed(Reason.SMALL, 10)
        assert all(isinstance(f, Suppressed) for f in cell.figures)
    assert str(table.total.households) == "fewer than 10"


def test_a_single_small_cell_beside_a_shown_total_takes_the_next_smallest_with_it():
    table = suppress([[Cell(3, ()), Cell(12, ()), Cell(40, ())]], threshold=10)
    shown = [c.households for c in table.rows[0]]
    assert shown == [Suppressed(Reason.SMALL, 10), Suppressed(Reason.SECONDARY, 10), 40]
    assert table.row_totals[0].households == 55
    assert str(shown[1]) == "suppressed"


def test_zero_is_shown_as_zero_not_hidden():
    table = suppress([[Cell(0, (0,)), Cell(25, (100,))]], threshold=10)
    assert table.rows[0][0].households == 0


@pytest.mark.parametrize(("setting", "applied"), [(None, 10), (3, 5), (5, 5), (20, 20)])
def test_the_threshold_is_the_councils_never_below_five(setting, applied):
    assert threshold_of(setting) == applied
    assert suppress([[Cell(applied - 1, ())]], threshold=setting).total.hidden


def test_support_figures_not_about_households_are_never_suppressed():
    table = suppress([[Cell(None, (500,))], [Cell(None, (20_000,))]], threshold=10)
    assert table.total.figures == (20_500,)
    assert not table.any_hidden


def test_a_share_is_suppressed_with_either_side():
    mark = Suppressed(Reason.SMALL, 10)
    assert share(mark, 40) is mark
    assert share(12, mark) is mark
    assert share(12, 40) == (12, 40)
    assert share(0, 0) is None


@settings(max_examples=200, deadline=None)
@given(grid=grids(), k=st.integers(5, 12), data=st.data())
def test_margins_another_table_hid_stay_hidden_and_nothing_is_recoverable(grid, k, data):
    rows = data.draw(st.sets(st.integers(0, len(grid) - 1)))
    hide_total = data.draw(st.booleans())
    table = suppress(grid, threshold=k, hide_row_totals=rows, hide_total=hide_total)
    assert _recovered(table) == set()
    for r in rows:
        assert table.row_totals[r].hidden or table.row_totals[r].households == 0
    if hide_total:
        assert table.total.hidden or table.total.households == 0


def test_an_empty_table_has_totals_of_zero_in_its_shape():
    table = suppress([], threshold=10, columns=2, figures=3)
    assert table.column_totals == (SafeCell(0, (0, 0, 0)), SafeCell(0, (0, 0, 0)))
    assert table.total == SafeCell(0, (0, 0, 0))
