"""Small-number suppression for figures councils see.

A count of 1 to k-1 households is shown as "fewer than k" (k is a council's
threshold, never below 5). When a table also shows its total, one hidden cell
could be worked out by subtracting the others from the total, so more cells
are hidden until that is impossible (secondary suppression).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

MIN_THRESHOLD = 5
DEFAULT_THRESHOLD = 10


def effective_threshold(threshold: int) -> int:
    """Return the threshold actually applied: never below `MIN_THRESHOLD`."""
    return max(threshold, MIN_THRESHOLD)


def suppress_count(count: int, threshold: int) -> int | None:
    """Return *count*, or ``None`` when it is too small to show (1 to k-1)."""
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    if 0 < count < effective_threshold(threshold):
        return None
    return count


def display_count(count: int, threshold: int) -> str:
    """Return *count* as a council may see it: a number or "fewer than k"."""
    shown = suppress_count(count, threshold)
    return fewer_than(threshold) if shown is None else str(shown)


def fewer_than(threshold: int) -> str:
    """Return the words that stand for a suppressed count."""
    return f"fewer than {effective_threshold(threshold)}"


class Hidden(StrEnum):
    """Why a figure is not shown."""

    SMALL = "small"  # 1 to k-1: shown as "fewer than k"
    SECONDARY = "secondary"  # would let a small figure be worked out from the total


@dataclass(frozen=True)
class Figure:
    """One count as published: its value, or why it is hidden."""

    value: int | None
    hidden: Hidden | None
    threshold: int

    @property
    def text(self) -> str:
        if self.hidden is Hidden.SMALL:
            return fewer_than(self.threshold)
        if self.hidden is Hidden.SECONDARY:
            return "not shown"
        return str(self.value)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class SuppressedTable:
    """Cells and their total, made safe to publish together."""

    cells: tuple[Figure, ...]
    total: Figure

    @property
    def any_hidden(self) -> bool:
        return any(cell.hidden for cell in (*self.cells, self.total))

    @property
    def any_secondary(self) -> bool:
        return any(cell.hidden is Hidden.SECONDARY for cell in self.cells)


def suppress_table(counts: Sequence[int], threshold: int) -> SuppressedTable:
    """Suppress small *counts* and, where the total would betray them, more cells.

    One column of `coop.domain.suppression.suppress`, the rule every council
    table follows: while the total is shown and the hidden cells are fewer
    than two, or add up to fewer than k, the smallest shown non-zero cell is
    hidden too; ties go to the earlier cell. Zeros stay shown.
    """
    # Imported here: suppression takes its threshold and wording from this module.
    from coop.domain.suppression import Cell, Reason, SafeCell, suppress

    k = effective_threshold(threshold)
    table = suppress([[Cell(count)] for count in counts], threshold=k)

    def figure(cell: SafeCell) -> Figure:
        shown = cell.households
        if isinstance(shown, int):
            return Figure(value=shown, hidden=None, threshold=k)
        small = shown is not None and shown.reason is Reason.SMALL
        return Figure(value=None, hidden=Hidden.SMALL if small else Hidden.SECONDARY, threshold=k)

    return SuppressedTable(
        cells=tuple(figure(row[0]) for row in table.rows), total=figure(table.total)
    )
