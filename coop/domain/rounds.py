"""The life of an order round: which moves between states are allowed.

draft -> open -> closed -> received -> settled, or cancelled from any state
before settled. Anything else is refused with a message fit to show.
"""

from __future__ import annotations

from enum import StrEnum


class RoundState(StrEnum):
    """Where an order round stands."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    RECEIVED = "received"
    SETTLED = "settled"
    CANCELLED = "cancelled"


TRANSITIONS: dict[RoundState, frozenset[RoundState]] = {
    RoundState.DRAFT: frozenset({RoundState.OPEN, RoundState.CANCELLED}),
    RoundState.OPEN: frozenset({RoundState.CLOSED, RoundState.CANCELLED}),
    RoundState.CLOSED: frozenset({RoundState.RECEIVED, RoundState.CANCELLED}),
    RoundState.RECEIVED: frozenset({RoundState.SETTLED, RoundState.CANCELLED}),
    RoundState.SETTLED: frozenset(),
    RoundState.CANCELLED: frozenset(),
}

_VERBS = {
    RoundState.OPEN: "opened",
    RoundState.CLOSED: "closed",
    RoundState.RECEIVED: "marked as received",
    RoundState.SETTLED: "settled",
    RoundState.CANCELLED: "cancelled",
    RoundState.DRAFT: "put back to draft",
}


def can_move(current: RoundState, target: RoundState) -> bool:
    """Tell whether a round in *current* may move to *target*."""
    return target in TRANSITIONS[current]


def check_move(current: RoundState, target: RoundState) -> None:
    """Raise `ValueError` with a clear message unless the move is allowed."""
    if can_move(current, target):
        return
    if current is target:
        raise ValueError(f"The round is already {current.value}.")
    raise ValueError(
        f"A round that is {current.value} cannot be {_VERBS[target]}."
        + (" It is finished." if not TRANSITIONS[current] else "")
    )
