"""Receiving a delivery: what arrived, shared out again where it differs from the order.

Receiving records what arrived of each item, at what case price, and what
was sent instead. Where the units differ from what was ordered, the item is
shared out again by the round's policy over the same queues closing used
(`allocate(..., units=arrived)`), and units nobody takes are the co-op's
stock. Households whose shares change, or whose items were substituted,
are told in one batch of email. Changing a share by hand afterwards is in
`coop.services.rounds.allocations`.

A delivery recorded by mistake is undone with `undo_delivery` until the
round is settled: the round is closed again, with the shares closing gave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from coop.domain.allocation import Request, allocate
from coop.domain.catalogue import MAX_PENCE, MAX_PENCE_TEXT, member_unit_price_pence
from coop.domain.rounds import DELIVERY_UNDOABLE, RoundState
from coop.extensions import db
from coop.models import Allocation, Coop, Round, RoundItem, RoundSupplier, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.jobs import enqueue_after_commit
from coop.services.mail import render_message, send_emails
from coop.services.notices.rounds import ready_for_pickup
from coop.services.people.memberships import contacts_of
from coop.services.rounds.closing import active_requests
from coop.services.rounds.lifecycle import LinkBuilder, locked_round, move
from coop.services.rounds.states import require

#: The most units of one item a delivery may bring: far above any co-op's order.
MAX_UNITS = 100_000
SUBSTITUTE_MAX_LENGTH = 200


def row_field(name: str, item_id: int) -> str:
    """Return the form field of *name* in item *item_id*'s row, such as ``amount_12``."""
    return f"{name}_{item_id}"


def plural(count: int, word: str) -> str:
    """Return "1 unit" or "3 units"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True, kw_only=True)
class Arrived:
    """What the coordinator says arrived of one item."""

    item_id: int
    amount: int
    in_cases: bool = False  # *amount* counts cases, not units
    substitute: str = ""  # what was sent instead, if anything
    case_price_pence: int | None = None  # None: the price the round snapshotted
    more_arrived: bool = False  # more than ordered came, and the extra is to be shared


class RowsRefused(ServiceError):
    """Some rows of a form were refused; `problems` maps each row's field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        count = len(problems)
        super().__init__(
            "Nothing was recorded: "
            + ("one entry needs" if count == 1 else f"{count} entries need")
            + " a change."
        )
        self.problems = problems


@dataclass(frozen=True)
class Received:
    """What receiving did, for the coordinator's message."""

    round_id: int
    items_reshared: int
    households_told: int
    surplus_units: int


@dataclass(frozen=True)
class _Change:
    """A household's new share of an item that arrived short or over."""

    item: RoundItem
    before: int
    units: int
    fewer: bool  # less arrived than was ordered


@dataclass(frozen=True)
class _Substitution:
    """What the supplier sent for an item, and its price a unit now and before."""

    item: RoundItem
    substitute: str
    unit_price_pence: int
    was_pence: int


@dataclass
class _Letter:
    changes: list[_Change] = field(default_factory=list)
    substitutions: list[_Substitution] = field(default_factory=list)


def items_to_receive(*, round_id: int) -> list[RoundItem]:
    """Return the round's items that were ordered from suppliers, by supplier and name."""
    return list(
        db.session.scalars(
            select(RoundItem)
            .join(RoundItem.round_supplier)
            .where(RoundItem.round_id == round_id, RoundItem.cases_ordered > 0)
            .options(joinedload(RoundItem.round_supplier).joinedload(RoundSupplier.supplier))
            .order_by(RoundSupplier.id, RoundItem.name, RoundItem.id)
            # Read again once the round is locked, whatever the session held before.
            .execution_options(populate_existing=True)
        )
    )


def _units_arrived(item: RoundItem, line: Arrived, problems: dict[str, str]) -> int:
    units = line.amount * item.case_size if line.in_cases else line.amount
    ordered = item.units_ordered or 0
    amount = row_field("amount", item.id)
    if line.amount < 0:
        problems[amount] = "Enter 0 or more: what arrived cannot be negative."
    elif units > MAX_UNITS:
        problems[amount] = f"Enter at most {MAX_UNITS:,} units."
    elif units > ordered and not line.more_arrived:
        problems[amount] = (
            f"{plural(ordered, 'unit')} {'was' if ordered == 1 else 'were'} ordered; "
            "tick 'more arrived' to share out the extra."
        )
    if len(line.substitute.strip()) > SUBSTITUTE_MAX_LENGTH:
        problems[row_field("substitute", item.id)] = (
            f"Use at most {SUBSTITUTE_MAX_LENGTH} characters."
        )
    price = line.case_price_pence
    if price is not None and not 0 <= price <= MAX_PENCE:
        problems[row_field("case_price", item.id)] = f"Enter an amount from £0 to {MAX_PENCE_TEXT}."
    return units


class _Share(NamedTuple):
    """One household's allocation of an item, as receiving reads and rewrites it."""

    allocation_id: int
    household: int
    units: int


def receive_round(
    *,
    round_id: int,
    by: User,
    lines: Sequence[Arrived],
    link_for: LinkBuilder | None = None,
) -> Received:
    """Record what arrived, share out again what differs, and tell households (flushes).

    Every ordered item needs a line. An item whose units differ from what was
    ordered is allocated afresh by the round's policy, and any share set by
    hand on it is cleared, since it was a share of the old amount. A bad line
    refuses the whole delivery, with a message for each bad row.
    """
    round_ = locked_round(round_id=round_id)
    if round_.state is not RoundState.CLOSED:
        move(round_, RoundState.RECEIVED)  # refuses, saying why
    items, given, arrived = _checked_delivery(round_, lines)
    reshared = [
        item_id for item_id, item in items.items() if arrived[item_id] != item.units_ordered
    ]
    queues = active_requests(round_.id, reshared) if reshared else {}
    shares = _current_shares(round_.id)
    letters: dict[int, _Letter] = defaultdict(_Letter)
    updates: list[dict[str, object]] = []
    for item in items.values():
        if item.id in reshared:
            shares[item.id] = _share_again(
                round_,
                item,
                arrived[item.id],
                queues.get(item.id, []),
                shares[item.id],
                letters,
                updates,
            )
        _record_arrival(round_, item, given[item.id], arrived[item.id], shares[item.id], letters)
    if updates:
        db.session.execute(update(Allocation), updates)
    move(round_, RoundState.RECEIVED)
    round_.received_at = utcnow()
    db.session.flush()

    _tell_households(round_, letters, link_for)
    enqueue_after_commit(ready_for_pickup, round_id=round_.id)
    return Received(
        round_id=round_.id,
        items_reshared=len(reshared),
        households_told=len(letters),
        surplus_units=sum(item.surplus_units or 0 for item in items.values()),
    )


def _checked_delivery(
    round_: Round, lines: Sequence[Arrived]
) -> tuple[dict[int, RoundItem], dict[int, Arrived], dict[int, int]]:
    """Return the ordered items, their lines and the units that arrived; refuse any bad row."""
    items = {item.id: item for item in items_to_receive(round_id=round_.id)}
    given = {line.item_id: line for line in lines}
    if set(given) - set(items):
        raise ServiceError("Some of those items were not ordered in this round.")
    if set(items) - set(given):
        raise ServiceError("Say what arrived of every item that was ordered.")
    problems: dict[str, str] = {}
    arrived = {item.id: _units_arrived(item, given[item.id], problems) for item in items.values()}
    if problems:
        raise RowsRefused(problems)
    return items, given, arrived


def _share_again(
    round_: Round,
    item: RoundItem,
    units: int,
    queue: list[Request],
    shares: list[_Share],
    letters: dict[int, _Letter],
    updates: list[dict[str, object]],
) -> list[_Share]:
    """Allocate *units* of *item* afresh; queue the rows' updates and note who is told."""
    new = allocate(
        queue, item.case_size, policy=round_.policy, units=units, fill_percent=round_.fill_percent
    )
    fewer = units < (item.units_ordered or 0)
    now = []
    for share in shares:
        units_now = new.get(share.household, 0)
        now.append(share._replace(units=units_now))
        updates.append({"id": share.allocation_id, "computed_units": units_now, **_NOT_BY_HAND})
        if units_now != share.units:
            letters[share.household].changes.append(_Change(item, share.units, units_now, fewer))
    return now


def _record_arrival(
    round_: Round,
    item: RoundItem,
    line: Arrived,
    units: int,
    shares: list[_Share],
    letters: dict[int, _Letter],
) -> None:
    """Write what arrived of *item*, at what price, and its surplus; note substitutions."""
    price = item.case_price_pence if line.case_price_pence is None else line.case_price_pence
    substitute = line.substitute.strip()
    if substitute or price != item.case_price_pence:
        sent = _Substitution(
            item,
            substitute,
            _unit_price(round_, item, price),
            _unit_price(round_, item, item.case_price_pence),
        )
        for share in shares:
            if share.units:
                letters[share.household].substitutions.append(sent)
    item.units_received = units
    item.received_case_price_pence = price
    item.substitute = substitute
    item.surplus_units = units - sum(share.units for share in shares)


#: A share set by hand was a share of the old amount: receiving clears it.
_NOT_BY_HAND = {"manual_units": None, "manual_reason": "", "manual_by_id": None, "manual_at": None}


def _current_shares(round_id: int) -> dict[int, list[_Share]]:
    """Return each item's shares in the round."""
    shares: dict[int, list[_Share]] = defaultdict(list)
    for allocation_id, item_id, household, units in db.session.execute(
        select(
            Allocation.id,
            Allocation.round_item_id,
            Allocation.membership_id,
            Allocation.units,
        ).where(Allocation.round_id == round_id)
    ):
        shares[item_id].append(_Share(allocation_id, household, units))
    return shares


def _unit_price(round_: Round, item: RoundItem, case_price_pence: int) -> int:
    return member_unit_price_pence(
        case_price_pence=case_price_pence,
        case_size=item.case_size,
        vat_bp=item.vat_bp,
        markup_bp=round_.markup_bp,
    )


# --- undoing the record ---------------------------------------------------------------


@dataclass(frozen=True)
class Undone:
    """What undoing a delivery record did, for the coordinator's message."""

    round_id: int
    households_told: int


def undo_delivery(*, round_id: int, by: User, link_for: LinkBuilder | None = None) -> Undone:
    """Take back a recorded delivery: the round is closed again, as closing left it (flushes).

    What arrived, its price and any substitution are removed. An item that was
    shared out again gets closing's shares back, and a share set by hand on it
    since is cleared (it was a share of what arrived); on an item that arrived
    as ordered, shares set by hand stay. Households whose share changes are
    told. Refused once the round is settled.
    """
    round_ = locked_round(round_id=round_id)
    require(DELIVERY_UNDOABLE, round_)
    items = {item.id: item for item in items_to_receive(round_id=round_.id)}
    reshared = {
        item_id for item_id, item in items.items() if item.units_received != item.units_ordered
    }
    given: dict[int, int] = defaultdict(int)
    changes: dict[int, list[_Change]] = defaultdict(list)
    updates: list[dict[str, object]] = []
    for allocation_id, item_id, household, closed, units in db.session.execute(
        select(
            Allocation.id,
            Allocation.round_item_id,
            Allocation.membership_id,
            Allocation.closed_units,
            Allocation.units,
        ).where(Allocation.round_id == round_.id)
    ):
        if item_id in reshared:
            updates.append({"id": allocation_id, "computed_units": closed, **_NOT_BY_HAND})
            if closed != units:
                item = items[item_id]
                changes[household].append(_Change(item, units, closed, fewer=closed < units))
            units = closed
        given[item_id] += units
    if updates:
        db.session.execute(update(Allocation), updates)
    for item in items.values():
        item.units_received = None
        item.received_case_price_pence = None
        item.substitute = ""
        item.surplus_units = (item.units_ordered or 0) - given[item.id]
    move(round_, RoundState.CLOSED)
    round_.received_at = None
    db.session.flush()

    _tell_of_undoing(round_, by, changes, link_for)
    return Undone(round_id=round_.id, households_told=len(changes))


def _tell_of_undoing(
    round_: Round, by: User, changes: dict[int, list[_Change]], link_for: LinkBuilder | None
) -> None:
    if not changes:
        return
    coop = db.session.get_one(Coop, round_.coop_id)
    link = link_for(round_) if link_for else ""
    send_emails(
        [
            render_message(
                "rounds/delivery_undone.txt",
                to=person.email,
                user=person,
                by=by,
                round_=round_,
                coop=coop,
                changes=sorted(
                    changes[person.membership_id],
                    key=lambda change: (change.item.name, change.item.id),
                ),
                link=link,
            )
            for person in contacts_of(membership_ids=changes)
        ]
    )


def _tell_households(
    round_: Round, letters: dict[int, _Letter], link_for: LinkBuilder | None
) -> None:
    if not letters:
        return
    coop = db.session.get_one(Coop, round_.coop_id)
    link = link_for(round_) if link_for else ""
    messages = []
    for person in contacts_of(membership_ids=letters):
        letter = letters[person.membership_id]
        messages.append(
            render_message(
                "rounds/arrived.txt",
                to=person.email,
                user=person,
                round_=round_,
                coop=coop,
                changes=sorted(
                    letter.changes, key=lambda change: (change.item.name, change.item.id)
                ),
                substitutions=letter.substitutions,
                link=link,
            )
        )
    send_emails(messages)
