"""The balances a co-op brought with it when it started on coop.

One `OpeningBalance` per co-op is in force at a time: `in_force_coop_id`
holds the co-op's id while it is, under a unique key, so a second entry (or
two treasurers submitting at once) is stopped by the database and not only
by a check. Reversing the opening balance's transaction clears it and
stamps `reversed_at`; the row, the transaction and its reversal stay, and a
corrected opening balance may then be entered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.ledger import LedgerTransaction


class OpeningBalance(Model):
    """A co-op's households', cash and bank balances as at a date, posted as one transaction."""

    __tablename__ = "opening_balances"
    __table_args__ = (
        CheckConstraint(
            "in_force_coop_id IS NULL OR in_force_coop_id = coop_id", name="in_force_is_own_coop"
        ),
        CheckConstraint(
            "(in_force_coop_id IS NULL) = (reversed_at IS NOT NULL)",
            name="reversed_is_not_in_force",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    # The co-op's id while this opening balance stands; NULL once reversed. Unique: one at a time.
    in_force_coop_id: Mapped[int | None] = mapped_column(ForeignKey("coops.id"), unique=True)
    as_of: Mapped[date]
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    transaction: Mapped[LedgerTransaction] = relationship()
    created_by: Mapped[User | None] = relationship()
