"""Small-number and secondary suppression of a report table, before anything sees it.

A table is a grid of cells. Each cell counts households and carries figures
derived from them (money, units, collections); row and column totals are
the sums of the cells. METRICS.md's rule: a count of 1 to k-1 households is
shown as "fewer than k" (k is the council's threshold, never below 5), and
every figure derived from it is suppressed with it. Zero is shown: it
describes nobody. Where a hidden cell could be worked out by subtracting the
shown cells of its row or column from the shown total, more cells are
hidden (secondary suppression), the smallest non-zero first, until no row
or column (the totals row and column included) has exactly one hidden
entry, and no shown total lets the hidden cells beside it add up to fewer
than k households.

A council can ask for its whole report, one co-op's or a pool's, and each is
suppressed on its own; what one report hides another must not give away by
subtraction. The council-wide pattern decides (coop/services/council_reports/
consistency.py), and a report is told what that pattern hides through
*elsewhere* (`Hidden`), withheld as `Reason.ACROSS`.

A cell whose household count is None is not about households (a council's
own support records): it is never suppressed and takes no part in the rule.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from coop.domain.privacy import DEFAULT_THRESHOLD, effective_threshold, fewer_than


class Reason(StrEnum):
    """Why a value is not shown."""

    SMALL = "small"  # 1 to k-1 households
    SECONDARY = "secondary"  # would let a small cell be worked out from a total
    INCOMPLETE = "incomplete"  # too few of the households gave what it is made of
    ACROSS = "across"  # hidden in the council's other reports of the period, so hidden here


@dataclass(frozen=True)
class Suppressed:
    """A value that is withheld; never 0, never a number."""

    reason: Reason
    threshold: int

    @property
    def text(self) -> str:
        if self.reason is Reason.SMALL:
            return fewer_than(self.threshold)
        if self.reason is Reason.INCOMPLETE:
            return "not enough households said"
        if self.reason is Reason.ACROSS:
            return "suppressed so that a smaller co-op's figures cannot be worked out"
        return "suppressed"

    def __str__(self) -> str:
        return self.text


Shown = int | Suppressed


@dataclass(frozen=True)
class Hidden:
    """Entries of a table that another report hides, by position: hidden here too.

    *cells* are (row, column) of the grid; *row_totals* and *column_totals*
    index the totals; *total* is the grand total.
    """

    cells: frozenset[tuple[int, int]] = frozenset()
    row_totals: frozenset[int] = frozenset()
    column_totals: frozenset[int] = frozenset()
    total: bool = False


@dataclass(frozen=True)
class Cell:
    """Households counted, and the figures derived from them (additive: pence, counts)."""

    households: int | None
    figures: tuple[int, ...] = ()


@dataclass(frozen=True)
class SafeCell:
    """A cell as published: each value a number or `Suppressed`."""

    households: Shown | None
    figures: tuple[Shown, ...]

    @property
    def hidden(self) -> bool:
        return isinstance(self.households, Suppressed)


@dataclass(frozen=True)
class SafeTable:
    """A suppressed grid with its row totals, column totals and grand total."""

    threshold: int
    rows: tuple[tuple[SafeCell, ...], ...]
    row_totals: tuple[SafeCell, ...]
    column_totals: tuple[SafeCell, ...]
    total: SafeCell

    @property
    def any_hidden(self) -> bool:
        cells = [c for row in self.rows for c in row] + [*self.row_totals, *self.column_totals]
        return any(c.hidden for c in [*cells, self.total])

    def column(self, index: int) -> tuple[SafeCell, ...]:
        return tuple(row[index] for row in self.rows)


def threshold_of(setting: int | None) -> int:
    """Return the k applied for a council's setting: its value, never below 5."""
    return effective_threshold(DEFAULT_THRESHOLD if setting is None else setting)


def _sum(cells: Sequence[Cell], width: int) -> Cell:
    counted = [c.households for c in cells if c.households is not None]
    households = sum(counted) if counted or not cells else None
    figures = tuple(sum(c.figures[i] for c in cells) for i in range(width))
    return Cell(households, figures)


def suppress(
    grid: Sequence[Sequence[Cell]],
    *,
    threshold: int | None,
    hide_row_totals: Collection[int] = (),
    hide_total: bool = False,
    because: Reason = Reason.SECONDARY,
    columns: int = 0,
    figures: int = 0,
    elsewhere: Hidden | None = None,
) -> SafeTable:
    """Return *grid* with its totals, small and recoverable cells suppressed.

    Every row must have as many cells, and every cell as many figures; an
    empty grid takes its *columns* and *figures* from the caller. Tables
    that share a margin (a co-op's active households in two tables) must
    hide it alike, or one would give away what the other hides: pass the row
    totals (*hide_row_totals*) and the grand total (*hide_total*) another
    table hid, and they are hidden here too, with whatever that entails;
    *because* says why they are (a figure too few households gave is
    `Reason.INCOMPLETE`). What the council's other reports hide of this table
    (*elsewhere*) is hidden too, as `Reason.ACROSS`.
    """
    k = threshold_of(threshold)
    width = len(grid[0]) if grid else columns
    figures = len(grid[0][0].figures) if grid and grid[0] else figures
    for row in grid:
        if len(row) != width or any(len(c.figures) != figures for c in row):
            raise ValueError("every row needs the same cells, and every cell the same figures")
        if any(c.households is not None and c.households < 0 for c in row):
            raise ValueError("a household count cannot be negative")
    n_rows = len(grid)
    # The extended grid: cells, a totals column (index width) and a totals row (index n_rows).
    ext: dict[tuple[int, int], Cell] = {}
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            ext[r, c] = cell
        ext[r, width] = _sum(row, figures)
    for c in range(width + 1):
        ext[n_rows, c] = _sum([ext[r, c] for r in range(n_rows)], figures)

    def count(pos: tuple[int, int]) -> int:
        return ext[pos].households or 0

    hidden: dict[tuple[int, int], Reason] = {
        pos: Reason.SMALL
        for pos, cell in ext.items()
        if cell.households is not None and 0 < cell.households < k
    }
    forced = [(r, width) for r in hide_row_totals] + ([(n_rows, width)] if hide_total else [])
    if elsewhere is not None:
        across = [
            *elsewhere.cells,
            *((r, width) for r in elsewhere.row_totals),
            *((n_rows, c) for c in elsewhere.column_totals),
            *([(n_rows, width)] if elsewhere.total else []),
        ]
        for pos in across:
            if pos in ext and count(pos) > 0:
                hidden.setdefault(pos, Reason.ACROSS)
    for pos in forced:
        if pos in ext and count(pos) > 0:
            hidden.setdefault(pos, because)
        elif pos in ext and because is Reason.INCOMPLETE:
            # A figure too few households gave is not known, even where none gave it.
            r, _ = pos
            for c in range(width + 1):
                if count((r, c)) == 0:
                    hidden.setdefault((r, c), because)
    lines = [[(r, c) for c in range(width + 1)] for r in range(n_rows + 1)] + [
        [(r, c) for r in range(n_rows + 1)] for c in range(width + 1)
    ]
    changed = True
    while changed:
        changed = False
        for line in lines:
            *parts, total = line
            if all(ext[p].households is None for p in line):
                continue
            hidden_parts = [p for p in parts if p in hidden]
            hidden_count = len(hidden_parts) + (total in hidden)
            leaky = hidden_count == 1 or (
                total not in hidden and hidden_parts and sum(map(count, hidden_parts)) < k
            )
            if not leaky:
                continue
            candidates = [p for p in parts if p not in hidden and count(p) > 0]
            if not candidates and total not in hidden and count(total) > 0:
                candidates = [total]
            if candidates:
                hidden[min(candidates, key=lambda p: (count(p), p))] = Reason.SECONDARY
                changed = True

    def safe(pos: tuple[int, int]) -> SafeCell:
        cell = ext[pos]
        if pos in hidden:
            mark = Suppressed(hidden[pos], k)
            return SafeCell(mark, tuple(mark for _ in cell.figures))
        return SafeCell(cell.households, cell.figures)

    return SafeTable(
        threshold=k,
        rows=tuple(tuple(safe((r, c)) for c in range(width)) for r in range(n_rows)),
        row_totals=tuple(safe((r, width)) for r in range(n_rows)),
        column_totals=tuple(safe((n_rows, c)) for c in range(width)),
        total=safe((n_rows, width)),
    )


def share(part: Shown | None, whole: Shown | None) -> tuple[int, int] | Suppressed | None:
    """Return the fraction part/whole as (numerator, denominator), suppressed with either.

    None when there is nothing to divide by. Kept exact: pages format it.
    """
    if isinstance(part, Suppressed):
        return part
    if isinstance(whole, Suppressed):
        return whole
    if part is None or whole is None or whole == 0:
        return None
    return (part, whole)
