"""Allocations after closing: every household's share of every item, and changes by hand.

A coordinator may set a household's units of an item, saying why; the
household is told. A share set by hand wins over the computed one until it
is cleared, or until receiving shares the item out again. The item's
surplus (the co-op's stock) takes up the difference, so a share is never
larger than the units nobody else holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from coop.domain.rounds import SHARES_CHANGEABLE, effective_units
from coop.extensions import db
from coop.models import Allocation, Coop, Membership, Round, RoundItem, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.rounds.lifecycle import LinkBuilder, locked_round
from coop.services.rounds.receiving import plural

REASON_MAX_LENGTH = 200


# --- the allocations page ---------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One household's share of an item, as the allocations page shows it."""

    allocation_id: int
    membership_id: int
    household: str
    quantity: int
    tolerance: int
    computed_units: int
    manual_units: int | None
    manual_reason: str
    manual_by: str
    manual_at: datetime | None

    @property
    def units(self) -> int:
        """The units the household receives."""
        return effective_units(manual=self.manual_units, computed=self.computed_units)


@dataclass(frozen=True)
class ItemShares:
    """An item of a closed round and how its units are shared."""

    item: RoundItem
    shares: list[Share]

    @property
    def given(self) -> int:
        """Units given to households."""
        return sum(share.units for share in self.shares)


def round_allocations(*, round_id: int) -> list[ItemShares]:
    """Return each item of the round with every household's share, by item and household name."""
    items = db.session.scalars(
        select(RoundItem)
        .where(RoundItem.round_id == round_id)
        .order_by(RoundItem.name, RoundItem.id)
    ).all()
    manual_by = aliased(User)
    rows = db.session.execute(
        select(Allocation, User.name, manual_by.name)
        .join(Membership, Membership.id == Allocation.membership_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(manual_by, manual_by.id == Allocation.manual_by_id)
        .where(Allocation.round_id == round_id)
    ).all()
    by_item: dict[int, list[Share]] = defaultdict(list)
    for allocation, household, changed_by in rows:
        by_item[allocation.round_item_id].append(
            Share(
                allocation_id=allocation.id,
                membership_id=allocation.membership_id,
                household=household,
                quantity=allocation.quantity,
                tolerance=allocation.tolerance,
                computed_units=allocation.computed_units,
                manual_units=allocation.manual_units,
                manual_reason=allocation.manual_reason,
                manual_by=changed_by or "",
                manual_at=allocation.manual_at,
            )
        )
    return [
        ItemShares(
            item=item,
            shares=sorted(
                by_item[item.id],
                key=lambda share: (share.household.casefold(), share.membership_id),
            ),
        )
        for item in items
        if by_item[item.id] or item.cases_ordered
    ]


def allocation_in(*, round_id: int, allocation_id: int) -> Allocation | None:
    """Return the round's allocation *allocation_id* with its item and household, or None."""
    return db.session.scalar(
        select(Allocation)
        .where(Allocation.id == allocation_id, Allocation.round_id == round_id)
        .options(
            joinedload(Allocation.item),
            joinedload(Allocation.membership).joinedload(Membership.user),
            joinedload(Allocation.manual_by),
        )
        # Read again once the round is locked, whatever the session held before.
        .execution_options(populate_existing=True)
    )


# --- changing a share by hand -----------------------------------------------------


def why_fixed(round_: Round) -> str:
    """Return why the round's shares cannot be changed by hand now, or "" when they can."""
    return SHARES_CHANGEABLE.refusal_for(round_.state)


def _adjustable(round_id: int, allocation_id: int) -> tuple[Round, Allocation, int]:
    """Lock the round; return it, the allocation and the units the others of its item hold."""
    round_ = locked_round(round_id=round_id)
    refusal = why_fixed(round_)
    if refusal:
        raise ServiceError(refusal)
    allocation = allocation_in(round_id=round_.id, allocation_id=allocation_id)
    if allocation is None:
        raise ServiceError("That share is not in this round.")
    others = db.session.execute(
        select(func.coalesce(func.sum(Allocation.units), 0)).where(
            Allocation.round_item_id == allocation.round_item_id, Allocation.id != allocation.id
        )
    ).scalar_one()
    return round_, allocation, int(others)


def _check_room(allocation: Allocation, others: int, units: int, hint: str = "") -> int:
    available = allocation.item.units_available or 0
    left = max(available - others, 0)
    if units > left:
        raise ServiceError(
            f"Only {plural(left, 'unit')} {'is' if left == 1 else 'are'} left to give." + hint,
            field="units",
        )
    return available - others - units


def set_allocation(
    *,
    round_id: int,
    allocation_id: int,
    units: int,
    reason: str,
    by: User,
    link_for: LinkBuilder | None = None,
) -> Allocation:
    """Give a household *units* of an item by hand, saying why, and tell it (flushes).

    The item's surplus (the co-op's stock) takes up the difference; a share
    larger than the units nobody else holds is refused.
    """
    reason = reason.strip()
    if units < 0:
        raise ServiceError("Enter 0 or more.", field="units")
    if not reason:
        raise ServiceError("Say why; the household will read it.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(f"Use at most {REASON_MAX_LENGTH} characters.", field="reason")
    round_, allocation, others = _adjustable(round_id, allocation_id)
    surplus = _check_room(allocation, others, units)
    before = allocation.units
    allocation.manual_units = units
    allocation.manual_reason = reason
    allocation.manual_by_id = by.id
    allocation.manual_at = utcnow()
    allocation.item.surplus_units = surplus
    db.session.flush()
    if units != before:
        _tell_of_change(round_, allocation, before, by, reason, link_for)
    return allocation


def clear_allocation(
    *,
    round_id: int,
    allocation_id: int,
    by: User,
    link_for: LinkBuilder | None = None,
) -> Allocation:
    """Return a household's share of an item to the one the round's policy gave (flushes)."""
    round_, allocation, others = _adjustable(round_id, allocation_id)
    if allocation.manual_units is None:
        raise ServiceError("This share was not changed by hand.")
    surplus = _check_room(
        allocation,
        others,
        allocation.computed_units,
        " Lower another household's share first.",
    )
    before = allocation.units
    allocation.manual_units = None
    allocation.manual_reason = ""
    allocation.manual_by_id = None
    allocation.manual_at = None
    allocation.item.surplus_units = surplus
    db.session.flush()
    if allocation.units != before:
        _tell_of_change(round_, allocation, before, by, "", link_for)
    return allocation


def _tell_of_change(
    round_: Round,
    allocation: Allocation,
    before: int,
    by: User,
    reason: str,
    link_for: LinkBuilder | None,
) -> None:
    """Tell the household its share changed: *reason* is the hand change's, "" when cleared."""
    person = allocation.membership.user
    send_message(
        "rounds/share_changed.txt",
        to=person.email,
        user=person,
        by=by,
        round_=round_,
        coop=db.session.get_one(Coop, round_.coop_id),
        item=allocation.item,
        before=before,
        units=allocation.units,
        reason=reason,
        link=link_for(round_) if link_for else "",
    )
