"""Credit control: a treasurer's approval of one household's order in one round.

A co-op that asks for approval (`Coop.credit_limit_needs_approval`) lets a
household past its credit limit ask the treasurer; the row is written when the
household asks (`approved_at` empty: waiting) and completed when a treasurer
approves. An approved household's order in that round is not held to the
limit. One row per household and round.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.memberships import Membership
    from coop.models.rounds import Round


class CreditApproval(Model):
    """A household's request to order past the credit limit in a round, and its approval."""

    __tablename__ = "credit_approvals"
    __table_args__ = (UniqueConstraint("membership_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    membership: Mapped[Membership] = relationship()
    round: Mapped[Round] = relationship()
    approved_by: Mapped[User | None] = relationship()

    @property
    def approved(self) -> bool:
        return self.approved_at is not None
