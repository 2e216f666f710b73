"""What a household sees of its money: its statement, its available funds and what it saved.

Selectors only, nothing written. Each issues a fixed number of SQL queries
whatever the number of rounds, transactions or bill lines. Bills are in
`coop.services.money.bills`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from fractions import Fraction

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from coop.domain.money import round_half_up
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    BillLine,
    BillLineKind,
    LedgerTransaction,
    Membership,
    Posting,
    Round,
    Supplier,
    SupplierKind,
    TransactionKind,
)
from coop.services.money.reconcile import money_day, with_money_days
from coop.services.rounds.ordering import Funds, funds_of
from coop.services.times import display_zone

# --- the statement ------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One transaction on a household's account, and the balance it left."""

    transaction_id: int
    kind: TransactionKind
    memo: str
    created_at: datetime
    amount_pence: int  # what it did to the balance: + paid in or credited, - charged
    balance_after_pence: int
    round_id: int | None
    round_title: str | None
    has_bill: bool
    reverses_id: int | None
    reversed_by_id: int | None
    # When its money moved, which orders the statement: when it was written, but an
    # opening balance (and its reversal) at the start of its as-at day, and a payment
    # or refund dated by the treasurer at the start of that day (`reconcile.money_day`).
    dated: datetime


@dataclass(frozen=True)
class Savings:
    """The household's goods at reference supermarket prices against what the co-op charged."""

    reference_pence: int  # lines with a reference price, at supermarket prices
    paid_pence: int  # the same lines at co-op prices (VAT and markup in, deposits out)
    priced_lines: int
    unpriced_lines: int  # items without a reference price: left out
    surplus_lines: int  # surplus food, shown apart so it does not inflate the savings
    surplus_units: int
    surplus_reference_pence: int  # surplus food at supermarket prices, where known

    @property
    def saved_pence(self) -> int:
        return self.reference_pence - self.paid_pence

    @property
    def saved_bp(self) -> int:
        """Return the saving as basis points of the reference prices, to a tenth of a percent."""
        if not self.reference_pence:
            return 0
        return 10 * round_half_up(Fraction(self.saved_pence * 1000, self.reference_pence))


@dataclass(frozen=True)
class Statement:
    """A household's balance, what its orders commit, its transactions and its savings."""

    funds: Funds  # the balance, the rounds due and what is available
    entries: list[Entry]  # newest first
    savings: Savings


def household_postings(membership: Membership) -> Select[int]:
    """Return a query of the household's postings by transaction, to add columns to and sum."""
    return (
        select(LedgerTransaction.id)
        .select_from(Posting)
        .join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(
            Account.kind == AccountKind.HOUSEHOLD,
            Account.membership_id == membership.id,
            Account.coop_id == membership.coop_id,
        )
    )


def _money_moment(created_at: datetime, day: date | None) -> datetime:
    """When a household's transaction moved money, in UTC (see `Entry.dated`)."""
    if day is None:
        return created_at
    return datetime.combine(day, time(), tzinfo=display_zone()).astimezone(UTC)


def _entries(membership: Membership, balance_pence: int) -> list[Entry]:
    reversal = aliased(LedgerTransaction)
    billed = set(
        db.session.scalars(
            select(BillLine.round_id).where(BillLine.membership_id == membership.id).distinct()
        )
    )
    rows = db.session.execute(
        with_money_days(
            household_postings(membership)
            .add_columns(
                LedgerTransaction.kind,
                LedgerTransaction.memo,
                LedgerTransaction.created_at,
                LedgerTransaction.round_id,
                LedgerTransaction.reverses_id,
                Round.title,
                Round.state,
                reversal.id,
                money_day(),
                func.sum(Posting.amount_pence),
            )
            .outerjoin(Round, Round.id == LedgerTransaction.round_id)
            .outerjoin(reversal, reversal.reverses_id == LedgerTransaction.id)
        ).group_by(LedgerTransaction.id, Round.id, reversal.id, money_day())
    ).all()
    dated = {row[0]: _money_moment(row[3], row[9]) for row in rows}
    # Newest first by when the money moved (see `Entry.dated`), then by writing order.
    rows = sorted(rows, key=lambda row: (dated[row[0]], row[0]), reverse=True)
    entries, after = [], balance_pence
    for row in rows:
        (transaction_id, kind, memo, created_at, round_id, reverses_id) = row[:6]
        title, state, reversed_by_id, _day, amount = row[6:]
        entries.append(
            Entry(
                transaction_id=transaction_id,
                kind=TransactionKind(kind),
                memo=memo,
                created_at=created_at,
                amount_pence=int(amount),
                balance_after_pence=after,
                round_id=round_id,
                round_title=title,
                has_bill=round_id in billed and state == RoundState.SETTLED,
                reverses_id=reverses_id,
                reversed_by_id=reversed_by_id,
                dated=dated[transaction_id],
            )
        )
        after -= int(amount)  # the balance before this one is the balance after the older one
    return entries


def savings_of(*, membership: Membership) -> Savings:
    """Return what the household's goods would have cost at the reference prices (one query)."""
    has_reference = BillLine.reference_pence.is_not(None)
    value = BillLine.net_pence + BillLine.vat_pence + BillLine.markup_pence
    rows = db.session.execute(
        select(
            Supplier.kind,
            func.count(BillLine.id),
            func.count(BillLine.reference_pence),
            func.coalesce(func.sum(BillLine.reference_pence), 0),
            func.coalesce(func.sum(case((has_reference, value), else_=0)), 0),
            func.coalesce(func.sum(BillLine.units), 0),
        )
        .select_from(BillLine)
        .outerjoin(Supplier, Supplier.id == BillLine.supplier_id)
        .where(BillLine.membership_id == membership.id, BillLine.kind == BillLineKind.GOODS)
        .group_by(Supplier.kind)
    ).all()
    totals = {"reference": 0, "paid": 0, "priced": 0, "unpriced": 0}
    surplus = (0, 0, 0)
    for kind, lines, priced, reference, paid, units in rows:
        if kind == SupplierKind.SURPLUS:
            surplus = (int(lines), int(units), int(reference))
            continue
        totals["reference"] += int(reference)
        totals["paid"] += int(paid)
        totals["priced"] += int(priced)
        totals["unpriced"] += int(lines) - int(priced)
    return Savings(
        reference_pence=totals["reference"],
        paid_pence=totals["paid"],
        priced_lines=totals["priced"],
        unpriced_lines=totals["unpriced"],
        surplus_lines=surplus[0],
        surplus_units=surplus[1],
        surplus_reference_pence=surplus[2],
    )


def statement_for(*, membership: Membership) -> Statement:
    """Return the household's statement (a fixed number of queries)."""
    funds = funds_of(membership=membership)
    return Statement(
        funds=funds,
        entries=_entries(membership, funds.balance_pence),
        savings=savings_of(membership=membership),
    )
