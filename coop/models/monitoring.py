"""A support record's monitoring return for a period, and the PDF last made of it.

The figures of a return are never stored: they are the council report's,
worked out (and suppressed) each time the return is shown or printed. What
an officer writes is kept: the narrative fields, who saved them and when,
and a version that goes up by one at every save, so a stored PDF says which
saved text it was made from.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.support import SupportRecord

# The narrative an officer writes, in the order the return asks for it.
NARRATIVE_FIELDS = ("delivered", "outcomes", "story", "challenges", "next_plans", "spend_notes")


class MonitoringReturn(Model):
    """What an officer wrote in a support record's return for one period."""

    __tablename__ = "monitoring_returns"
    __table_args__ = (
        UniqueConstraint("support_record_id", "period_start", "period_end"),
        CheckConstraint("period_end >= period_start", name="period_dates"),
        CheckConstraint("version >= 0", name="version_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    support_record_id: Mapped[int] = mapped_column(
        ForeignKey("support_records.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[date]
    period_end: Mapped[date]
    delivered: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    story: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    next_plans: Mapped[str] = mapped_column(Text, default="")
    spend_notes: Mapped[str] = mapped_column(Text, default="")
    # 0 until the narrative is first saved (a PDF may be made of the figures alone).
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    record: Mapped[SupportRecord] = relationship()
    saved_by: Mapped[User | None] = relationship()


class MonitoringReturnPdf(Model):
    """The PDF last made of a return: its bytes, when, and from which saved version."""

    __tablename__ = "monitoring_return_pdfs"
    __table_args__ = (CheckConstraint("version >= 0", name="version_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    monitoring_return_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_returns.id", ondelete="CASCADE"), unique=True
    )
    content: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int]  # the return's version the PDF shows
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    monitoring_return: Mapped[MonitoringReturn] = relationship()
