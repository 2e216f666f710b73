"""Dropping a supplier from a round, when its minimum order is not met (or it cannot deliver).

While the round is open, closing then orders none of the supplier's items;
once closed, their cases and the households' shares of them become 0. The
households that lose items are told in one batch of email.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, update

from coop.domain.money import format_pence
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, Coop, Round, RoundItem, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import Email, local_time, send_emails
from coop.services.people.memberships import contacts_of
from coop.services.rounds.closing import active_requests
from coop.services.rounds.lifecycle import LinkBuilder, locked_round
from coop.services.rounds.order_sheets import OrderSheet, order_sheet

#: States in which a supplier's items may still be dropped.
DROPPABLE = (RoundState.OPEN, RoundState.CLOSED)


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
    if round_.state not in DROPPABLE:
        raise ServiceError(
            "A supplier's items can be dropped only while the round is open or closed; "
            f"this round is {round_.state.value}."
        )
    if sheet.dropped:
        raise ServiceError(f"{name}'s items are already dropped from this round.")
    rs = sheet.round_supplier
    if rs.order_sent_at is not None:
        raise ServiceError(
            f"{name}'s order was sent on {local_time(rs.order_sent_at)}; "
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
    why = (
        f" because the order did not reach its minimum of {format_pence(sheet.min_order_pence)}"
        if below_minimum
        else ""
    )
    link = link_for(round_) if link_for else ""
    messages = []
    for person in contacts_of(membership_ids=losing):
        household = person.membership_id
        lost = "\n".join(
            f"- {names[item_id].name}: {units} x {names[item_id].unit_label}"
            for item_id, units in sorted(losing[household], key=lambda pair: names[pair[0]].name)
        )
        body = (
            f"Hello {person.name},\n\n"
            f"{by.name} has dropped {sheet.supplier.name}'s items from the round "
            f"'{round_.title}' of {coop.name}{why}. Nothing will be ordered from "
            f"{sheet.supplier.name} this time, so you will not receive:\n{lost}\n\n"
            "You will not be charged for them."
        )
        if link:
            body += f"\n\nYour order: {link}"
        messages.append(
            Email(
                to=person.email,
                subject=f"{coop.name}: {sheet.supplier.name}'s items dropped from {round_.title}",
                body=body,
            )
        )
    send_emails(messages)
