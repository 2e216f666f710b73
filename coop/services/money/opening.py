"""Opening balances: what a co-op's households, cash and bank held when it started on coop.

Entered once, by a treasurer, as at a date that is not in the future: every
household of the co-op (members and those who have left) with what it owed
or had in credit, the cash in hand and the bank balance (an overdrawn bank
is negative). They are posted as one balanced transaction of kind
``opening_balance``, following the ledger's signs (`coop.models.ledger`):

- a household's posting is its balance (plus: in credit, minus: it owes);
- cash and bank are what the co-op holds, so holding £80 is -£80 there;
- the other side is the co-op's one opening-balance account, which takes
  the difference.

So the opening-balance account's balance is what the co-op was worth when
it started on coop: the cash and bank it held and what households owed it,
less the credit it held for households. It is the reserves brought forward,
the "balance brought forward" of a receipts and payments account, and it
never moves again except when the opening balance is reversed.

Once per co-op: an `OpeningBalance` row is in force under a unique key, so a
second entry is refused; two submitted at once wait on the co-op's row,
and the unique key stops any that got past the check. A mistaken opening
balance is corrected by reversing its transaction (from the ledger, linked
from the opening-balances page); that clears the row's hold and a corrected
one may then be entered. Amounts above the co-op's ``large_amount_pence``
must be typed a second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import (
    AccountKind,
    Coop,
    LedgerTransaction,
    Membership,
    OpeningBalance,
    TransactionKind,
    User,
)
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.money.confirming import check_confirmed
from coop.services.money.ledger import Entry, household_accounts, post_transaction, single_account
from coop.services.people.memberships import lock_coop

#: Households whose balances are entered: members and those who have left (never pending ones).
WITH_BALANCES = (MembershipStatus.ACTIVE, MembershipStatus.LEFT)

CASH = "cash"
BANK = "bank"
AS_OF = "as_of"


def household_field(membership_id: int) -> str:
    """The form field (and refusal field) of a household's opening balance."""
    return f"household-{membership_id}"


@dataclass(frozen=True)
class OpeningHousehold:
    """A household whose opening balance may be entered."""

    membership_id: int
    name: str
    left: bool

    @property
    def field(self) -> str:
        return household_field(self.membership_id)

    @property
    def label(self) -> str:
        return f"{self.name} (left)" if self.left else self.name


def opening_households(*, coop: Coop) -> list[OpeningHousehold]:
    """Return the co-op's members and former members by name (reads only)."""
    rows = db.session.execute(
        select(Membership.id, User.name, Membership.status)
        .join(User, User.id == Membership.user_id)
        .where(Membership.coop_id == coop.id, Membership.status.in_(WITH_BALANCES))
        .order_by(User.name, Membership.id)
    ).all()
    return [
        OpeningHousehold(membership_id, name, status is MembershipStatus.LEFT)
        for membership_id, name, status in rows
    ]


def opening_balance_of(*, coop: Coop) -> OpeningBalance | None:
    """Return the co-op's opening balance in force, if one was entered (reads only)."""
    return db.session.scalar(
        select(OpeningBalance).where(OpeningBalance.in_force_coop_id == coop.id)
    )


def opening_memo(as_of: date) -> str:
    """What the opening balance is called on statements and in the ledger."""
    return f"Opening balance as at {as_of:%-d %B %Y}"


def already_entered(found: OpeningBalance) -> ServiceError:
    """The refusal of a second opening balance, at the as-at date field."""
    return ServiceError(
        f"The opening balances were entered already, as at {found.as_of:%-d %B %Y}. "
        "To correct them, reverse them first, then enter them again.",
        field=AS_OF,
    )


def _refuse_if_entered(coop: Coop) -> None:
    found = opening_balance_of(coop=coop)
    if found is not None:
        raise already_entered(found)


def enter_opening_balances(
    *,
    coop: Coop,
    as_of: date | None,
    households: Mapping[int, int | None],
    cash_pence: int | None,
    bank_pence: int | None,
    confirmed: Mapping[str, int | None],
    by: User,
    today: date,
) -> OpeningBalance:
    """Post the co-op's opening balances as one transaction, once (flushes).

    *households* maps membership id to its balance in pence (plus: in
    credit, minus: it owes; None or 0: nothing); *cash_pence* is the cash in
    hand (not below 0) and *bank_pence* the bank balance (negative when
    overdrawn). *confirmed* holds, by field name, what was typed a second
    time for each amount above the co-op's large amount.
    """
    lock_coop(coop)  # two at once: the second waits, then finds the first
    _refuse_if_entered(coop)
    if as_of is None:
        raise ServiceError("Enter the date the balances were at, such as 1/4/2026.", field=AS_OF)
    if as_of > today:
        raise ServiceError("The date cannot be in the future.", field=AS_OF)
    known = {household.membership_id: household for household in opening_households(coop=coop)}
    amounts: dict[int, int] = {}
    for membership_id, amount in households.items():
        if membership_id not in known:
            raise ServiceError(f"That household is not one of {coop.name}'s households.")
        if amount:
            amounts[membership_id] = amount
    cash, bank = cash_pence or 0, bank_pence or 0
    if cash < 0:
        raise ServiceError("Cash in hand cannot be below £0.00.", field=CASH)
    for field, amount in [
        *((household_field(membership_id), amount) for membership_id, amount in amounts.items()),
        (CASH, cash),
        (BANK, bank),
    ]:
        check_confirmed(coop=coop, amount_pence=amount, confirmed=confirmed, field=field)
    if not amounts and not cash and not bank:
        raise ServiceError(
            "Enter at least one balance: every amount is £0.00, so there is nothing to open with."
        )
    accounts = household_accounts(coop_id=coop.id, membership_ids=amounts)
    entries = [
        Entry(accounts[membership_id], amount, "opening balance")
        for membership_id, amount in sorted(amounts.items())
    ]
    entries.append(Entry(single_account(coop_id=coop.id, kind=AccountKind.CASH).id, -cash, "cash"))
    entries.append(Entry(single_account(coop_id=coop.id, kind=AccountKind.BANK).id, -bank, "bank"))
    brought = single_account(coop_id=coop.id, kind=AccountKind.OPENING_BALANCE).id
    entries.append(Entry(brought, -sum(entry.amount_pence for entry in entries), "brought forward"))
    try:
        with db.session.begin_nested():
            transaction = post_transaction(
                coop_id=coop.id,
                kind=TransactionKind.OPENING_BALANCE,
                memo=opening_memo(as_of),
                entries=entries,
                by=by,
            )
            opening = OpeningBalance(
                coop_id=coop.id,
                in_force_coop_id=coop.id,
                as_of=as_of,
                transaction_id=transaction.id,
                created_by_id=by.id,
            )
            db.session.add(opening)
            db.session.flush()
    except IntegrityError:
        # Another treasurer's entry got there between our check and our write.
        raise ServiceError(
            "The opening balances were entered already, a moment ago. "
            "To correct them, reverse them first, then enter them again.",
            field=AS_OF,
        ) from None
    return opening


def refuse_reinstating(*, transaction: LedgerTransaction) -> None:
    """Refuse to reverse the reversal of an opening balance: enter the balances again instead.

    Reversing it would put the old opening balance back beside any newer one.
    """
    if transaction.kind is not TransactionKind.REVERSAL or transaction.reverses_id is None:
        return
    original = db.session.get(LedgerTransaction, transaction.reverses_id)
    if original is not None and original.kind is TransactionKind.OPENING_BALANCE:
        raise ServiceError(
            "This undid an opening balance: rather than reverse it, enter the opening "
            "balances again."
        )


def release_reversed(*, transaction: LedgerTransaction) -> None:
    """Take an opening balance whose transaction was just reversed out of force (flushes).

    `coop.services.money.treasury.reverse_entry` calls it for every reversal
    of an opening balance, so a corrected one may be entered.
    """
    opening = db.session.scalar(
        select(OpeningBalance).where(OpeningBalance.transaction_id == transaction.id)
    )
    if opening is not None and opening.in_force_coop_id is not None:
        opening.in_force_coop_id = None
        opening.reversed_at = utcnow()
        db.session.flush()
