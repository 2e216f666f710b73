"""The ledger's only write path, and its balances.

`post_transaction` refuses a transaction whose postings do not sum to zero,
so no unbalanced transaction can be written; nothing updates or deletes a
posting. Corrections are `reverse_transaction`, which posts the mirror image
and can happen once per transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select

from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    Coop,
    LedgerTransaction,
    Membership,
    Posting,
    Supplier,
    TransactionKind,
    User,
)
from coop.models.types import utcnow
from coop.services.errors import ServiceError

#: Accounts a co-op has once, not one per household or supplier.
SINGLE_ACCOUNTS = (
    AccountKind.FUND,
    AccountKind.CARD,
    AccountKind.CASH,
    AccountKind.BANK,
    AccountKind.COUNCIL_SUPPORT,
    AccountKind.OPENING_BALANCE,
)


@dataclass(frozen=True)
class Entry:
    """One side of a transaction to post: an account and pence (positive or negative)."""

    account_id: int
    amount_pence: int
    memo: str = ""
    support_record_id: int | None = None  # the support record a council-support posting uses


def single_account(*, coop_id: int, kind: AccountKind) -> Account:
    """Return the co-op's fund, cash, bank, card or council-support account, creating it."""
    if kind not in SINGLE_ACCOUNTS:
        raise ValueError(f"{kind} accounts belong to a household or a supplier")
    account = db.session.scalar(
        select(Account).where(Account.coop_id == coop_id, Account.kind == kind)
    )
    if account is None:
        account = Account(coop_id=coop_id, kind=kind)
        db.session.add(account)
        db.session.flush()
    return account


def household_accounts(*, coop_id: int, membership_ids: Iterable[int]) -> dict[int, int]:
    """Return account ids by membership id, creating the missing accounts in one statement."""
    return _accounts(coop_id, AccountKind.HOUSEHOLD, Account.membership_id, set(membership_ids))


def supplier_accounts(*, coop_id: int, supplier_ids: Iterable[int]) -> dict[int, int]:
    """Return account ids by supplier id, creating the missing accounts in one statement."""
    return _accounts(coop_id, AccountKind.SUPPLIER, Account.supplier_id, set(supplier_ids))


def _accounts(coop_id: int, kind: AccountKind, owner, wanted: set[int]) -> dict[int, int]:
    if not wanted:
        return {}

    def existing() -> dict[int, int]:
        rows = db.session.execute(
            select(owner, Account.id).where(
                Account.coop_id == coop_id, Account.kind == kind, owner.in_(wanted)
            )
        )
        return dict(rows.all())

    found = existing()
    missing = wanted - set(found)
    if missing:
        now = utcnow()
        db.session.execute(
            insert(Account),
            [
                {"coop_id": coop_id, "kind": kind, owner.key: key, "created_at": now}
                for key in sorted(missing)
            ],
        )
        found = existing()
    return found


def post_transaction(
    *,
    coop_id: int,
    kind: TransactionKind,
    memo: str,
    entries: Sequence[Entry],
    by: User | None,
    round_id: int | None = None,
    reverses_id: int | None = None,
    may_be_empty: bool = False,
    occurred_on: date | None = None,
) -> LedgerTransaction:
    """Write a balanced transaction and its postings (flushes); refuse an unbalanced one.

    Entries of 0p are left out; a transaction needs at least two postings,
    unless *may_be_empty*: a round of nothing but free surplus food settles
    with a transaction of no postings, so its bills have one to belong to.
    *occurred_on* is the day its money moved, checked by the caller; None: the
    day it is written.
    """
    memo = memo.strip()
    if not memo:
        raise ServiceError("Say what the money is for.", field="memo")
    postings = [entry for entry in entries if entry.amount_pence != 0]
    total = sum(entry.amount_pence for entry in postings)
    if total != 0:
        raise ServiceError(
            f"The transaction does not balance: its postings sum to {total}p, not 0."
        )
    if len(postings) < 2 and not (may_be_empty and not postings):
        raise ServiceError("There is nothing to post: every amount is zero.")
    transaction = LedgerTransaction(
        coop_id=coop_id,
        kind=kind,
        memo=memo,
        round_id=round_id,
        reverses_id=reverses_id,
        occurred_on=occurred_on,
        created_by_id=by.id if by is not None else None,
    )
    db.session.add(transaction)
    db.session.flush()
    if not postings:
        return transaction
    db.session.execute(
        insert(Posting),
        [
            {
                "transaction_id": transaction.id,
                "account_id": entry.account_id,
                "amount_pence": entry.amount_pence,
                "memo": entry.memo,
                "support_record_id": entry.support_record_id,
            }
            for entry in postings
        ],
    )
    db.session.flush()
    return transaction


def transaction_for(*, coop: Coop, transaction_id: int) -> LedgerTransaction | None:
    """Return the co-op's transaction *transaction_id*, or None."""
    return db.session.scalar(
        select(LedgerTransaction).where(
            LedgerTransaction.id == transaction_id, LedgerTransaction.coop_id == coop.id
        )
    )


def _reversal_of(transaction_id: int) -> int | None:
    return db.session.scalar(
        select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == transaction_id)
    )


def _post_reversal(
    transaction: LedgerTransaction, reason: str, by: User | None
) -> LedgerTransaction:
    return post_transaction(
        coop_id=transaction.coop_id,
        kind=TransactionKind.REVERSAL,
        memo=f"Reversal of {transaction.id}: {reason}",
        entries=[
            Entry(posting.account_id, -posting.amount_pence, posting.memo)
            for posting in transaction.postings
        ],
        by=by,
        round_id=transaction.round_id,
        reverses_id=transaction.id,
    )


def reverse_transaction(
    *, transaction: LedgerTransaction, reason: str, by: User
) -> LedgerTransaction:
    """Post the mirror image of *transaction*, once (flushes)."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the transaction is reversed.", field="reason")
    already = _reversal_of(transaction.id)
    if already is not None:
        raise ServiceError(
            f"Transaction {transaction.id} has already been reversed (by {already})."
        )
    return _post_reversal(transaction, reason, by)


def reversed_once(*, transaction: LedgerTransaction, reason: str, by: User | None = None) -> int:
    """Return the id of *transaction*'s reversal, posting it unless one stands (flushes).

    For what the app reverses on its own (a dispute won, a payout failed, a card
    refund that failed): a treasurer may have reversed the transaction by hand
    from the ledger already, and that reversal counts.
    """
    already = _reversal_of(transaction.id)
    if already is not None:
        return already
    return _post_reversal(transaction, reason, by).id


def balance_pence(*, account_id: int) -> int:
    """Return an account's balance: the sum of its postings."""
    return db.session.execute(
        select(func.coalesce(func.sum(Posting.amount_pence), 0)).where(
            Posting.account_id == account_id
        )
    ).scalar_one()


def household_balance_pence(*, membership: Membership) -> int:
    """Return what the co-op owes a household (negative: what the household owes)."""
    return db.session.execute(
        select(func.coalesce(func.sum(Posting.amount_pence), 0))
        .join(Account, Account.id == Posting.account_id)
        .where(
            Account.kind == AccountKind.HOUSEHOLD,
            Account.membership_id == membership.id,
            Account.coop_id == membership.coop_id,
        )
    ).scalar_one()


@dataclass(frozen=True)
class Balance:
    """An account and its balance, for the treasurer's pages."""

    account_id: int
    kind: AccountKind
    name: str
    balance_pence: int
    membership_id: int | None = None
    supplier_id: int | None = None


def balances(*, coop: Coop) -> list[Balance]:
    """Return every account of the co-op with its balance, in two queries."""
    totals = dict(
        db.session.execute(
            select(Posting.account_id, func.sum(Posting.amount_pence))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.coop_id == coop.id)
            .group_by(Posting.account_id)
        ).all()
    )
    rows = db.session.execute(
        select(Account, User.name, Supplier.name)
        .outerjoin(Membership, Membership.id == Account.membership_id)
        .outerjoin(User, User.id == Membership.user_id)
        .outerjoin(Supplier, Supplier.id == Account.supplier_id)
        .where(Account.coop_id == coop.id)
        .order_by(Account.kind, User.name, Supplier.name, Account.id)
    ).all()
    return [
        Balance(
            account_id=account.id,
            kind=account.kind,
            name=person or supplier or account.kind.label,
            balance_pence=totals.get(account.id, 0),
            membership_id=account.membership_id,
            supplier_id=account.supplier_id,
        )
        for account, person, supplier in rows
    ]
