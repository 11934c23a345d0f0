"""Statistical disclosure control: small counts hidden, others rounded, and no hidden count
recoverable from the totals (secondary suppression)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placebase.core.disclosure import (
    SUPPRESSED,
    disclose_count,
    disclose_rate,
    disclose_series,
    disclose_table,
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, 0),
        (1, "*"),
        (7, "*"),
        (8, 10),
        (10, 10),
        (12, 10),
        (13, 15),  # halves round up
        (17, 15),
        (18, 20),
        (22, 20),
        (23, 25),
        (1002, 1000),
        (1003, 1005),
    ],
)
def test_disclose_count(count, shown):
    assert disclose_count(count) == shown


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        disclose_count(-1)
    with pytest.raises(ValueError):
        disclose_table([[1, -2]])


@given(st.integers(min_value=0, max_value=10**9))
def test_every_shown_count_is_zero_hidden_or_a_multiple_of_five_near_the_truth(count):
    shown = disclose_count(count)
    if count == 0:
        assert shown == 0
    elif count < 8:
        assert shown == SUPPRESSED
    else:
        assert shown % 5 == 0 and abs(shown - count) <= 2 and shown >= 10


def test_rates_hide_with_their_numerator():
    assert disclose_rate(3, 100) == SUPPRESSED
    assert disclose_rate(0, 100) == 0
    assert disclose_rate(50, 200, per=1000) == 250
    assert disclose_rate(5, 0) is None


def test_ragged_tables_are_refused():
    with pytest.raises(ValueError):
        disclose_table([[1, 2], [3]])


def test_a_table_with_nothing_small_is_only_rounded():
    table = disclose_table([[50, 61], [72, 80]])
    assert table.cells == [[50, 60], [70, 80]]
    assert table.row_totals == [110, 150]
    assert table.column_totals == [120, 140]
    assert table.total == 265
    assert table.suppressed_cells == set()


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_column():
    table = disclose_table([[3, 20, 30], [40, 50, 60], [70, 80, 90]])
    # Row 0 and column 0 each need a second hidden cell; the smallest are chosen, and a
    # fourth closes the rectangle so those two cannot be worked out in turn.
    assert table.suppressed_cells == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert table.row_totals == [55, 150, 240]
    assert table.column_totals == [115, 150, 180]


def test_two_small_cells_in_a_row_protect_each_other_in_it():
    table = disclose_table([[3, 4, 30], [40, 50, 60]])
    assert table.cells[0][:2] == [SUPPRESSED, SUPPRESSED]
    # But each column also needs a second hidden cell.
    assert (1, 0) in table.suppressed_cells and (1, 1) in table.suppressed_cells
    assert table.cells[0][2] == 30


def test_a_complement_alone_in_its_column_is_protected_through_the_column_total():
    # The 10 is hidden to protect the 3; with the rest of its column zero, a shown column
    # total of 10 would give it away, and then the 3 (15 − 10 from the row) with it.
    table = disclose_table([[3, 10], [0, 0]])
    assert table.cells == [[SUPPRESSED, SUPPRESSED], [0, 0]]
    assert table.column_totals == [SUPPRESSED, SUPPRESSED]
    assert table.row_totals == [15, 0]


def test_zeros_stay_zero_and_are_never_hidden():
    table = disclose_table([[0, 5, 0], [0, 12, 9]])
    assert table.cells[0][0] == 0 and table.cells[1][0] == 0 and table.cells[0][2] == 0
    assert table.column_totals[0] == 0


def test_empty_tables():
    assert disclose_table([]).cells == []
    assert disclose_table([]).total == 0
    assert disclose_series({}) == ({}, 0)


def test_series_hides_a_second_value_when_one_is_small():
    shown, total = disclose_series({"Ward A": 3, "Ward B": 20, "Ward C": 33})
    assert shown == {"Ward A": SUPPRESSED, "Ward B": SUPPRESSED, "Ward C": 35}
    assert total == 55


def test_series_with_one_non_zero_value_hides_the_total_with_it():
    shown, total = disclose_series({"Ward A": 3, "Ward B": 0})
    assert shown == {"Ward A": SUPPRESSED, "Ward B": 0}
    assert total == SUPPRESSED


def test_series_of_large_values_is_only_rounded():
    assert disclose_series({"a": 12, "b": 40}) == ({"a": 10, "b": 40}, 50)


# -- the property: nothing hidden can be worked out from what is shown --------------------


def _with_totals(counts: list[list[int]]) -> list[list[int]]:
    rows = [[*row, sum(row)] for row in counts]
    return [*rows, [sum(column) for column in zip(*rows, strict=True)]]


def _shown_with_totals(table) -> list[list[object]]:
    rows = [[*cells, total] for cells, total in zip(table.cells, table.row_totals, strict=True)]
    return [*rows, [*table.column_totals, table.total]]


def _lines(grid):
    yield from grid
    yield from (list(column) for column in zip(*grid, strict=True))


def _recoverable(values: list[list[int]], shown: list[list[object]]) -> set[tuple[int, int]]:
    """Hidden entries that some combination of the row and column sums pins down exactly.

    Each row and column of the table with its totals is an equation; an unknown is
    determined exactly when its unit vector lies in the row space of the equations.
    """
    n_rows, n_cols = len(values), len(values[0])
    unknowns = [(r, c) for r in range(n_rows) for c in range(n_cols) if shown[r][c] == SUPPRESSED]
    if not unknowns:
        return set()
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations = []
    for r in range(n_rows):  # row r: the cells minus the total are zero
        equations.append([(r, c, 1 if c < n_cols - 1 else -1) for c in range(n_cols)])
    for c in range(n_cols):
        equations.append([(r, c, 1 if r < n_rows - 1 else -1) for r in range(n_rows)])
    matrix = np.zeros((len(equations), len(unknowns)))
    for i, equation in enumerate(equations):
        for r, c, sign in equation:
            if (r, c) in index:
                matrix[i, index[(r, c)]] = sign
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, i in index.items():
        unit = np.zeros((1, len(unknowns)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


small_or_large = st.one_of(st.integers(0, 9), st.integers(0, 60), st.just(0))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 6))
    return [[draw(small_or_large) for _ in range(n_cols)] for _ in range(n_rows)]


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_suppressed_cell_can_be_recovered_from_a_total(counts):
    table = disclose_table(counts)
    values = _with_totals(counts)
    shown = _shown_with_totals(table)

    # Primary suppression: every count of 1–7 (cell or total) is hidden; zeros stay zero.
    for value_row, shown_row in zip(values, shown, strict=True):
        for value, entry in zip(value_row, shown_row, strict=True):
            if 0 < value < 8:
                assert entry == SUPPRESSED
            if value == 0:
                assert entry == 0
            if entry != SUPPRESSED:
                assert entry == disclose_count(value)

    # Subtracting the shown cells from a shown total never isolates one hidden cell: each
    # row and column (totals included) has no hidden entry or at least two, all non-zero.
    for value_line, shown_line in zip(_lines(values), _lines(shown), strict=True):
        hidden = [v for v, s in zip(value_line, shown_line, strict=True) if s == SUPPRESSED]
        assert len(hidden) != 1, (counts, table)
        assert all(v > 0 for v in hidden)

    # Nor does any combination of rows and columns pin a hidden count down.
    assert _recoverable(values, shown) == set(), (counts, table)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=3), small_or_large, max_size=8))
def test_no_suppressed_value_in_a_series_can_be_recovered_from_its_total(counts):
    shown, total = disclose_series(counts)
    assert list(shown) == list(counts)
    hidden = [key for key, value in shown.items() if value == SUPPRESSED]
    for key, value in counts.items():
        if 0 < value < 8:
            assert shown[key] == SUPPRESSED
    if total != SUPPRESSED:
        assert len(hidden) != 1
    assert all(counts[key] > 0 for key in hidden)
