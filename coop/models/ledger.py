"""The double-entry ledger: accounts, transactions and their postings.

Append-only. A transaction's postings sum to zero (`coop.services.money.ledger`
is the only write path and refuses anything else); a mistake is corrected
by a counter-transaction that `reverses` it, never by editing. An account's
balance is the sum of its postings. Signs: a household's account is what the
co-op owes it (a charge is negative, a payment positive); a supplier's
account is what the co-op owes the supplier (an invoice is positive, a
payment to it negative); cash, bank and card accounts are what the co-op
holds (a payment received is negative there, balancing the household's
positive posting, so every transaction sums to zero).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import Pence, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.catalogue import Supplier
    from coop.models.memberships import Membership


class AccountKind(StrEnum):
    """What an account is for."""

    HOUSEHOLD = "household"
    FUND = "fund"  # the co-op's own money: markup, surplus, fixed-contribution results
    SUPPLIER = "supplier"
    CARD = "card"  # money on its way from the card processor
    CASH = "cash"
    BANK = "bank"
    COUNCIL_SUPPORT = "council_support"
    # The other side of the balances a co-op brought with it when it started on coop.
    OPENING_BALANCE = "opening_balance"

    @property
    def label(self) -> str:
        return {
            AccountKind.HOUSEHOLD: "Household",
            AccountKind.FUND: "Co-op fund",
            AccountKind.SUPPLIER: "Supplier",
            AccountKind.CARD: "Card payments",
            AccountKind.CASH: "Cash",
            AccountKind.BANK: "Bank",
            AccountKind.COUNCIL_SUPPORT: "Council support",
            AccountKind.OPENING_BALANCE: "Opening balances",
        }[self]


class TransactionKind(StrEnum):
    """Why money moved."""

    SETTLEMENT = "settlement"
    PAYMENT = "payment"  # a household paid in (cash, bank transfer, card)
    REFUND = "refund"  # money paid back to a household
    SUPPLIER_PAYMENT = "supplier_payment"
    ADJUSTMENT = "adjustment"  # a correction after settlement
    REVERSAL = "reversal"
    FUND_INCOME = "fund_income"  # money the fund received: fees, donations, grants
    FUND_EXPENSE = "fund_expense"  # money the fund spent: hall hire, bags, bank charges
    OPENING_BALANCE = "opening_balance"  # balances brought in when the co-op started on coop
    WRITE_OFF = "write_off"  # a household's debt the fund bears
    STOCK_SALE = "stock_sale"  # the co-op's own stock sold to a household
    TRANSFER = "transfer"  # the co-op's own money moved: cash and bank, card payouts to the bank

    @property
    def label(self) -> str:
        return {
            TransactionKind.SETTLEMENT: "Round settled",
            TransactionKind.PAYMENT: "Payment",
            TransactionKind.REFUND: "Refund",
            TransactionKind.SUPPLIER_PAYMENT: "Paid to supplier",
            TransactionKind.ADJUSTMENT: "Correction",
            TransactionKind.REVERSAL: "Reversal",
            TransactionKind.FUND_INCOME: "Income to the fund",
            TransactionKind.FUND_EXPENSE: "Spent from the fund",
            TransactionKind.OPENING_BALANCE: "Opening balance",
            TransactionKind.WRITE_OFF: "Written off",
            TransactionKind.STOCK_SALE: "Bought from the co-op's stock",
            TransactionKind.TRANSFER: "Moved between cash, card and bank",
        }[self]


class Account(Model):
    """A place money is kept track of, within one co-op."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("coop_id", "kind", "membership_id", "supplier_id"),
        CheckConstraint(
            "(kind = 'household') = (membership_id IS NOT NULL)", name="household_has_membership"
        ),
        CheckConstraint(
            "(kind = 'supplier') = (supplier_id IS NOT NULL)", name="supplier_has_supplier"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, "account_kind"))
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership | None] = relationship()
    supplier: Mapped[Supplier | None] = relationship()


class LedgerTransaction(Model):
    """Money moving between accounts, with who, when and why. Never edited."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        CheckConstraint("length(memo) > 0", name="memo_not_empty"),
        CheckConstraint(
            "(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_names_original"
        ),
        Index("ix_ledger_transactions_coop_id_created_at", "coop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"))
    kind: Mapped[TransactionKind] = mapped_column(str_enum(TransactionKind, "transaction_kind"))
    memo: Mapped[str] = mapped_column(Text)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    # A transaction can be reversed once: the unique key makes a second reversal impossible.
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The day its money moved, where a treasurer typed one (a payment, a refund, a
    # supplier payment, a transfer); NULL: the day it was written (`reconcile.money_day`).
    occurred_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()
    postings: Mapped[list[Posting]] = relationship(
        back_populates="transaction", order_by="Posting.id"
    )


class Posting(Model):
    """One account's side of a transaction, in pence (never zero)."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("amount_pence <> 0", name="amount_not_zero"),
        Index("ix_postings_account_id_transaction_id", "account_id", "transaction_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    # 64-bit: a supplier's or the fund's side of a settlement sums a whole round.
    amount_pence: Mapped[int] = mapped_column(Pence)
    memo: Mapped[str] = mapped_column(String(200), default="")
    # A council-support posting names the support record whose money it is.
    support_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_records.id"), index=True
    )

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="postings")
    account: Mapped[Account] = relationship()
