"""Closing a round: round each item to whole cases and share the units out.

One pass per item over its queue, under the round's row lock, then a few
bulk statements: one INSERT of every allocation and one UPDATE of the items.
Each household is then told, in one batch of email, what it will receive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from coop.domain.allocation import Request, allocate, cases_needed
from coop.domain.catalogue import member_unit_price_pence
from coop.domain.money import format_pence
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
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
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import Email, local_time, send_emails
from coop.services.rounds import locked_round, move

LinkBuilder = Callable[[Round], str]


@dataclass(frozen=True)
class ItemFacts:
    """What sharing out and telling households need to know about an item."""

    id: int
    name: str
    unit_label: str
    case_size: int
    unit_price_pence: int  # for display: the bill rounds once per item
    dropped: bool


@dataclass(frozen=True)
class Closed:
    """What closing did, to report to the person or the scheduler."""

    round_id: int
    items: int
    cases: int
    households: int


def active_requests(
    round_id: int, item_ids: Iterable[int] | None = None
) -> dict[int, list[Request]]:
    """Return each item's queue of requests from active households, in queue order.

    Queue order is (created_at, id), so `Request.seq` is the position in it.
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
    queues: dict[int, list[Request]] = defaultdict(list)
    for item_id, household, quantity, tolerance in db.session.execute(query):
        queue = queues[item_id]
        queue.append(Request(household, quantity, tolerance, seq=len(queue)))
    return queues


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
            RoundSupplier.dropped_at,
        )
        .join(RoundSupplier, RoundSupplier.id == RoundItem.round_supplier_id)
        .where(RoundItem.round_id == round_.id)
        .order_by(RoundItem.name, RoundItem.id)
    )
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
                markup_bp=round_.markup_bp,
            ),
            dropped=row.dropped_at is not None,
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
    if round_.state is RoundState.CLOSED:
        raise ServiceError("The round is already closed.")
    move(round_, RoundState.CLOSED)
    facts = item_facts(round_)
    queues = active_requests(round_.id)

    allocations: list[dict[str, int]] = []
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
        shares = allocate(
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
                "surplus_units": cases * item.case_size - sum(shares.values()),
            }
        )
        asked: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for request in queue:
            asked[request.household][0] += request.quantity
            asked[request.household][1] += request.tolerance
        allocations.extend(
            {
                "round_id": round_.id,
                "round_item_id": item.id,
                "membership_id": household,
                "quantity": asked[household][0],
                "tolerance": asked[household][1],
                "closed_units": units,
                "computed_units": units,
            }
            for household, units in shares.items()
        )
    if item_updates:
        db.session.execute(update(RoundItem), item_updates)
    if allocations:
        db.session.execute(insert(Allocation), allocations)
    round_.closed_at = now
    round_.closed_by_id = by.id if by is not None else None
    db.session.flush()

    households = {row["membership_id"] for row in allocations}
    _tell_households(round_, facts, allocations, households, link_for)
    return Closed(
        round_id=round_.id, items=len(facts), cases=total_cases, households=len(households)
    )


def _tell_households(
    round_: Round,
    facts: dict[int, ItemFacts],
    allocations: list[dict[str, int]],
    households: set[int],
    link_for: LinkBuilder | None,
) -> None:
    if not households:
        return
    coop = db.session.get_one(Coop, round_.coop_id)
    people = dict(
        db.session.execute(
            select(Membership.id, User).join(User).where(Membership.id.in_(households))
        ).all()
    )
    lines: dict[int, list[tuple[ItemFacts, int, int]]] = defaultdict(list)
    for row in allocations:
        item = facts[row["round_item_id"]]
        lines[row["membership_id"]].append((item, row["quantity"], row["closed_units"]))
    link = link_for(round_) if link_for else ""
    messages = [
        Email(
            to=person.email,
            subject=f"{coop.name}: what you will receive from {round_.title}",
            body=closing_message(round_, coop, person.name, lines[household], link),
        )
        for household, person in people.items()
    ]
    send_emails(messages)


def closing_message(
    round_: Round,
    coop: Coop,
    name: str,
    lines: list[tuple[ItemFacts, int, int]],
    link: str = "",
) -> str:
    """Write the email telling a household what closing gives it."""
    getting, short = [], []
    estimate = 0
    for item, asked, units in sorted(lines, key=lambda line: (line[0].name, line[0].id)):
        if units:
            cost = units * item.unit_price_pence
            estimate += cost
            getting.append(
                f"- {item.name}: {units} x {item.unit_label} at about "
                f"{format_pence(item.unit_price_pence)} = {format_pence(cost)}"
            )
        if units < asked:
            why = (
                "the supplier's minimum order was not met"
                if item.dropped
                else "the case did not fill"
            )
            short.append(f"- {item.name}: {units} of the {asked} you asked for ({why})")
    parts = [f"Hello {name},", f"The round '{round_.title}' of {coop.name} has closed."]
    parts.append(
        "You will receive:\n" + "\n".join(getting) if getting else "You will receive nothing."
    )
    if short:
        parts.append("Less than you asked for:\n" + "\n".join(short))
    if estimate:
        parts.append(
            f"About {format_pence(estimate)} in all, before shared costs. Your bill is "
            "worked out exactly once the delivery has arrived."
        )
    if round_.pickup_at is not None or round_.pickup_place or coop.pickup_address:
        when = local_time(round_.pickup_at) if round_.pickup_at else ""
        where = round_.pickup_place or coop.pickup_address
        parts.append("Pickup: " + ", ".join(part for part in (when, where) if part))
    if link:
        parts.append(f"Your order: {link}")
    return "\n\n".join(parts)
