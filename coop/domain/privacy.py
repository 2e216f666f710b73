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

    While the total is shown and the hidden cells are fewer than two, or add
    up to fewer than k (so the hidden group is itself a small number), the
    smallest shown non-zero cell is hidden too; ties go to the earlier cell.
    Zeros stay shown: hiding one protects nothing.
    """
    k = effective_threshold(threshold)
    total = sum(counts)
    hidden: dict[int, Hidden] = {
        i: Hidden.SMALL for i, count in enumerate(counts) if suppress_count(count, k) is None
    }
    total_shown = suppress_count(total, k) is not None
    if total_shown and hidden:
        while len(hidden) < 2 or sum(counts[i] for i in hidden) < k:
            candidates = [i for i, count in enumerate(counts) if i not in hidden and count > 0]
            if not candidates:
                break
            smallest = min(candidates, key=lambda i: (counts[i], i))
            hidden[smallest] = Hidden.SECONDARY
    cells = tuple(
        Figure(value=None if i in hidden else count, hidden=hidden.get(i), threshold=k)
        for i, count in enumerate(counts)
    )
    total_figure = (
        Figure(value=total, hidden=None, threshold=k)
        if total_shown
        else Figure(value=None, hidden=Hidden.SMALL, threshold=k)
    )
    return SuppressedTable(cells=cells, total=total_figure)
