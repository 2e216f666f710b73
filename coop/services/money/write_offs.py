"""Writing off a household's debt that it will never pay: the co-op fund bears it.

A treasurer writes off all or part of what a household (a member, or one
that has left) owes, with a reason. It is one transaction of kind
``write_off``: the household's account is credited (plus, by the ledger's
signs) and the co-op fund debited (minus), so the household's balance moves
towards zero and the fund's result carries the loss. The memo is
"Written off: <reason>", which is what the household's statement shows; the
annual accounts find write-offs by their kind, so there is no table of their
own. The household is sent a short email saying so.

Refused, writing nothing: a household that owes nothing, an amount of 0 or
more than it owes, a missing reason, and an amount above the co-op's large
amount not typed twice. A later payment from the household is still taken
as any payment is (and may put it in credit). Two write-offs at once are
serialised on the co-op's row, so together they never exceed the debt.
"""

from __future__ import annotations

from sqlalchemy import select

from coop.domain.money import format_pence
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import AccountKind, Coop, LedgerTransaction, Membership, TransactionKind, User
from coop.services.errors import ServiceError
from coop.services.links import links
from coop.services.mail import send_message
from coop.services.money.confirming import check_confirmed
from coop.services.money.ledger import (
    Entry,
    household_accounts,
    household_balance_pence,
    post_transaction,
    single_account,
)
from coop.services.people.memberships import lock_coop

REASON_MAX_LENGTH = 150

#: Households whose debts can be written off: members and those who have left.
WITH_ACCOUNTS = (MembershipStatus.ACTIVE, MembershipStatus.LEFT)


def household_to_write_off(*, coop: Coop, membership_id: int) -> Membership | None:
    """Return the co-op's member or former member *membership_id*, or None (reads only)."""
    return db.session.scalar(
        select(Membership).where(
            Membership.id == membership_id,
            Membership.coop_id == coop.id,
            Membership.status.in_(WITH_ACCOUNTS),
        )
    )


def owed_by(*, membership: Membership) -> int:
    """Return what the household owes the co-op, in pence (0 when it owes nothing)."""
    return max(-household_balance_pence(membership=membership), 0)


def write_off(
    *,
    coop: Coop,
    membership: Membership,
    amount_pence: int | None,
    reason: str,
    confirmed_pence: int | None,
    by: User,
) -> LedgerTransaction:
    """Write off *amount_pence* of what the household owes, the fund bearing it (flushes)."""
    if membership.coop_id != coop.id or membership.status not in WITH_ACCOUNTS:
        raise ServiceError(f"Choose one of {coop.name}'s households.")
    lock_coop(coop)
    name = membership.user.name
    owed = owed_by(membership=membership)
    if owed == 0:
        raise ServiceError(
            f"{name} owes nothing, so there is nothing to write off.", field="amount"
        )
    if amount_pence is None or amount_pence <= 0:
        raise ServiceError("Enter an amount of more than £0.00.", field="amount")
    if amount_pence > owed:
        raise ServiceError(
            f"{name} owes {format_pence(owed)}: write off at most that.", field="amount"
        )
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the debt is written off.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(f"Use at most {REASON_MAX_LENGTH} characters.", field="reason")
    check_confirmed(
        coop=coop,
        amount_pence=amount_pence,
        confirmed={"confirm-amount": confirmed_pence},
        field="amount",
    )
    account = household_accounts(coop_id=coop.id, membership_ids=[membership.id])[membership.id]
    fund = single_account(coop_id=coop.id, kind=AccountKind.FUND).id
    transaction = post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.WRITE_OFF,
        memo=f"Written off: {reason}",
        entries=[
            Entry(account, amount_pence, "written off"),
            Entry(fund, -amount_pence, "write-off"),
        ],
        by=by,
    )
    _tell(coop, membership, amount_pence, owed - amount_pence, reason)
    return transaction


def _tell(
    coop: Coop, membership: Membership, amount_pence: int, still_pence: int, reason: str
) -> None:
    if membership.user.erased_at is not None:
        return  # a former household that was erased has no one to tell
    send_message(
        "money/written_off.txt",
        to=membership.user.email,
        user=membership.user,
        coop=coop,
        amount_pence=amount_pence,
        still_pence=still_pence,
        reason=reason,
        link=links().statement(coop),
    )
