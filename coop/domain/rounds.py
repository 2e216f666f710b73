"""The life of an order round: which moves between states are allowed, and what each allows.

draft -> open -> closed -> received -> settled, or cancelled from any state
before received. Once a delivery is recorded the goods are in and the
suppliers are owed, so a received round is settled (with corrections if need
be), or its delivery record is undone first, which takes it back to closed.
Anything else is refused with a message fit to show.

Below the transition table, every rule of the form "only while the round is
..." is a named `StateGroup` with its refusal beside it. Services, views and
templates ask these groups; none of them lists states of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
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
    # Back to closed: the delivery record undone.
    RoundState.RECEIVED: frozenset({RoundState.SETTLED, RoundState.CLOSED}),
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


#: Refusals that say the way out rather than only what is not allowed.
_REFUSALS = {
    (RoundState.RECEIVED, RoundState.CANCELLED): (
        "A delivery is recorded for this round: settle it, or undo the delivery first."
    ),
}


def can_move(current: RoundState, target: RoundState) -> bool:
    """Tell whether a round in *current* may move to *target*."""
    return target in TRANSITIONS[current]


def move_refusal(current: RoundState, target: RoundState) -> str:
    """Return why a round in *current* may not move to *target*, or "" when it may."""
    if can_move(current, target):
        return ""
    if current is target:
        return f"The round is already {current.value}."
    if (current, target) in _REFUSALS:
        return _REFUSALS[current, target]
    return f"A round that is {current.value} cannot be {_VERBS[target]}." + (
        " It is finished." if not TRANSITIONS[current] else ""
    )


def check_move(current: RoundState, target: RoundState) -> None:
    """Raise `ValueError` with a clear message unless the move is allowed."""
    refusal = move_refusal(current, target)
    if refusal:
        raise ValueError(refusal)


def effective_units(*, manual: int | None, computed: int) -> int:
    """Return the units a household receives: the hand-set value, else the computed share."""
    return manual if manual is not None else computed


def applied_case_price(*, invoiced: int | None, opening: int) -> int:
    """Return the case price that applies: the invoiced one once received, else the opening one."""
    return invoiced if invoiced is not None else opening


#: Where an item from the co-op's own stock comes from, shown where a supplier's name would be.
FROM_STOCK = "The co-op's stock"


def stock_indicator(asked: int, offered: int) -> str:
    """Say where an item from the co-op's stock stands: what there is and what is asked for.

    It comes by the unit, so there is no case to fill; never says who ordered.
    """
    there = f"From the co-op's stock: {offered} to share"
    if asked == 0:
        return f"{there}; no orders yet."
    if asked < offered:
        return f"{there}; {asked} asked for so far."
    return f"{there}, all asked for: a later order may get none."


def markup_on_item(round_markup_bp: int, *, from_stock: bool) -> int:
    """Return the markup on an item's price: the round's, or none on the co-op's own stock.

    Stock is offered at the price it had in its own round, markup included,
    so the later round's markup is never added to it again.
    """
    return 0 if from_stock else round_markup_bp


@dataclass(frozen=True)
class StateGroup:
    """The round states in which one thing is allowed, and how to refuse it in the others.

    *refusal* may name the round's state as ``{state}``; *refusals* gives a
    wording of its own to a state that needs one. A group iterates over its
    states in the order they are declared, so it serves a SQL ``IN`` too.
    """

    states: frozenset[RoundState]
    refusal: str
    refusals: Mapping[RoundState, str] = field(default_factory=dict)

    def __contains__(self, state: object) -> bool:
        return state in self.states

    def __iter__(self) -> Iterator[RoundState]:
        return (state for state in RoundState if state in self.states)

    def refusal_for(self, state: RoundState) -> str:
        """Return why a round in *state* is refused, or "" when the group allows it."""
        if state in self.states:
            return ""
        return self.refusals.get(state, self.refusal).format(state=state.value)


def _group(*states: RoundState, refusal: str, **refusals: str) -> StateGroup:
    return StateGroup(
        frozenset(states), refusal, {RoundState(name): text for name, text in refusals.items()}
    )


_LIVE = (RoundState.DRAFT, RoundState.OPEN)
_CLOSED_UNSETTLED = (RoundState.CLOSED, RoundState.RECEIVED)

#: A round's details (title, times, rules) may be edited until it closes.
DETAILS_EDITABLE = _group(*_LIVE, refusal="A round that is {state} can no longer be edited.")

#: Items may be added, removed or limited until the round closes; closing orders them.
ITEMS_CHANGEABLE = _group(*_LIVE, refusal="The round is {state}: its items can no longer change.")

#: A supplier may be dropped while ordering is open and, after closing, until its
#: order is received: its items are then not ordered and everyone's shares of them become 0.
SUPPLIERS_DROPPABLE = _group(
    RoundState.OPEN,
    RoundState.CLOSED,
    refusal="A supplier's items can be dropped only while the round is open or closed; "
    "this round is {state}.",
)

#: Ordering ends when an open round closes. (A received round also moves back to
#: closed, but only by undoing its delivery record: `DELIVERY_UNDOABLE`.)
CLOSABLE = _group(
    RoundState.OPEN,
    refusal="A round that is {state} cannot be closed.",
    closed="The round is already closed.",
)

#: A round may be cancelled until its delivery is recorded; the table says when.
CANCELLABLE = StateGroup(
    frozenset(state for state in RoundState if can_move(state, RoundState.CANCELLED)),
    "A round that is {state} cannot be cancelled.",
    {
        state: move_refusal(state, RoundState.CANCELLED)
        for state in RoundState
        if not can_move(state, RoundState.CANCELLED)
    },
)

#: A recorded delivery may be undone, back to closed, until the round is settled.
DELIVERY_UNDOABLE = _group(
    RoundState.RECEIVED,
    refusal="The round is {state}: no delivery is recorded to undo.",
    settled="The round is settled: its delivery can no longer be undone. "
    "Correct a household's bill instead.",
)

#: A draft nobody has seen may be thrown away; anything later is cancelled instead.
DELETABLE = _group(
    RoundState.DRAFT, refusal="Only a draft round can be deleted; cancel it instead."
)

#: The opening time, deadline, sharing policy and case threshold are fixed once
#: households can order, since they ordered under them.
RULES_EDITABLE = _group(
    RoundState.DRAFT,
    refusal="The sharing policy and case threshold cannot change once the round is open.",
)

#: Households can be given longer to order only while ordering is open.
DEADLINE_EXTENDABLE = _group(
    RoundState.OPEN,
    refusal="Only an open round's deadline can be extended; this one is {state}.",
)

#: A supplier's order goes out once closing has fixed the cases, and before delivery.
SHEETS_SENDABLE = _group(
    RoundState.CLOSED,
    refusal="Order sheets are sent once the round is closed; this round is {state}.",
)

#: Closing shares the units out; from then on every household has its allocations.
ALLOCATED = _group(
    *_CLOSED_UNSETTLED,
    RoundState.SETTLED,
    refusal="Units are shared out between households when the round closes; this round is {state}.",
)

#: Shares may be changed by hand between closing and settling (settling bills them).
SHARES_CHANGEABLE = _group(
    *_CLOSED_UNSETTLED,
    refusal="Shares can be changed between closing and settling; this round is {state}.",
)

#: Closed but not yet settled: what a household will be charged is committed
#: from its funds, and the round waits for its delivery or its settlement.
AWAITING_SETTLEMENT = _group(
    *_CLOSED_UNSETTLED, refusal="The round is {state}: it is not waiting to be settled."
)

#: The delivery is in: what arrived is known, and what nobody takes is the co-op's stock.
DELIVERED = _group(
    RoundState.RECEIVED,
    RoundState.SETTLED,
    refusal="The round is {state}: its delivery has not been recorded.",
)

#: Households may change their orders only while the round is open (and before
#: its deadline, which the ordering service checks against the clock).
ORDERS_CHANGEABLE = _group(
    RoundState.OPEN,
    refusal="This round has closed; your order can no longer change.",
    draft="This round is not open for orders yet.",
    cancelled="This round was cancelled; nothing will be ordered.",
)

#: A round is settled once its delivery is recorded, and only once.
SETTLEABLE = _group(
    RoundState.RECEIVED,
    refusal="Only a received round can be settled; this one is {state}. "
    "Record what the delivery brought first.",
    settled="The round is already settled.",
)

#: Settled rounds: every household's bill is written and the ledger posted.
BILLED = _group(RoundState.SETTLED, refusal="The round is {state}: it has no bills yet.")

#: Shared costs and council subsidies may change until the round is settled.
COSTS_CHANGEABLE = _group(
    *_LIVE,
    *_CLOSED_UNSETTLED,
    refusal="The round is {state}: its costs can no longer change.",
    settled="The round is settled: its costs and subsidies can no longer change. "
    "Correct a household's bill instead.",
    cancelled="The round is cancelled: it has no costs to share.",
)

#: A household may open a round's page in any state but draft (a cancelled
#: round's page says why it was cancelled).
SEEN_BY_MEMBERS = _group(
    *(state for state in RoundState if state is not RoundState.DRAFT),
    refusal="This round is not open for orders yet.",
)

#: Rounds still under way, and finished ones (no move is left to them).
UNFINISHED = _group(
    *(state for state in RoundState if TRANSITIONS[state]),
    refusal="The round is {state}: it is finished.",
)
FINISHED = _group(
    *(state for state in RoundState if not TRANSITIONS[state]),
    refusal="The round is {state}: it is still under way.",
)
