"""The annual account: receipts and payments, and the statement of assets and liabilities.

The layout is the Charity Commission's receipts and payments account for a
small charity (income under £250,000, CC16): what came into and went out of
the co-op's cash, bank and card money in the period, by kind, beside the
previous period where the books go back that far; the cash and bank at the
start and the end, and the check that opening + receipts - payments =
closing, to the penny; then a statement of what the co-op held, was owed
and owed at the period's end.

Every figure is a sum of ledger postings (one grouped query per table),
each dated by the reconciliation's one rule (`moved_up_to`: a fund entry's
day, the opening balances' as-at date, the day a payment, refund, supplier
payment or transfer says its money moved, else the day its transaction was
written, in London time). So:

- money is counted when it moved, on cash, the bank or the card processor's
  account; settlement, write-offs and stock sold on account move none and
  are not receipts or payments (a household's later payment is);
- a reversal is put in the line of what it reverses, netting against it;
- the opening balances the co-op brought in are part of the opening cash
  and bank of the period their as-at date falls in (not of the day they
  were typed in), not a receipt;
- card money the processor has taken but not yet paid out counts with cash
  and bank ("card payments not yet paid out"): it is the co-op's money.

Households' payments cannot be told apart by what they paid for, so stock a
household bought on account is in "Households' payments" once it pays.

What was written off in the period moved no money, so it is in neither
account; `written_off_in` gives it for a note beside them: households' debts
the fund bore (``write_off`` transactions, net of their reversals) and stock
given away or spoiled, at what it cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import aliased

from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    Coop,
    FundCategory,
    FundDirection,
    FundEntry,
    LedgerTransaction,
    Posting,
    TransactionKind,
)
from coop.services.money.periods import Period
from coop.services.money.reconcile import moved_up_to, with_money_days
from coop.services.money.stock import stock_at_cost_pence, written_off_pence

#: Where the co-op holds money, in the order the account shows them.
HELD = (AccountKind.CASH, AccountKind.BANK, AccountKind.CARD)
HELD_LABELS = {
    AccountKind.CASH: "Cash in hand",
    AccountKind.BANK: "Bank",
    AccountKind.CARD: "Card payments not yet paid out",
}

RECEIPT, PAYMENT = "receipt", "payment"
# Kinds of money moving that have a line of their own, with its section and label.
KIND_LINES = {
    TransactionKind.PAYMENT: (RECEIPT, "households", "Households' payments for their food"),
    TransactionKind.SUPPLIER_PAYMENT: (PAYMENT, "suppliers", "Paid to suppliers"),
    TransactionKind.REFUND: (PAYMENT, "refunds", "Refunds to households"),
}


def moved_in(period: Period) -> ColumnElement[bool]:
    """The condition that a posting's money moved within *period* (see `with_money_days`)."""
    return and_(moved_up_to(period.end), ~moved_up_to(period.start - timedelta(days=1)))


@dataclass(frozen=True)
class Line:
    """A line of receipts or payments: this period's amount and the previous one's."""

    key: str
    label: str
    pence: int
    previous_pence: int = 0


@dataclass(frozen=True)
class HeldLine:
    """Cash, bank or card money at a period's start and end."""

    kind: AccountKind
    label: str
    opening_pence: int
    closing_pence: int
    previous_opening_pence: int = 0
    previous_closing_pence: int = 0


@dataclass(frozen=True)
class Movements:
    """One period's money in and out, by line, and what it held at the start and end."""

    receipts: dict[str, Line]
    payments: dict[str, Line]
    before_pence: dict[AccountKind, int]  # held at the end of the day before the period
    brought_in_pence: dict[AccountKind, int]  # opening balances entered in the period
    closing_pence: dict[AccountKind, int]

    @property
    def any(self) -> bool:
        return bool(
            self.receipts
            or self.payments
            or any(self.before_pence.values())
            or any(self.closing_pence.values())
            or any(self.brought_in_pence.values())
        )


def _movements(coop: Coop, period: Period) -> Movements:
    original = aliased(LedgerTransaction)
    entry = aliased(FundEntry)  # the fund entry of what a line is, the original's if reversed
    kind = func.coalesce(original.kind, LedgerTransaction.kind)
    what = func.coalesce(LedgerTransaction.reverses_id, LedgerTransaction.id)
    rows = db.session.execute(
        with_money_days(
            select(
                Account.kind,
                kind,
                entry.direction,
                FundCategory.id,
                FundCategory.key,
                FundCategory.name,
                func.sum(Posting.amount_pence),
            )
            .join(Account, Account.id == Posting.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        )
        .outerjoin(original, original.id == LedgerTransaction.reverses_id)
        .outerjoin(entry, entry.transaction_id == what)
        .outerjoin(FundCategory, FundCategory.id == entry.category_id)
        .where(Account.coop_id == coop.id, Account.kind.in_(HELD), moved_in(period))
        .group_by(Account.kind, kind, entry.direction, FundCategory.id)
        .group_by(FundCategory.key, FundCategory.name)
    ).all()
    before = _held_at(coop, period.start - timedelta(days=1))
    closing = _held_at(coop, period.end)
    sections: dict[str, dict[str, tuple[str, int]]] = {RECEIPT: {}, PAYMENT: {}}
    brought: dict[AccountKind, int] = defaultdict(int)
    others: dict[str, int] = defaultdict(int)
    for account_kind, txn_kind, direction, category_id, key, name, total in rows:
        money_in = -int(total)  # the ledger's sign for what the co-op holds is reversed
        txn_kind = TransactionKind(txn_kind)
        if txn_kind is TransactionKind.OPENING_BALANCE:
            brought[AccountKind(account_kind)] += money_in
            continue
        if category_id is not None:
            section = RECEIPT if FundDirection(direction) is FundDirection.INCOME else PAYMENT
            line_key, label = f"{section}:{key or category_id}", name
            sign = 1 if section == RECEIPT else -1
        elif txn_kind in KIND_LINES:
            section, line_key, label = KIND_LINES[txn_kind]
            sign = 1 if section == RECEIPT else -1
        else:
            others[txn_kind.value] += money_in
            continue
        _label, so_far = sections[section].get(line_key, (label, 0))
        sections[section][line_key] = (label, so_far + sign * money_in)
    other_in = sum(pence for pence in others.values() if pence > 0)
    other_out = -sum(pence for pence in others.values() if pence < 0)
    if other_in:
        sections[RECEIPT]["other"] = ("Other receipts", other_in)
    if other_out:
        sections[PAYMENT]["other"] = ("Other payments", other_out)
    return Movements(
        receipts={k: Line(k, *found) for k, found in sections[RECEIPT].items()},
        payments={k: Line(k, *found) for k, found in sections[PAYMENT].items()},
        before_pence=before,
        brought_in_pence=dict(brought),
        closing_pence=closing,
    )


def _held_at(coop: Coop, day: date) -> dict[AccountKind, int]:
    """What the co-op held in cash, bank and card money at the end of *day*."""
    rows = db.session.execute(
        with_money_days(
            select(Account.kind, func.sum(Posting.amount_pence))
            .join(Account, Account.id == Posting.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        )
        .where(Account.coop_id == coop.id, Account.kind.in_(HELD), moved_up_to(day))
        .group_by(Account.kind)
    ).all()
    found = dict.fromkeys(HELD, 0)
    for kind, total in rows:
        found[AccountKind(kind)] = -int(total or 0)
    return found


def _order(lines: dict[str, Line], fixed: list[str]) -> list[Line]:
    """The fixed lines first, then the categories by name, "other" last."""
    first = [lines[key] for key in fixed if key in lines]
    middle = sorted(
        (line for key, line in lines.items() if key not in fixed and key != "other"),
        key=lambda line: line.label.lower(),
    )
    last = [lines["other"]] if "other" in lines else []
    return first + middle + last


def _beside(now: dict[str, Line], before: dict[str, Line] | None) -> dict[str, Line]:
    if before is None:
        return now
    merged = {}
    for key in [*now, *(k for k in before if k not in now)]:
        here, there = now.get(key), before.get(key)
        label = (here or there).label  # type: ignore[union-attr]
        merged[key] = Line(key, label, here.pence if here else 0, there.pence if there else 0)
    return merged


@dataclass(frozen=True)
class ReceiptsAndPayments:
    """The receipts and payments account of a period, beside the previous one if it has any.

    Each held line's opening figure includes the opening balances entered
    in that period (`brought_in_pence` says how much of it they are).
    """

    period: Period
    previous: Period | None
    receipts: list[Line]
    payments: list[Line]
    held: list[HeldLine]
    brought_in_pence: int
    previous_brought_in_pence: int

    @property
    def receipts_pence(self) -> int:
        return sum(line.pence for line in self.receipts)

    @property
    def payments_pence(self) -> int:
        return sum(line.pence for line in self.payments)

    @property
    def previous_receipts_pence(self) -> int:
        return sum(line.previous_pence for line in self.receipts)

    @property
    def previous_payments_pence(self) -> int:
        return sum(line.previous_pence for line in self.payments)

    @property
    def opening_pence(self) -> int:
        return sum(line.opening_pence for line in self.held)

    @property
    def closing_pence(self) -> int:
        return sum(line.closing_pence for line in self.held)

    @property
    def previous_opening_pence(self) -> int:
        return sum(line.previous_opening_pence for line in self.held)

    @property
    def previous_closing_pence(self) -> int:
        return sum(line.previous_closing_pence for line in self.held)

    @property
    def difference_pence(self) -> int:
        """Closing less (opening + receipts - payments): none when the books are whole."""
        return self.closing_pence - (self.opening_pence + self.receipts_pence - self.payments_pence)

    @property
    def previous_difference_pence(self) -> int:
        moved = self.previous_receipts_pence - self.previous_payments_pence
        return self.previous_closing_pence - (self.previous_opening_pence + moved)


def receipts_and_payments(*, coop: Coop, period: Period) -> ReceiptsAndPayments:
    """Return the period's receipts and payments account, from the ledger's postings."""
    now = _movements(coop, period)
    earlier = _movements(coop, period.previous())
    before = earlier if earlier.any else None

    def opening(found: Movements, kind: AccountKind) -> int:
        return found.before_pence[kind] + found.brought_in_pence.get(kind, 0)

    held = [
        HeldLine(
            kind,
            HELD_LABELS[kind],
            opening(now, kind),
            now.closing_pence[kind],
            opening(before, kind) if before else 0,
            before.closing_pence[kind] if before else 0,
        )
        for kind in HELD
    ]
    return ReceiptsAndPayments(
        period=period,
        previous=period.previous() if before else None,
        receipts=_order(_beside(now.receipts, before.receipts if before else None), ["households"]),
        payments=_order(
            _beside(now.payments, before.payments if before else None), ["suppliers", "refunds"]
        ),
        held=held,
        brought_in_pence=sum(now.brought_in_pence.values()),
        previous_brought_in_pence=sum(before.brought_in_pence.values()) if before else 0,
    )


# --- the statement of assets and liabilities ----------------------------------------------


@dataclass(frozen=True)
class AssetsAndLiabilities:
    """What the co-op held, was owed and owed at the end of a day, from the ledger."""

    as_of: date
    cash_pence: int
    bank_pence: int
    card_pence: int
    households_owing_pence: int  # what households that owe owe, as a positive sum
    council_support_due_pence: int
    supplier_credit_pence: int  # suppliers the co-op overpaid
    stock_at_cost_pence: int
    households_in_credit_pence: int  # the credit households hold, as a positive sum
    suppliers_unpaid_pence: int

    @property
    def held_pence(self) -> int:
        return self.cash_pence + self.bank_pence + self.card_pence

    @property
    def owed_to_pence(self) -> int:
        owing = self.households_owing_pence + self.supplier_credit_pence
        return owing + self.council_support_due_pence

    @property
    def assets_pence(self) -> int:
        return self.held_pence + self.owed_to_pence + self.stock_at_cost_pence

    @property
    def liabilities_pence(self) -> int:
        return self.households_in_credit_pence + self.suppliers_unpaid_pence

    @property
    def net_pence(self) -> int:
        return self.assets_pence - self.liabilities_pence


def assets_and_liabilities(*, coop: Coop, as_of: date) -> AssetsAndLiabilities:
    """Return the statement of assets and liabilities at the end of *as_of* (two queries)."""
    balance = func.sum(Posting.amount_pence)
    rows = db.session.execute(
        with_money_days(
            select(Account.id, Account.kind, balance)
            .join(Account, Account.id == Posting.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        )
        .where(Account.coop_id == coop.id, moved_up_to(as_of))
        .group_by(Account.id, Account.kind)
    ).all()
    by_kind: dict[AccountKind, list[int]] = defaultdict(list)
    for _id, kind, pence in rows:
        by_kind[AccountKind(kind)].append(int(pence or 0))

    def total(kind: AccountKind) -> int:
        return sum(by_kind.get(kind, []))

    households, suppliers = (
        by_kind.get(AccountKind.HOUSEHOLD, []),
        by_kind.get(AccountKind.SUPPLIER, []),
    )
    end = Period(as_of, as_of).utc_bounds()[1]
    return AssetsAndLiabilities(
        as_of=as_of,
        cash_pence=-total(AccountKind.CASH),
        bank_pence=-total(AccountKind.BANK),
        card_pence=-total(AccountKind.CARD),
        households_owing_pence=-sum(b for b in households if b < 0),
        council_support_due_pence=-total(AccountKind.COUNCIL_SUPPORT),
        supplier_credit_pence=-sum(b for b in suppliers if b < 0),
        stock_at_cost_pence=stock_at_cost_pence(coop=coop, at=end),
        households_in_credit_pence=sum(b for b in households if b > 0),
        suppliers_unpaid_pence=sum(b for b in suppliers if b > 0),
    )


# --- written off in the period ------------------------------------------------------------


@dataclass(frozen=True)
class WrittenOff:
    """What the co-op wrote off in a period: no money moved, so a note beside the accounts."""

    period: Period
    debts_pence: int  # households' debts written off, less any write-off reversed
    stock_pence: int  # the co-op's stock given away or spoiled, at cost

    @property
    def any(self) -> bool:
        return bool(self.debts_pence or self.stock_pence)


def written_off_in(*, coop: Coop, period: Period) -> WrittenOff:
    """Return the debts and the stock written off in *period* (two queries).

    A write-off is dated by the one rule (`moved_up_to`: the day it was
    written); its reversal nets against it in the period the reversal falls in.
    """
    original = aliased(LedgerTransaction)
    debts = db.session.scalar(
        with_money_days(
            select(func.coalesce(func.sum(Posting.amount_pence), 0))
            .join(Account, Account.id == Posting.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        )
        .outerjoin(original, original.id == LedgerTransaction.reverses_id)
        .where(
            Account.coop_id == coop.id,
            Account.kind == AccountKind.HOUSEHOLD,
            func.coalesce(original.kind, LedgerTransaction.kind) == TransactionKind.WRITE_OFF,
            moved_in(period),
        )
    )
    start, end = period.utc_bounds()
    return WrittenOff(
        period=period,
        debts_pence=int(debts or 0),
        stock_pence=written_off_pence(coop=coop, start=start, end=end),
    )
