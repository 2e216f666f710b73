"""Changing a household's order for an item while keeping its place in the queue.

DESIGN.md's `first_come` rule: an increase joins the back of the queue as a
new request; a decrease takes units off the newest requests first, so a
household keeps its early place. The household's tolerance stays on its
earliest request. Pure and standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Held:
    """A request a household already has in an item's queue."""

    id: int
    quantity: int
    tolerance: int = 0


@dataclass(frozen=True)
class Revision:
    """What to write so that a household's requests add up to what it now asks for."""

    updates: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (quantity, tolerance)
    deletes: tuple[int, ...] = ()
    new: tuple[int, int] | None = None  # (quantity, tolerance) of a request at the back

    @property
    def changes_nothing(self) -> bool:
        return not self.updates and not self.deletes and self.new is None


def revise(held: Sequence[Held], quantity: int, tolerance: int) -> Revision:
    """Return the writes that turn *held* (in queue order) into *quantity* with *tolerance*."""
    if quantity < 0 or tolerance < 0:
        raise ValueError("Quantities and tolerances cannot be negative.")
    if not held:
        if quantity == 0 and tolerance == 0:
            return Revision()
        return Revision(new=(quantity, tolerance))

    wanted = [[request.quantity, 0] for request in held]
    new: tuple[int, int] | None = None
    current = sum(request.quantity for request in held)
    if quantity > current:
        new = (quantity - current, 0)
    else:
        excess = current - quantity
        for position in reversed(range(len(wanted))):
            take = min(excess, wanted[position][0])
            wanted[position][0] -= take
            excess -= take
    # The tolerance belongs to the earliest request still holding units, or
    # to the earliest of all when only tolerance is left.
    keeper = next((i for i, (units, _) in enumerate(wanted) if units > 0), 0)
    wanted[keeper][1] = tolerance

    updates: dict[int, tuple[int, int]] = {}
    deletes: list[int] = []
    for request, (units, extra) in zip(held, wanted, strict=True):
        if units == 0 and extra == 0:
            deletes.append(request.id)
        elif (units, extra) != (request.quantity, request.tolerance):
            updates[request.id] = (units, extra)
    return Revision(updates=updates, deletes=tuple(deletes), new=new)
