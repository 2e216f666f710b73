"""Dropping a supplier from a round, when its minimum order is not met (or it cannot deliver).

While the round is open, closing then orders none of the supplier's items;
once closed, their cases and the households' shares of them become 0. The
households that lose items are told in one batch of email.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select, update

from coop.domain.rounds import SUPPLIERS_DROPPABLE, RoundState
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import Allocation, Coop, Round, RoundItem, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import render_message, send_emails
from coop.services.people.memberships import contacts_of
from coop.services.rounds.closing import active_requests
from coop.services.rounds.lifecycle import LinkBuilder, locked_round
from coop.services.rounds.order_sheets import OrderSheet, SheetLine, order_sheet
from coop.services.rounds.states import require
from coop.services.times import local_time


def drop_supplier(
    *, round_id: int, supplier_id: int, by: User, link_for: LinkBuilder | None = None
) -> OrderSheet:
    """Take a supplier's items out of an open or closed round and tell who loses them (flushes).

    While open, closing will order none of them; once closed, their cases and
    the households' allocations of them become 0.
    """
    round_ = locked_round(round_id=round_id)
    sheet = order_sheet(round_=round_, supplier_id=supplier_id)
    if sheet is None:
        raise ServiceError("That supplier has no items in this round.")
    name = sheet.supplier.name
    require(SUPPLIERS_DROPPABLE, round_)
    if sheet.dropped:
        raise ServiceError(f"{possessive(name)} items are already dropped from this round.")
    rs = sheet.round_supplier
    if rs.order_sent_at is not None:
        raise ServiceError(
            f"{possessive(name)} order was sent on {local_time(rs.order_sent_at)}; "
            "it can no longer be dropped. Ask the supplier to cancel it instead."
        )
    item_ids = [line.item_id for line in sheet.items]
    losing = _households_losing(round_, item_ids)
    below_minimum = sheet.below_minimum
    rs.dropped_at = utcnow()
    rs.dropped_by_id = by.id
    if round_.state is RoundState.CLOSED and item_ids:
        db.session.execute(
            update(RoundItem)
            .where(RoundItem.id.in_(item_ids))
            .values(cases_ordered=0, surplus_units=0)
        )
        db.session.execute(
            update(Allocation)
            .where(Allocation.round_item_id.in_(item_ids))
            .values(
                closed_units=0,
                computed_units=0,
                manual_units=None,
                manual_reason="",
                manual_by_id=None,
                manual_at=None,
            )
        )
    db.session.flush()
    _tell_households_losing(round_, sheet, losing, by, below_minimum, link_for)
    return sheet


def _households_losing(round_: Round, item_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Return, per household, (item id, units) it would have had of *item_ids*."""
    losing: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if not item_ids:
        return losing
    if round_.state is RoundState.CLOSED:
        rows = db.session.scalars(
            select(Allocation).where(Allocation.round_item_id.in_(item_ids))
        ).all()
        for allocation in rows:
            if allocation.units:
                losing[allocation.membership_id].append(
                    (allocation.round_item_id, allocation.units)
                )
        return losing
    for item_id, queue in active_requests(round_.id, item_ids).items():
        asked: dict[int, int] = defaultdict(int)
        for request in queue:
            asked[request.household] += request.quantity
        for household, units in asked.items():
            if units:
                losing[household].append((item_id, units))
    return losing


def _tell_households_losing(
    round_: Round,
    sheet: OrderSheet,
    losing: dict[int, list[tuple[int, int]]],
    by: User,
    below_minimum: bool,
    link_for: LinkBuilder | None,
) -> None:
    if not losing:
        return
    coop = db.session.get_one(Coop, round_.coop_id)
    names = {line.item_id: line for line in sheet.items}
    link = link_for(round_) if link_for else ""
    messages = [
        render_message(
            "rounds/supplier_dropped.txt",
            to=person.email,
            user=person,
            by=by,
            round_=round_,
            coop=coop,
            supplier=sheet.supplier,
            below_minimum=below_minimum,
            min_order_pence=sheet.min_order_pence,
            lost=[
                _Lost(names[item_id], units)
                for item_id, units in sorted(
                    losing[person.membership_id], key=lambda pair: names[pair[0]].name
                )
            ],
            link=link,
        )
        for person in contacts_of(membership_ids=losing)
    ]
    send_emails(messages)


@dataclass(frozen=True)
class _Lost:
    """Units of an item a household will not receive, for its email."""

    item: SheetLine
    units: int
