"""Credit control: where a household stands against the co-op's limit, and approvals.

The rule is `coop.domain.credit`; this module loads what it needs. The
ordering service (`coop.services.rounds.ordering.set_order`) asks
`check_order_credit` before it writes an order change that asks for more;
the ordering page shows `credit_standing`'s notice at its top, with how to
pay (`coop.services.money.paying_in.how_to_pay`). In a co-op that asks for
approval, a household past the limit may `ask_for_approval` in an open
round: the treasurers are emailed, see the request under Money, and
`approve_credit` lets that household order in that round whatever it owes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from coop.domain.credit import Standing
from coop.domain.roles import MembershipStatus, Role
from coop.domain.rounds import ORDERS_CHANGEABLE, RoundState
from coop.extensions import db
from coop.models import Coop, CreditApproval, Membership, Round, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.rounds.lifecycle import LinkBuilder


def _approval(membership_id: int, round_id: int) -> CreditApproval | None:
    return db.session.scalar(
        select(CreditApproval).where(
            CreditApproval.membership_id == membership_id, CreditApproval.round_id == round_id
        )
    )


def credit_standing(
    *, coop: Coop, membership: Membership, round_: Round, available_pence: int
) -> Standing:
    """Return where the household stands against the limit in *round_* (one query at most).

    *available_pence* is the household's available funds (`Funds.available_pence`).
    Without a limit nothing is read.
    """
    if coop.credit_limit_pence is None:
        return Standing(limit_pence=None, available_pence=available_pence)
    approval = _approval(membership.id, round_.id) if coop.credit_limit_needs_approval else None
    return Standing(
        limit_pence=coop.credit_limit_pence,
        available_pence=available_pence,
        needs_approval=coop.credit_limit_needs_approval,
        approved=approval is not None and approval.approved,
        requested=approval is not None,
    )


def check_order_credit(
    *,
    coop: Coop,
    membership: Membership,
    round_: Round,
    available_pence: int,
    more_pence: int,
    asks_more: bool,
) -> None:
    """Refuse an order change that would take the household past the co-op's credit limit.

    *more_pence* is what the change adds to the household's order at member
    prices; *asks_more* says it asks for more units or more extra units.
    """
    if not asks_more or coop.credit_limit_pence is None:
        return
    standing = credit_standing(
        coop=coop, membership=membership, round_=round_, available_pence=available_pence
    )
    if standing.refuses(more_pence=more_pence, asks_more=asks_more):
        raise ServiceError(standing.refusal(more_pence=more_pence), field="quantity")


def money_managers(*, coop: Coop) -> list[User]:
    """Return who takes payments: the co-op's treasurers, or its coordinators when it has none."""

    def with_role(role: Role) -> list[User]:
        return list(
            db.session.scalars(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.coop_id == coop.id,
                    Membership.status == MembershipStatus.ACTIVE,
                    Membership.role == role,
                    User.erased_at.is_(None),
                )
                .order_by(User.name, User.id)
            )
        )

    return with_role(Role.TREASURER) or with_role(Role.COORDINATOR)


def has_treasurer(coop: Coop) -> bool:
    """Tell whether the co-op has an active treasurer (else its coordinators take payments)."""
    return (
        db.session.scalar(
            select(Membership.id)
            .where(
                Membership.coop_id == coop.id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.role == Role.TREASURER,
            )
            .limit(1)
        )
        is not None
    )


# --- approvals ------------------------------------------------------------------------


def ask_for_approval(
    *,
    coop: Coop,
    membership: Membership,
    round_: Round,
    available_pence: int,
    review_link: str = "",
) -> CreditApproval:
    """Record that a household past the limit asks to order in *round_*; email the treasurers."""
    if not coop.credit_limit_needs_approval or coop.credit_limit_pence is None:
        raise ServiceError("The co-op does not approve orders past its credit limit.")
    refusal = ORDERS_CHANGEABLE.refusal_for(round_.state)
    if refusal:
        raise ServiceError(refusal)
    if membership.coop_id != coop.id or round_.coop_id != coop.id:
        raise ServiceError("That household or round is not in this co-op.")
    existing = _approval(membership.id, round_.id)
    if existing is not None:
        raise ServiceError(
            "The treasurer has approved your order in this round."
            if existing.approved
            else "You have already asked; the treasurer has been told."
        )
    standing = credit_standing(
        coop=coop, membership=membership, round_=round_, available_pence=available_pence
    )
    approval = CreditApproval(membership_id=membership.id, round_id=round_.id)
    db.session.add(approval)
    db.session.flush()
    for treasurer in money_managers(coop=coop):
        send_message(
            "money/credit_approval_asked.txt",
            to=treasurer.email,
            treasurer=treasurer,
            coop=coop,
            round_=round_,
            household=membership.user.name,
            owed_pence=standing.owed_pence,
            limit_pence=coop.credit_limit_pence,
            link=review_link,
        )
    return approval


@dataclass(frozen=True)
class PendingApproval:
    """A household waiting for the treasurer to approve its order in a round."""

    id: int
    household: str
    membership_id: int
    round_id: int
    round_title: str
    closes_at: datetime
    requested_at: datetime


def pending_approvals(*, coop: Coop) -> list[PendingApproval]:
    """Return requests waiting in the co-op's open rounds, the nearest deadline first."""
    rows = db.session.execute(
        select(CreditApproval, User.name, Round.title, Round.closes_at)
        .join(Membership, Membership.id == CreditApproval.membership_id)
        .join(User, User.id == Membership.user_id)
        .join(Round, Round.id == CreditApproval.round_id)
        .where(
            Round.coop_id == coop.id,
            Round.state == RoundState.OPEN,
            CreditApproval.approved_at.is_(None),
        )
        .order_by(Round.closes_at, User.name, CreditApproval.id)
    ).all()
    return [
        PendingApproval(
            id=approval.id,
            household=name,
            membership_id=approval.membership_id,
            round_id=approval.round_id,
            round_title=title,
            closes_at=closes_at,
            requested_at=approval.requested_at,
        )
        for approval, name, title, closes_at in rows
    ]


def credit_request_for(*, coop: Coop, approval_id: int) -> CreditApproval | None:
    """Return the request *approval_id* in one of the co-op's rounds, or None (reads only)."""
    return db.session.scalar(
        select(CreditApproval)
        .join(Round, Round.id == CreditApproval.round_id)
        .where(CreditApproval.id == approval_id, Round.coop_id == coop.id)
        .options(contains_eager(CreditApproval.round))
    )


def approve_credit(
    *, coop: Coop, approval_id: int, by: User, link_for: LinkBuilder | None = None
) -> CreditApproval:
    """Approve a household's order in a round past the credit limit, and tell it (flushes)."""
    approval = credit_request_for(coop=coop, approval_id=approval_id)
    if approval is None:
        raise ServiceError("There is no such request to approve.")
    if approval.approved:
        raise ServiceError(f"{approval.membership.user.name}'s order is already approved.")
    refusal = ORDERS_CHANGEABLE.refusal_for(approval.round.state)
    if refusal:
        raise ServiceError(f"{approval.round.title}: orders can no longer change.")
    approval.approved_at = utcnow()
    approval.approved_by_id = by.id
    db.session.flush()
    person = approval.membership.user
    if person.erased_at is None:
        send_message(
            "money/credit_approved.txt",
            to=person.email,
            user=person,
            coop=coop,
            round_=approval.round,
            link=link_for(approval.round) if link_for else "",
        )
    return approval


# --- the setting ------------------------------------------------------------------------


def set_credit_control(*, coop: Coop, limit_pence: int | None, needs_approval: bool) -> Coop:
    """Set the most a household may owe and still order, and what happens past it (flushes).

    None is no limit; 0 asks households to pay before they order.
    """
    if limit_pence is not None and limit_pence < 0:
        raise ServiceError("The limit cannot be negative.", field="credit_limit_pence")
    coop.credit_limit_pence = limit_pence
    coop.credit_limit_needs_approval = needs_approval
    db.session.flush()
    return coop
