"""Statistical disclosure control for figures shown to people who may not see records.

Rules (DESIGN.md): a count of 1–7 is shown as "*", other counts are rounded to the nearest
5, and zero stays zero. Secondary suppression: where a published total would let a reader
work out a suppressed cell (it is the only hidden cell in its row or column), a second cell
is hidden too — the smallest non-zero one — so no suppressed count can be recovered.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SUPPRESSED = "*"
SMALLEST_SHOWN = 8
ROUND_TO = 5

Shown = int | str


def disclose_count(count: int) -> Shown:
    """One count as it may be shown: 0, "*" for 1–7, otherwise rounded to the nearest 5."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    if count == 0:
        return 0
    if count < SMALLEST_SHOWN:
        return SUPPRESSED
    return int((Decimal(count) / ROUND_TO).quantize(Decimal(1), ROUND_HALF_UP)) * ROUND_TO


def disclose_rate(numerator: int, denominator: int, *, per: int = 1) -> float | str | None:
    """A rate is hidden whenever its numerator is, so it cannot reveal the count."""
    if denominator <= 0:
        return None
    if disclose_count(numerator) == SUPPRESSED:
        return SUPPRESSED
    return numerator * per / denominator


@dataclass(frozen=True)
class DisclosedTable:
    cells: list[list[Shown]]
    row_totals: list[Shown]
    column_totals: list[Shown]
    total: Shown

    @property
    def suppressed_cells(self) -> set[tuple[int, int]]:
        return {
            (r, c)
            for r, row in enumerate(self.cells)
            for c, value in enumerate(row)
            if value == SUPPRESSED
        }


def _hide_complement(
    line: list[tuple[int, int]], counts: list[list[int]], hidden: set[tuple[int, int]]
) -> bool:
    """If exactly one cell of `line` is hidden, hide the smallest other non-zero cell."""
    hidden_here = [cell for cell in line if cell in hidden]
    if len(hidden_here) != 1:
        return False
    candidates = [cell for cell in line if cell not in hidden and counts[cell[0]][cell[1]] > 0]
    if not candidates:
        return False
    hidden.add(min(candidates, key=lambda cell: (counts[cell[0]][cell[1]], cell)))
    return True


def disclose_table(counts: Sequence[Sequence[int]]) -> DisclosedTable:
    """A two-way table of counts with row, column and grand totals, made safe to publish."""
    grid = [list(row) for row in counts]
    n_rows = len(grid)
    n_cols = len(grid[0]) if grid else 0
    if any(len(row) != n_cols for row in grid):
        raise ValueError("every row of the table must have the same number of columns")
    if any(value < 0 for row in grid for value in row):
        raise ValueError("a count cannot be negative")

    hidden = {
        (r, c) for r in range(n_rows) for c in range(n_cols) if 0 < grid[r][c] < SMALLEST_SHOWN
    }
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    columns = [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    changed = True
    while changed:  # each pass hides at least one more cell, so this ends
        changed = False
        for line in rows + columns:
            changed |= _hide_complement(line, grid, hidden)

    cells: list[list[Shown]] = [
        [SUPPRESSED if (r, c) in hidden else disclose_count(grid[r][c]) for c in range(n_cols)]
        for r in range(n_rows)
    ]
    return DisclosedTable(
        cells=cells,
        row_totals=[disclose_count(sum(row)) for row in grid],
        column_totals=[
            disclose_count(sum(grid[r][c] for r in range(n_rows))) for c in range(n_cols)
        ],
        total=disclose_count(sum(sum(row) for row in grid)),
    )


def disclose_series[K: Hashable](counts: Mapping[K, int]) -> tuple[dict[K, Shown], Shown]:
    """Counts by one dimension (e.g. by ward) and their total, made safe to publish."""
    keys = list(counts)
    table = disclose_table([[counts[key] for key in keys]]) if keys else None
    if table is None:
        return {}, 0
    return dict(zip(keys, table.cells[0], strict=True)), table.total
