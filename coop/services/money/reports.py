"""What the treasurer reads: balances, the ledger page by page, and CSV exports.

Reads only. Each page costs a fixed number of queries whatever the number
of households or transactions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from coop.domain.money import plain_pounds
from coop.domain.roles import MembershipStatus
from coop.domain.spreadsheets import csv_text
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    BillLine,
    BillLineKind,
    Coop,
    LedgerTransaction,
    Membership,
    Posting,
    Round,
    Supplier,
    TransactionKind,
    User,
)
from coop.services.money.bills import CostFacts, bill_lines_query, cost_facts, price_each_pence
from coop.services.money.ledger import SINGLE_ACCOUNTS, Balance, balances
from coop.services.times import local_time

PER_PAGE = 50


# --- balances ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceSheet:
    """Every account of a co-op with its balance, grouped for the treasurer."""

    households: list[Balance]  # most owed first
    suppliers: list[Balance]
    own: list[Balance]  # the fund, cash, bank, card payments, council support
    left_ids: frozenset[int] = frozenset()  # households that have left (their accounts stay)

    @property
    def owed_by_households_pence(self) -> int:
        return -sum(b.balance_pence for b in self.households if b.balance_pence < 0)

    @property
    def household_credit_pence(self) -> int:
        return sum(b.balance_pence for b in self.households if b.balance_pence > 0)

    @property
    def owed_to_suppliers_pence(self) -> int:
        return sum(b.balance_pence for b in self.suppliers)

    @property
    def total_pence(self) -> int:
        """Every balance added up: 0 in a double-entry ledger."""
        return sum(b.balance_pence for b in [*self.households, *self.suppliers, *self.own])


def balance_sheet(*, coop: Coop) -> BalanceSheet:
    """Return every household's, supplier's and the co-op's own balances, in four queries.

    Active households without an account yet show 0, as do the co-op's own
    accounts before any money moved through them. Households that have left
    keep their accounts and show with them, marked by `left_ids`.
    """
    rows = balances(coop=coop)
    households = [row for row in rows if row.kind is AccountKind.HOUSEHOLD]
    with_account = {row.membership_id for row in households}
    for membership_id, name in db.session.execute(
        select(Membership.id, User.name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.coop_id == coop.id, Membership.status == MembershipStatus.ACTIVE)
    ).all():
        if membership_id not in with_account:
            households.append(
                Balance(0, AccountKind.HOUSEHOLD, name, 0, membership_id=membership_id)
            )
    own = {row.kind: row for row in rows if row.kind in SINGLE_ACCOUNTS}
    left = db.session.scalars(
        select(Membership.id).where(
            Membership.coop_id == coop.id, Membership.status == MembershipStatus.LEFT
        )
    )
    return BalanceSheet(
        households=sorted(households, key=lambda b: (b.balance_pence, b.name.lower())),
        suppliers=sorted(
            (row for row in rows if row.kind is AccountKind.SUPPLIER),
            key=lambda b: (-b.balance_pence, b.name.lower()),
        ),
        own=[own.get(kind) or Balance(0, kind, kind.label, 0) for kind in SINGLE_ACCOUNTS],
        left_ids=frozenset(left),
    )


# --- the ledger --------------------------------------------------------------------------


@dataclass(frozen=True)
class PostingLine:
    """One posting of a transaction, with its account's name."""

    account: str
    kind: AccountKind
    amount_pence: int
    memo: str


@dataclass(frozen=True)
class TransactionLine:
    """A transaction with who made it, when, why, and its postings."""

    id: int
    kind: TransactionKind
    memo: str
    created_at: datetime
    by: str
    round_id: int | None
    round_title: str | None
    reverses_id: int | None
    reversed_by_id: int | None
    postings: list[PostingLine] = field(default_factory=list)
    #: The day its money moved, when typed as another than the day it was written.
    occurred_on: date | None = None


@dataclass(frozen=True)
class LedgerPage:
    """One page of the ledger, newest first."""

    rows: list[TransactionLine]
    page: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _postings(which: ColumnElement[bool]) -> dict[int, list[PostingLine]]:
    rows = db.session.execute(
        select(
            Posting.transaction_id,
            Posting.amount_pence,
            Posting.memo,
            Account.kind,
            User.name,
            Supplier.name,
        )
        .join(Account, Account.id == Posting.account_id)
        .outerjoin(Membership, Membership.id == Account.membership_id)
        .outerjoin(User, User.id == Membership.user_id)
        .outerjoin(Supplier, Supplier.id == Account.supplier_id)
        .where(which)
        .order_by(Posting.transaction_id, Posting.id)
    ).all()
    postings: dict[int, list[PostingLine]] = defaultdict(list)
    for transaction_id, amount, memo, kind, person, supplier in rows:
        postings[transaction_id].append(
            PostingLine(person or supplier or kind.label, kind, amount, memo)
        )
    return postings


def _transactions(
    coop: Coop, *where: ColumnElement[bool], offset: int = 0, limit: int | None = None
) -> list[TransactionLine]:
    reversal = aliased(LedgerTransaction)
    query = (
        select(LedgerTransaction, User.name, Round.title, reversal.id)
        .outerjoin(User, User.id == LedgerTransaction.created_by_id)
        .outerjoin(Round, Round.id == LedgerTransaction.round_id)
        .outerjoin(reversal, reversal.reverses_id == LedgerTransaction.id)
        .where(LedgerTransaction.coop_id == coop.id, *where)
        .order_by(LedgerTransaction.created_at.desc(), LedgerTransaction.id.desc())
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query).all()
    # A page names its few transactions; the whole ledger (for CSV) asks the database.
    which = (
        Posting.transaction_id.in_([transaction.id for transaction, *_ in rows])
        if limit is not None or where
        else Posting.transaction_id.in_(
            select(LedgerTransaction.id).where(LedgerTransaction.coop_id == coop.id)
        )
    )
    postings = _postings(which)
    return [
        TransactionLine(
            id=transaction.id,
            kind=transaction.kind,
            memo=transaction.memo,
            created_at=transaction.created_at,
            by=by or "the system",
            round_id=transaction.round_id,
            round_title=title,
            reverses_id=transaction.reverses_id,
            reversed_by_id=reversed_by,
            postings=postings.get(transaction.id, []),
            occurred_on=transaction.occurred_on,
        )
        for transaction, by, title, reversed_by in rows
    ]


def ledger_page(*, coop: Coop, page: int = 1) -> LedgerPage:
    """Return a page of the co-op's transactions, newest first, in three queries."""
    total = (
        db.session.scalar(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.coop_id == coop.id)
        )
        or 0
    )
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    rows = _transactions(coop, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return LedgerPage(rows=rows, page=page, pages=pages, total=total)


def transaction_line(*, coop: Coop, transaction_id: int) -> TransactionLine | None:
    """Return the co-op's transaction *transaction_id* with its postings, or None."""
    rows = _transactions(coop, LedgerTransaction.id == transaction_id)
    return rows[0] if rows else None


# --- CSV exports -------------------------------------------------------------------------


def ledger_csv(*, coop: Coop) -> str:
    """Return the whole ledger as CSV, one row per posting, oldest first."""
    rows = []
    for transaction in reversed(_transactions(coop)):
        for posting in transaction.postings:
            rows.append(
                [
                    local_time(transaction.created_at, "%Y-%m-%d %H:%M"),
                    transaction.id,
                    transaction.kind.label,
                    transaction.memo,
                    posting.account,
                    plain_pounds(posting.amount_pence),
                    transaction.by,
                ]
            )
    return csv_text(["Date", "Transaction", "Kind", "Memo", "Account", "Amount", "By"], rows)


def balances_csv(*, coop: Coop) -> str:
    """Return every account's balance as CSV: households, suppliers, the co-op's own."""
    sheet = balance_sheet(coop=coop)
    rows = [
        [row.kind.label, row.name, plain_pounds(row.balance_pence)]
        for row in [*sheet.households, *sheet.suppliers, *sheet.own]
    ]
    return csv_text(["Kind", "Account", "Balance"], rows)


BILLS_CSV_HEADER = [
    "Household",
    "Kind",
    "Description",
    "Supplier",
    "Sent instead",
    "Units",
    "Price each",
    "Net",
    "VAT",
    "Markup",
    "Deposit",
    "Amount",
    "How it is shared",
]


def round_bills_csv(*, round_: Round) -> str:
    """Return every bill line of a round as CSV, household by household (three queries).

    A goods line names its supplier, what was sent instead, and its price each:
    its amount is units x price each, plus any deposit. A share of a shared cost
    says how the cost was split, and a round-wide cost's share stored against
    each of the household's suppliers says how it was split between them.
    """
    lines = db.session.execute(
        bill_lines_query(round_)
        .add_columns(User.name.label("household"))
        .join(Membership, Membership.id == BillLine.membership_id)
        .join(User, User.id == Membership.user_id)
        .order_by(User.name, BillLine.membership_id, BillLine.id)
    ).all()
    costs = cost_facts(round_)
    # A round-wide cost's share is split by the household's goods from each supplier.
    goods: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in lines:
        line = row.BillLine
        if line.kind is BillLineKind.GOODS and line.supplier_id is not None:
            goods[line.membership_id][line.supplier_id] += (
                line.net_pence + line.vat_pence + line.markup_pence + line.deposit_pence
            )
    rows = []
    for row in lines:
        line = row.BillLine
        is_goods = line.kind is BillLineKind.GOODS
        rows.append(
            [
                row.household,
                line.kind.value,
                line.description,
                row.supplier_name or "",
                (row.substitute or "") if is_goods else "",
                line.units,
                plain_pounds(price_each_pence(row, round_.markup_bp)) if is_goods else "",
                plain_pounds(line.net_pence),
                plain_pounds(line.vat_pence),
                plain_pounds(line.markup_pence),
                plain_pounds(line.deposit_pence),
                plain_pounds(line.amount_pence),
                _how_shared(costs.get(line.round_cost_id), goods[line.membership_id]),
            ]
        )
    return csv_text(BILLS_CSV_HEADER, rows)


def _how_shared(facts: CostFacts | None, goods: dict[int, int]) -> str:
    """Say how a share of a cost came about: the cost's split, then the household's own."""
    if facts is None:
        return ""
    if facts.cost.supplier_id is not None or len(goods) < 2:
        return facts.how_shared
    by = "value" if any(goods.values()) else "units"
    return (
        f"{facts.how_shared} This household's share is split across its {len(goods)} "
        f"suppliers by the {by} of its goods from each."
    )
