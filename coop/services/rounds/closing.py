"""Closing a round: round each item to whole cases and share the units out.

An item from the co-op's own stock is ordered from the stock, by the unit,
up to the units offered (`coop.services.money.stock`): households get what
they asked for in the round's policy until those run out, and closing orders
only what it gives out, so the rest is back in stock at once.

One pass per item over its queue, under the round's row lock, then a few
bulk statements: one INSERT of every allocation and one UPDATE of the items.
Each household is then told, in one batch of email, what it will receive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, select, update

from coop.domain.allocation import Request, allocate, cases_needed
from coop.domain.catalogue import member_unit_price_pence
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import CLOSABLE, RoundState, markup_on_item
from coop.extensions import db
from coop.models import (
    Allocation,
    Coop,
    Membership,
    OrderRequest,
    Round,
    RoundItem,
    RoundSupplier,
    User,
)
from coop.models.bulk import bulk_insert
from coop.models.types import utcnow
from coop.services.mail import Email, render_message, send_emails
from coop.services.money.stock import offered_units
from coop.services.people.memberships import contacts_of
from coop.services.rounds.lifecycle import LinkBuilder, locked_round, move
from coop.services.rounds.states import require


@dataclass(frozen=True)
class ItemFacts:
    """What sharing out and telling households need to know about an item."""

    id: int
    name: str
    unit_label: str
    case_size: int
    unit_price_pence: int  # the price each: every line is units x it
    dropped: bool
    offered: int | None = None  # from the co-op's stock: the most there is to give


@dataclass(frozen=True)
class Closed:
    """What closing did, to report to the person or the scheduler."""

    round_id: int
    items: int
    cases: int
    households: int


class Share(NamedTuple):
    """One household's allocation of one item, as closing writes it."""

    item_id: int
    household: int
    quantity: int  # firm units asked for
    tolerance: int
    units: int  # what closing gives


def active_requests(
    round_id: int, item_ids: Iterable[int] | None = None
) -> dict[int, list[Request]]:
    """Return each item's queue of requests from active households, in queue order.

    Queue order is (created_at, id), so `Request.seq` is the position in it.
    """
    queues: dict[int, list[Request]] = defaultdict(list)
    for item_id, household, quantity, tolerance in db.session.execute(
        request_lines(round_id, item_ids)
    ):
        queue = queues[item_id]
        queue.append(Request(household, quantity, tolerance, len(queue)))
    return queues


def request_lines(round_id: int, item_ids: Iterable[int] | None = None) -> Select:
    """Return the query of (item, household, quantity, tolerance) closing reads, in queue order.

    Only active households' requests count; the close benchmark reads the same lines.
    """
    query = (
        select(
            OrderRequest.round_item_id,
            OrderRequest.membership_id,
            OrderRequest.quantity,
            OrderRequest.tolerance,
        )
        .join(Membership, Membership.id == OrderRequest.membership_id)
        .where(
            OrderRequest.round_id == round_id,
            Membership.status == MembershipStatus.ACTIVE,
        )
        .order_by(OrderRequest.round_item_id, OrderRequest.created_at, OrderRequest.id)
    )
    if item_ids is not None:
        query = query.where(OrderRequest.round_item_id.in_(list(item_ids)))
    return query


def item_facts(round_: Round) -> dict[int, ItemFacts]:
    """Return the round's items by id, with display prices and whether they were dropped."""
    rows = db.session.execute(
        select(
            RoundItem.id,
            RoundItem.name,
            RoundItem.unit_label,
            RoundItem.case_size,
            RoundItem.case_price_pence,
            RoundItem.vat_bp,
            RoundItem.stock_round_item_id,
            RoundSupplier.dropped_at,
        )
        .outerjoin(RoundSupplier, RoundSupplier.id == RoundItem.round_supplier_id)
        .where(RoundItem.round_id == round_.id)
        .order_by(RoundItem.name, RoundItem.id)
    )
    offered = offered_units(round_id=round_.id)
    return {
        row.id: ItemFacts(
            id=row.id,
            name=row.name,
            unit_label=row.unit_label,
            case_size=row.case_size,
            unit_price_pence=member_unit_price_pence(
                case_price_pence=row.case_price_pence,
                case_size=row.case_size,
                vat_bp=row.vat_bp,
                markup_bp=markup_on_item(
                    round_.markup_bp, from_stock=row.stock_round_item_id is not None
                ),
            ),
            dropped=row.dropped_at is not None,
            offered=None if row.stock_round_item_id is None else offered.get(row.id, 0),
        )
        for row in rows
    }


def close_round(
    *,
    round_id: int,
    by: User | None,
    now: datetime | None = None,
    link_for: LinkBuilder | None = None,
) -> Closed:
    """Close an open round: order whole cases, allocate, and tell each household (flushes).

    *by* is None when the scheduler closes it. Closing twice is refused.
    """
    now = now or utcnow()
    round_ = locked_round(round_id=round_id)
    require(CLOSABLE, round_)
    move(round_, RoundState.CLOSED)
    facts = item_facts(round_)
    queues = active_requests(round_.id)

    shares: list[Share] = []
    item_updates: list[dict[str, int]] = []
    total_cases = 0
    for item in facts.values():
        queue = queues.get(item.id, [])
        firm = sum(request.quantity for request in queue)
        tolerance = sum(request.tolerance for request in queue)
        cases = (
            0
            if item.dropped
            else cases_needed(firm, tolerance, item.case_size, round_.fill_percent)
        )
        if item.offered is not None:
            cases = min(cases, item.offered)  # stock: a case is a unit, and no more than offered
        units = allocate(
            queue,
            item.case_size,
            policy=round_.policy,
            units=cases * item.case_size,
            fill_percent=round_.fill_percent,
        )
        total_cases += cases
        item_updates.append(
            {
                "id": item.id,
                "cases_ordered": cases,
                "surplus_units": cases * item.case_size - sum(units.values()),
            }
        )
        asked: dict[int, list[int]] = {}
        for request in queue:
            totals = asked.setdefault(request.household, [0, 0])
            totals[0] += request.quantity
            totals[1] += request.tolerance
        shares.extend(
            Share(item.id, household, *asked[household], given)
            for household, given in units.items()
        )
    if item_updates:
        db.session.execute(update(RoundItem), item_updates)
    _insert_allocations(round_.id, shares)
    round_.closed_at = now
    round_.closed_by_id = by.id if by is not None else None
    db.session.flush()

    households = {share.household for share in shares}
    _tell_households(round_, facts, shares, households, link_for)
    return Closed(
        round_id=round_.id, items=len(facts), cases=total_cases, households=len(households)
    )


#: The columns closing fills in each allocation it writes.
ALLOCATION_COLUMNS = (
    "round_id",
    "round_item_id",
    "membership_id",
    "quantity",
    "tolerance",
    "closed_units",
    "computed_units",
    "manual_reason",
)


def _insert_allocations(round_id: int, shares: list[Share]) -> None:
    """Write the allocations in one statement; what closing gives is both closed and computed."""
    bulk_insert(
        db.session.connection(),
        Allocation,
        ALLOCATION_COLUMNS,
        [(round_id, *share, share.units, "") for share in shares],
    )


def _tell_households(
    round_: Round,
    facts: dict[int, ItemFacts],
    shares: list[Share],
    households: set[int],
    link_for: LinkBuilder | None,
) -> None:
    if not households:
        return
    coop = db.session.get_one(Coop, round_.coop_id)
    lines: dict[int, list[tuple[ItemFacts, int, int]]] = defaultdict(list)
    for share in shares:
        lines[share.household].append((facts[share.item_id], share.quantity, share.units))
    link = link_for(round_) if link_for else ""
    messages = [
        closing_message(
            round_, coop, person.name, lines[person.membership_id], link, to=person.email
        )
        for person in contacts_of(membership_ids=households)
    ]
    send_emails(messages)


@dataclass(frozen=True)
class _Getting:
    item: ItemFacts
    units: int
    cost_pence: int


@dataclass(frozen=True)
class _Short:
    item: ItemFacts
    units: int
    asked: int


def closing_message(
    round_: Round,
    coop: Coop,
    name: str,
    lines: list[tuple[ItemFacts, int, int]],
    link: str = "",
    *,
    to: str,
) -> Email:
    """Write the email telling a household what closing gives it."""
    getting, short = [], []
    for item, asked, units in sorted(lines, key=lambda line: (line[0].name, line[0].id)):
        if units:
            getting.append(_Getting(item, units, units * item.unit_price_pence))
        if units < asked:
            short.append(_Short(item, units, asked))
    return render_message(
        "rounds/closed.txt",
        to=to,
        round_=round_,
        coop=coop,
        name=name,
        getting=getting,
        short=short,
        estimate_pence=sum(line.cost_pence for line in getting),
        pickup_at=round_.pickup_at,
        pickup_place=round_.pickup_place or coop.pickup_address or "",
        link=link,
    )
