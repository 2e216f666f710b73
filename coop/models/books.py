"""The co-op fund's own income and spending, their receipts, and bank and cash reconciliation.

A `FundEntry` is the story behind one balanced ledger transaction of kind
``fund_income`` or ``fund_expense``: its category, the day the money moved
(``occurred_on``, which the annual accounts use), how (cash or bank), a
reference and an optional `Receipt`. The ledger stays the record of money:
a correction is a reversal of the transaction, and an entry whose
transaction is reversed counts for nothing in any total.

A `Reconciliation` records that the treasurer compared a cash count or a
bank statement with the ledger on a day; `ReconciledPosting` rows tick the
postings it covered, so a posting itself is never updated.

Balances here are what the co-op *holds* (the statement's sign: positive is
money in the account, negative an overdrawn bank), which is minus the
ledger's own sign for cash and bank (see `coop.models.ledger`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import Pence, UTCDateTime, sql_in, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.ledger import LedgerTransaction

CATEGORY_NAME_MAX_LENGTH = 60
REFERENCE_MAX_LENGTH = 100
RECEIPT_FILENAME_MAX_LENGTH = 200
RECONCILIATION_NOTE_MAX_LENGTH = 200
#: The kinds of file a receipt may be, told by their first bytes, never by name.
RECEIPT_CONTENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp")


class FundDirection(StrEnum):
    """Whether money came into the fund or went out of it."""

    INCOME = "income"
    EXPENSE = "expense"

    @property
    def label(self) -> str:
        return {FundDirection.INCOME: "Income", FundDirection.EXPENSE: "Spending"}[self]


class HeldIn(StrEnum):
    """Where the co-op keeps money it holds itself: the cash box, the bank, the card processor.

    Card money is only ever spent by the processor itself, on its fees
    (`coop.services.payments.fees`): the treasurer's forms offer cash and bank.
    """

    CASH = "cash"
    BANK = "bank"
    CARD = "card"

    @property
    def label(self) -> str:
        return {HeldIn.CASH: "Cash", HeldIn.BANK: "Bank", HeldIn.CARD: "Card payments"}[self]


class FundCategory(Model):
    """A heading the co-op's income or spending is grouped under (hall hire, donations...).

    Built-in categories carry a stable *key* so code can find them ("card_fees",
    "bank_charges"); a co-op's own have none. An archived category is kept for
    the entries that use it and is no longer offered.
    """

    __tablename__ = "fund_categories"
    __table_args__ = (
        UniqueConstraint("coop_id", "direction", "name"),
        UniqueConstraint("coop_id", "key"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(CATEGORY_NAME_MAX_LENGTH))
    direction: Mapped[FundDirection] = mapped_column(str_enum(FundDirection, "fund_direction"))
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Receipt(Model):
    """A receipt or invoice file, kept in the database and shown only to the co-op's treasurers.

    *content_type* is what the file's first bytes say it is, never what its
    name or the browser claimed.
    """

    __tablename__ = "receipts"
    __table_args__ = (
        CheckConstraint(sql_in("content_type", RECEIPT_CONTENT_TYPES), name="content_type_known"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    filename: Mapped[str] = mapped_column(String(RECEIPT_FILENAME_MAX_LENGTH))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: lists of entries never read the files they name.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class FundEntry(Model):
    """Money the fund received or spent: one ledger transaction, its category, day and receipt."""

    __tablename__ = "fund_entries"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        Index("ix_fund_entries_coop_id_occurred_on", "coop_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("fund_categories.id"), index=True)
    direction: Mapped[FundDirection] = mapped_column(str_enum(FundDirection, "fund_direction"))
    method: Mapped[HeldIn] = mapped_column(str_enum(HeldIn, "held_in"))
    amount_pence: Mapped[int] = mapped_column(Pence)
    # The day the money moved: the annual accounts put the entry in that day's year.
    occurred_on: Mapped[date]
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX_LENGTH), default="")
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    transaction: Mapped[LedgerTransaction] = relationship()
    category: Mapped[FundCategory] = relationship()
    receipt: Mapped[Receipt | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class Reconciliation(Model):
    """A cash count or bank statement balance on a day, beside what the ledger said that day.

    Both balances are what the co-op holds (positive: money there; a bank's
    may be negative when overdrawn). A reconciliation saved with a difference
    carries a note saying why.
    """

    __tablename__ = "reconciliations"
    __table_args__ = (
        Index("ix_reconciliations_coop_id_account_as_of", "coop_id", "account", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"))
    account: Mapped[HeldIn] = mapped_column(str_enum(HeldIn, "held_in"))
    as_of: Mapped[date]
    statement_balance_pence: Mapped[int] = mapped_column(Pence)
    ledger_balance_pence: Mapped[int] = mapped_column(Pence)
    note: Mapped[str] = mapped_column(String(RECONCILIATION_NOTE_MAX_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()

    @property
    def difference_pence(self) -> int:
        """What the statement shows beyond the ledger (negative: less than the ledger)."""
        return self.statement_balance_pence - self.ledger_balance_pence


class ReconciledPosting(Model):
    """A posting a reconciliation found on the statement; each posting is ticked once."""

    __tablename__ = "reconciled_postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("reconciliations.id"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id"), unique=True)
