"""The co-op fund's own income and spending: entries, their totals, and confirmations.

An entry is one balanced ledger transaction and a `FundEntry` beside it.
Signs follow `coop.models.ledger` and `coop.services.money.treasury`: the
fund's account is the co-op's own money (plus is more of it), cash and bank
are what the co-op holds with the sign reversed (a payment received is minus
there). So spending £20 on hall hire from the bank posts fund -2000, bank
+2000 (kind ``fund_expense``); a £50 donation into cash posts fund +5000,
cash -5000 (kind ``fund_income``).

A mistake is corrected by reversing the transaction on its ledger page
(`reverse_entry`); the entry stays, marked reversed, and `not_reversed()`
leaves it out of every total (this list's, and the annual accounts').

Two things need a second look rather than a refusal: an amount above the
co-op's ``large_amount_pence`` must be typed again (code ``large_amount``),
and spending more than cash or the bank holds asks to be confirmed (code
``below_zero``). A receipt is a PDF, PNG, JPEG or WebP by its first bytes,
at most ``RECEIPT_MAX_BYTES``; it is kept in the database
(`coop.services.money.receipts`). Categories are in
`coop.services.money.fund_categories`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import aliased

from coop.domain.money import format_pence
from coop.domain.text import CONTROL_CHARACTERS
from coop.extensions import db
from coop.models import (
    AccountKind,
    Coop,
    FundCategory,
    FundDirection,
    FundEntry,
    HeldIn,
    LedgerTransaction,
    Receipt,
    TransactionKind,
    User,
)
from coop.models.books import REFERENCE_MAX_LENGTH
from coop.services.errors import ServiceError
from coop.services.money.confirming import BELOW_ZERO as BELOW_ZERO  # its refusal code
from coop.services.money.confirming import check_stays_above_zero, needs_confirming
from coop.services.money.ledger import Entry, post_transaction, single_account
from coop.services.money.opening import opening_balance_of
from coop.services.money.receipts import Upload, checked_upload, keep_receipt
from coop.services.times import display_zone

#: Refusal codes of entries that are not wrong but need confirming.
LARGE_AMOUNT = "large_amount"


def local_today() -> date:
    """Return today's date where the co-op is (the display time zone)."""
    return datetime.now(display_zone()).date()


# --- entries -------------------------------------------------------------------------------


def confirm_large_amount(*, coop: Coop, amount_pence: int, repeated_pence: int | None) -> None:
    """Refuse an amount above the co-op's large-amount threshold unless it was typed again.

    The threshold is `needs_confirming`'s, as for opening balances and write-offs; a fund
    entry's form repeats the amount in one field of its own, so its wording is its own.
    """
    if needs_confirming(coop=coop, amount_pence=amount_pence) and repeated_pence != amount_pence:
        message = (
            f"{format_pence(amount_pence)} is more than {format_pence(coop.large_amount_pence)}: "
            "type the amount again to confirm it."
            if repeated_pence is None
            else f"The two amounts differ: type {format_pence(amount_pence)} again, "
            "or correct the amount above."
        )
        raise ServiceError(message, field="repeat_amount", code=LARGE_AMOUNT)


def _checked_category(
    coop: Coop, category_id: int | None, direction: FundDirection
) -> FundCategory:
    category = None
    if category_id is not None:
        category = db.session.scalar(
            select(FundCategory).where(
                FundCategory.id == category_id,
                FundCategory.coop_id == coop.id,
                FundCategory.direction == direction,
                FundCategory.archived.is_(False),
            )
        )
    if category is None:
        noun = "income" if direction is FundDirection.INCOME else "spending"
        raise ServiceError(f"Choose what kind of {noun} this is.", field="category")
    return category


def _checked_reference(reference: str) -> str:
    reference = " ".join(reference.split())
    if CONTROL_CHARACTERS.search(reference):
        raise ServiceError("This can't contain control characters.", field="reference")
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ServiceError(f"Use at most {REFERENCE_MAX_LENGTH} characters.", field="reference")
    return reference


def check_money_day(*, coop: Coop, day: date) -> date:
    """Return *day*, the day money moved, refusing one in the future or before the books began.

    The one check for every entry dated by hand (a fund entry, a household's
    payment, a supplier payment, a transfer), at the ``occurred_on`` field.
    """
    if day > local_today():
        raise ServiceError(
            "That day is in the future: enter the day the money actually moved.",
            field="occurred_on",
        )
    # Money that moved before the books began is in the opening balances already.
    opening = opening_balance_of(coop=coop)
    if opening is not None and day < opening.as_of:
        raise ServiceError(
            f"The books begin with the opening balances as at {opening.as_of:%-d %B %Y}, which"
            " hold what moved before then: enter a day from then on.",
            field="occurred_on",
        )
    return day


def _checked_day(coop: Coop, occurred_on: date | None) -> date:
    if occurred_on is None:
        raise ServiceError("Enter the day the money moved, like 2026-12-03.", field="occurred_on")
    return check_money_day(coop=coop, day=occurred_on)


def record_fund_entry(
    *,
    coop: Coop,
    direction: FundDirection,
    category_id: int | None,
    amount_pence: int | None,
    method: HeldIn,
    occurred_on: date | None,
    reference: str,
    by: User,
    upload: Upload | None = None,
    receipt: Receipt | None = None,
    repeated_amount_pence: int | None = None,
    below_zero_confirmed: bool = False,
) -> FundEntry:
    """Post money the fund received or spent, as one balanced transaction, and its entry.

    *upload* is a new receipt file; *receipt* one kept already (`pending_receipt`).
    Refuses bad input at its field; asks again (codes ``large_amount``,
    ``below_zero``) for a large amount or spending that takes cash or the
    bank below zero.
    """
    direction = FundDirection(direction)
    method = HeldIn(method)
    category = _checked_category(coop, category_id, direction)
    if amount_pence is None or amount_pence <= 0:
        raise ServiceError("Enter an amount of more than £0.00.", field="amount")
    day = _checked_day(coop, occurred_on)
    reference = _checked_reference(reference)
    if upload is not None:
        checked_upload(upload)
    confirm_large_amount(coop=coop, amount_pence=amount_pence, repeated_pence=repeated_amount_pence)
    if direction is FundDirection.EXPENSE:
        check_stays_above_zero(
            coop=coop,
            kind=AccountKind(method.value),
            amount_pence=amount_pence,
            confirmed=below_zero_confirmed,
            doing="spending",
        )
    if upload is not None:
        receipt = keep_receipt(coop=coop, upload=upload, by=by)
    fund = single_account(coop_id=coop.id, kind=AccountKind.FUND).id
    held_account = single_account(coop_id=coop.id, kind=AccountKind(method.value)).id
    sign = 1 if direction is FundDirection.INCOME else -1
    how = "cash" if method is HeldIn.CASH else "the bank"
    text = (
        f"{category.name}: into {how}"
        if direction is FundDirection.INCOME
        else f"{category.name}: paid from {how}"
    )
    transaction = post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.FUND_INCOME
        if direction is FundDirection.INCOME
        else TransactionKind.FUND_EXPENSE,
        memo=f"{text} ({reference})" if reference else text,
        entries=[
            Entry(fund, sign * amount_pence, category.name[:200]),
            Entry(held_account, -sign * amount_pence, method.value),
        ],
        by=by,
    )
    entry = FundEntry(
        coop_id=coop.id,
        transaction_id=transaction.id,
        category_id=category.id,
        direction=direction,
        method=method,
        amount_pence=amount_pence,
        occurred_on=day,
        reference=reference,
        receipt_id=receipt.id if receipt is not None else None,
        created_by_id=by.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


# --- reading entries -----------------------------------------------------------------------


def not_reversed() -> ColumnElement[bool]:
    """The condition that a fund entry counts: its transaction has not been reversed."""
    reversal = aliased(LedgerTransaction)
    return ~exists().where(reversal.reverses_id == FundEntry.transaction_id)


@dataclass(frozen=True)
class EntryLine:
    """A fund entry as the income-and-spending list shows it."""

    entry: FundEntry
    category: str
    reversed: bool


@dataclass(frozen=True)
class EntryList:
    """Entries in a month (or all), with the totals of those not reversed."""

    lines: list[EntryLine]
    income_pence: int
    spending_pence: int

    @property
    def net_pence(self) -> int:
        return self.income_pence - self.spending_pence


def fund_entries(
    *, coop: Coop, month: date | None = None, category_id: int | None = None
) -> EntryList:
    """Return the co-op's entries, newest day first, in *month* and *category_id* if given."""
    query = (
        select(FundEntry, FundCategory.name, ~not_reversed())
        .join(FundCategory, FundCategory.id == FundEntry.category_id)
        .where(FundEntry.coop_id == coop.id)
    )
    if month is not None:
        start = month.replace(day=1)
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        query = query.where(FundEntry.occurred_on >= start, FundEntry.occurred_on < end)
    if category_id is not None:
        query = query.where(FundEntry.category_id == category_id)
    rows = db.session.execute(
        query.order_by(FundEntry.occurred_on.desc(), FundEntry.id.desc())
    ).all()
    lines = [EntryLine(entry, name, bool(gone)) for entry, name, gone in rows]
    live = [line.entry for line in lines if not line.reversed]
    return EntryList(
        lines=lines,
        income_pence=sum(e.amount_pence for e in live if e.direction is FundDirection.INCOME),
        spending_pence=sum(e.amount_pence for e in live if e.direction is FundDirection.EXPENSE),
    )


@dataclass(frozen=True)
class CategoryTotal:
    """What the fund received or spent under one category in a period."""

    category_id: int
    key: str | None
    name: str
    direction: FundDirection
    method: HeldIn
    amount_pence: int


def category_totals(*, coop: Coop, start: date, end: date) -> list[CategoryTotal]:
    """Return the entries dated *start* to *end* (both included), not reversed, summed.

    One total per category and cash or bank, as a receipts and payments account reads them.
    """
    rows = db.session.execute(
        select(
            FundCategory.id,
            FundCategory.key,
            FundCategory.name,
            FundEntry.direction,
            FundEntry.method,
            func.sum(FundEntry.amount_pence),
        )
        .join(FundCategory, FundCategory.id == FundEntry.category_id)
        .where(
            FundEntry.coop_id == coop.id,
            FundEntry.occurred_on >= start,
            FundEntry.occurred_on <= end,
            not_reversed(),
        )
        .group_by(
            FundCategory.id,
            FundCategory.key,
            FundCategory.name,
            FundEntry.direction,
            FundEntry.method,
        )
        .order_by(FundEntry.direction, FundCategory.name, FundEntry.method)
    ).all()
    return [
        CategoryTotal(category_id, key, name, FundDirection(direction), HeldIn(method), int(total))
        for category_id, key, name, direction, method, total in rows
    ]
