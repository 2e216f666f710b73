"""Packing: how the units of an item are split between the cases that arrived.

Packers open one case at a time; each household's share is taken from the
cases in the order the shares are listed, and whatever a case has left goes
to the co-op's stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    """One case of an item and whose units are in it; *stock* units go to the co-op."""

    number: int
    size: int  # units in this case: less than the case size for a part case
    shares: list[tuple[str, int]]
    stock: int


def split_cases(shares: Sequence[tuple[str, int]], case_size: int, available: int) -> list[Case]:
    """Fill cases of *case_size* from *available* units, share by share, the rest to stock.

    The last case holds what is left when fewer units than whole cases arrived.
    """
    cases: list[Case] = []
    # [name, units still to pack] per share
    queue: list[list[Any]] = [[name, units] for name, units in shares if units > 0]
    left = available
    number = 0
    while left > 0:
        number += 1
        size = min(case_size, left)
        room = size
        inside: list[tuple[str, int]] = []
        while room and queue:
            take = min(room, queue[0][1])
            inside.append((queue[0][0], take))
            room -= take
            queue[0][1] -= take
            if not queue[0][1]:
                queue.pop(0)
        cases.append(Case(number=number, size=size, shares=inside, stock=room))
        left -= size
    return cases
