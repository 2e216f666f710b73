"""Council support for a co-op: grants, premises, staff time, subsidies (METRICS.md).

A minimal record for now: settlement applies `subsidy` records to rounds;
the council pages that keep these records build on it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import Pence, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.coops import Coop
    from coop.models.councils import Council


class SupportKind(StrEnum):
    """The kinds of council support METRICS.md names."""

    GRANT = "grant"
    MICRO_GRANT = "micro_grant"
    PREMISES = "premises"
    STAFF_TIME = "staff_time"
    TRAINING = "training"
    SUBSIDY = "subsidy"
    LOAN = "loan"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SupportRecord(Model):
    """One award or in-kind agreement between a council and a co-op."""

    __tablename__ = "support_records"
    __table_args__ = (
        CheckConstraint("value_pence >= 0", name="value_not_negative"),
        CheckConstraint("length(programme) > 0", name="programme_not_empty"),
        CheckConstraint(
            "period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
            name="period_dates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    programme: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SupportKind] = mapped_column(str_enum(SupportKind, "support_kind"))
    value_pence: Mapped[int] = mapped_column(Pence)  # summed over periods and councils
    awarded_on: Mapped[date]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council: Mapped[Council] = relationship()
    coop: Mapped[Coop] = relationship()
