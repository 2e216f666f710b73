"""Bank and cash reconciliation: the ledger's balance on a day beside the statement's.

Balances here are what the co-op holds (the statement's sign), minus the
ledger's own sign for cash and bank. A posting belongs to the day its money
moved (`money_day`): a fund entry's ``occurred_on``; the opening balances'
``as_of`` (and so does their reversal, so opening balances reversed and
entered again never count twice on any day); the day its transaction says
its money moved (``LedgerTransaction.occurred_on``: a household's payment or
refund, a supplier payment, a transfer, as the treasurer typed it); else the
day (in the display time zone) its transaction was written. So a hall hire
paid on the 3rd and typed in on the 10th is in the balance on the 3rd, as on
the bank statement, so is a household's bank transfer of the 3rd typed in
from the statement on the 10th, and a bank balance as at 1 January typed in
on 1 March is in the books from 1 January. A reversal is dated as it was
written (an opening balance's apart), whatever the day of what it reverses.

Saving a reconciliation whose difference is zero ticks every posting up to
its day that no earlier reconciliation ticked (`ReconciledPosting`; a
posting is never updated). One with a difference can be saved only with a
note saying why (a cheque not yet cleared, cash missing); it ticks nothing,
so the same postings are offered next time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from coop.domain.text import CONTROL_CHARACTERS
from coop.extensions import db
from coop.models import (
    AccountKind,
    Coop,
    FundEntry,
    HeldIn,
    LedgerTransaction,
    OpeningBalance,
    Posting,
    ReconciledPosting,
    Reconciliation,
    User,
)
from coop.models.books import RECONCILIATION_NOTE_MAX_LENGTH
from coop.services.errors import ServiceError
from coop.services.money.fund import local_today
from coop.services.money.ledger import single_account
from coop.services.times import display_zone


@dataclass(frozen=True)
class LedgerLine:
    """A posting on cash or the bank not yet ticked: what a statement should show."""

    posting_id: int
    transaction_id: int
    on: date
    memo: str
    held_change_pence: int  # plus: money in; minus: money out


@dataclass(frozen=True)
class Comparison:
    """The ledger on a day beside a statement balance, and the postings not yet ticked."""

    account: HeldIn
    as_of: date
    ledger_pence: int
    statement_pence: int | None
    unreconciled: list[LedgerLine]

    @property
    def difference_pence(self) -> int | None:
        """What the statement shows beyond the ledger; None before a balance is typed."""
        if self.statement_pence is None:
            return None
        return self.statement_pence - self.ledger_pence


def with_money_days(query: Select) -> Select:
    """Outer-join what dates a posting to *query*, which already joins `LedgerTransaction`.

    `moved_up_to` and `money_day` read the joined `FundEntry` and `OpeningBalance`
    and the transaction's own ``occurred_on``; an opening balance's reversal joins
    the opening balance it reverses.
    """
    return query.outerjoin(FundEntry, FundEntry.transaction_id == LedgerTransaction.id).outerjoin(
        OpeningBalance,
        OpeningBalance.transaction_id
        == func.coalesce(LedgerTransaction.reverses_id, LedgerTransaction.id),
    )


def money_day() -> ColumnElement[date | None]:
    """The day a posting's money moved where something says so; NULL: the day it was written.

    First a fund entry's day, then the opening balances' as-at date, then the
    transaction's own ``occurred_on``. The query must join what dates postings
    (`with_money_days`).
    """
    return func.coalesce(FundEntry.occurred_on, OpeningBalance.as_of, LedgerTransaction.occurred_on)


def moved_up_to(as_of: date) -> ColumnElement[bool]:
    """The condition that a posting's money moved on or before *as_of*.

    Its `money_day`, or with none the day (in the display time zone) its
    transaction was written. The query must join what dates postings
    (`with_money_days`). Reconciliation and the annual accounts date postings
    by this one rule.
    """
    end = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=display_zone())
    day = money_day()
    return or_(
        and_(day.is_not(None), day <= as_of),
        and_(day.is_(None), LedgerTransaction.created_at < end.astimezone(UTC)),
    )


def _account_id(coop: Coop, account: HeldIn) -> int:
    return single_account(coop_id=coop.id, kind=AccountKind(HeldIn(account).value)).id


def held_on(*, coop: Coop, account: HeldIn, as_of: date) -> int:
    """Return what the ledger says the co-op held in cash or the bank at the end of *as_of*."""
    total = db.session.scalar(
        with_money_days(
            select(func.coalesce(func.sum(Posting.amount_pence), 0)).join(
                LedgerTransaction, LedgerTransaction.id == Posting.transaction_id
            )
        ).where(Posting.account_id == _account_id(coop, account), moved_up_to(as_of))
    )
    return -int(total or 0)


def unreconciled_lines(*, coop: Coop, account: HeldIn, as_of: date) -> list[LedgerLine]:
    """Return the postings up to *as_of* that no reconciliation has ticked, oldest first."""
    zone = display_zone()
    rows = db.session.execute(
        with_money_days(
            select(
                Posting.id,
                Posting.transaction_id,
                Posting.amount_pence,
                LedgerTransaction.memo,
                LedgerTransaction.created_at,
                money_day(),
            ).join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        )
        .outerjoin(ReconciledPosting, ReconciledPosting.posting_id == Posting.id)
        .where(
            Posting.account_id == _account_id(coop, account),
            ReconciledPosting.id.is_(None),
            moved_up_to(as_of),
        )
    ).all()
    lines = [
        LedgerLine(
            posting_id=posting_id,
            transaction_id=transaction_id,
            on=occurred_on or created_at.astimezone(zone).date(),
            memo=memo,
            held_change_pence=-amount,
        )
        for posting_id, transaction_id, amount, memo, created_at, occurred_on in rows
    ]
    return sorted(lines, key=lambda line: (line.on, line.posting_id))


def compare(
    *, coop: Coop, account: HeldIn, as_of: date, statement_pence: int | None = None
) -> Comparison:
    """Return the ledger's balance on *as_of* beside *statement_pence*, and what is unticked."""
    account = HeldIn(account)
    return Comparison(
        account=account,
        as_of=as_of,
        ledger_pence=held_on(coop=coop, account=account, as_of=as_of),
        statement_pence=statement_pence,
        unreconciled=unreconciled_lines(coop=coop, account=account, as_of=as_of),
    )


def reconcile_account(
    *,
    coop: Coop,
    account: HeldIn,
    as_of: date | None,
    statement_pence: int | None,
    note: str,
    by: User,
) -> Reconciliation:
    """Record a statement balance beside the ledger's; with no difference, tick its postings."""
    account = HeldIn(account)
    if as_of is None:
        raise ServiceError("Enter the statement's date, like 2026-12-03.", field="as_of")
    if as_of > local_today():
        raise ServiceError(
            "That day is in the future: enter the date the statement or count is for.",
            field="as_of",
        )
    if statement_pence is None:
        raise ServiceError("Enter the balance, such as 120.50.", field="statement_balance")
    note = " ".join(note.split())
    if CONTROL_CHARACTERS.search(note):
        raise ServiceError("This can't contain control characters.", field="note")
    if len(note) > RECONCILIATION_NOTE_MAX_LENGTH:
        raise ServiceError(
            f"Use at most {RECONCILIATION_NOTE_MAX_LENGTH} characters.", field="note"
        )
    found = compare(coop=coop, account=account, as_of=as_of, statement_pence=statement_pence)
    if found.difference_pence and not note:
        raise ServiceError(
            "The balances differ: find the entries that explain it, or say why in a note "
            "to save the reconciliation with the difference.",
            field="note",
        )
    reconciliation = Reconciliation(
        coop_id=coop.id,
        account=account,
        as_of=as_of,
        statement_balance_pence=statement_pence,
        ledger_balance_pence=found.ledger_pence,
        note=note,
        created_by_id=by.id,
    )
    db.session.add(reconciliation)
    db.session.flush()
    if found.difference_pence == 0 and found.unreconciled:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(ReconciledPosting),
                    [
                        {"reconciliation_id": reconciliation.id, "posting_id": line.posting_id}
                        for line in found.unreconciled
                    ],
                )
        except IntegrityError:
            # Someone reconciled the same entries between our reading and our writing.
            raise ServiceError(
                "Someone else reconciled these entries just now: compare again."
            ) from None
    return reconciliation


@dataclass(frozen=True)
class PastReconciliation:
    """A saved reconciliation and how many postings it ticked."""

    reconciliation: Reconciliation
    ticked: int


def past_reconciliations(
    *, coop: Coop, account: HeldIn, limit: int = 50
) -> list[PastReconciliation]:
    """Return the account's reconciliations, newest first, with the postings each ticked."""
    ticked = (
        select(func.count(ReconciledPosting.id))
        .where(ReconciledPosting.reconciliation_id == Reconciliation.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Reconciliation, ticked)
        .where(Reconciliation.coop_id == coop.id, Reconciliation.account == HeldIn(account))
        .order_by(Reconciliation.as_of.desc(), Reconciliation.id.desc())
        .limit(limit)
    ).all()
    return [PastReconciliation(reconciliation, count) for reconciliation, count in rows]
