"""Statistical disclosure control for figures shown to people who may not see records.

Rules (DESIGN.md): a count of 1–7 is shown as "*", other counts are rounded to the nearest
5, and zero stays zero. Secondary suppression: a table is published with its row, column and
grand totals, and no suppressed count may be worked out from what is shown. Each row and
column of the table *with its totals* is a sum, so the hidden entries must never leave one of
them determined — not by one line (the only hidden cell in a row) nor by combining lines.
Complementary cells (sometimes a total) are hidden too, choosing the least information to
lose.
"""

import heapq
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


Cell = tuple[int, int]


def _cheapest_hidden_cycle(
    edge: Cell, values: list[list[int]], hidden: set[Cell]
) -> list[Cell] | None:
    """Cells to hide so that `edge` lies on a cycle of hidden cells; None if it already does.

    Think of the table with its totals as a bipartite graph: a node per row and per column,
    an edge per non-zero cell. Every row and column sums to its total, so a hidden cell can be
    worked out exactly when it is a bridge of the graph of hidden cells, and is safe when it
    lies on a cycle of them. This finds the cheapest path from the cell's column back to its
    row that avoids the cell itself: hidden cells cost nothing, others cost their value.
    """
    n_rows, n_cols = len(values), len(values[0])
    start, goal = ("c", edge[1]), ("r", edge[0])
    best: dict[tuple[str, int], int] = {start: 0}
    came_from: dict[tuple[str, int], tuple[tuple[str, int], Cell]] = {}
    queue: list[tuple[int, tuple[str, int]]] = [(0, start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best[node]:
            continue
        kind, index = node
        steps = (
            [((r, index), ("r", r)) for r in range(n_rows)]
            if kind == "c"
            else [((index, c), ("c", c)) for c in range(n_cols)]
        )
        for cell, neighbour in steps:
            value = values[cell[0]][cell[1]]
            if cell == edge or value == 0:
                continue
            new_cost = cost + (0 if cell in hidden else value)
            if new_cost < best.get(neighbour, new_cost + 1):
                best[neighbour] = new_cost
                came_from[neighbour] = (node, cell)
                heapq.heappush(queue, (new_cost, neighbour))
    if goal not in best:
        return []  # cannot happen: in a consistent table no non-zero cell is a bridge
    if best[goal] == 0:
        return None
    path, node = [], goal
    while node != start:
        node, cell = came_from[node]
        path.append(cell)
    return [cell for cell in path if cell not in hidden]


def disclose_table(counts: Sequence[Sequence[int]]) -> DisclosedTable:
    """A two-way table of counts with row, column and grand totals, made safe to publish.

    A total may be hidden too (shown as "*") when that protects a cell at least cost.
    """
    grid = [list(row) for row in counts]
    n_rows = len(grid)
    n_cols = len(grid[0]) if grid else 0
    if any(len(row) != n_cols for row in grid):
        raise ValueError("every row of the table must have the same number of columns")
    if any(value < 0 for row in grid for value in row):
        raise ValueError("a count cannot be negative")

    # The table with its totals: row n_rows holds the column totals, column n_cols the row
    # totals, and the corner the grand total.
    values = [[*row, sum(row)] for row in grid]
    values.append([sum(values[r][c] for r in range(n_rows)) for c in range(n_cols + 1)])
    hidden = {
        (r, c)
        for r in range(n_rows + 1)
        for c in range(n_cols + 1)
        if 0 < values[r][c] < SMALLEST_SHOWN
    }
    # Hiding more cells never exposes a protected one, so one pass over the primary
    # suppressions is enough; the cells added for one lie on a cycle and are safe too.
    for cell in sorted(hidden):
        extra = _cheapest_hidden_cycle(cell, values, hidden)
        if extra:
            hidden.update(extra)

    def shown(r: int, c: int) -> Shown:
        return SUPPRESSED if (r, c) in hidden else disclose_count(values[r][c])

    return DisclosedTable(
        cells=[[shown(r, c) for c in range(n_cols)] for r in range(n_rows)],
        row_totals=[shown(r, n_cols) for r in range(n_rows)],
        column_totals=[shown(n_rows, c) for c in range(n_cols)],
        total=shown(n_rows, n_cols),
    )


def disclose_series[K: Hashable](counts: Mapping[K, int]) -> tuple[dict[K, Shown], Shown]:
    """Counts by one dimension (e.g. by ward) and their total, made safe to publish."""
    keys = list(counts)
    table = disclose_table([[counts[key] for key in keys]]) if keys else None
    if table is None:
        return {}, 0
    return dict(zip(keys, table.cells[0], strict=True)), table.total
