"""Council support for a co-op: grants, premises, staff time, subsidies (METRICS.md).

A record is kept by the council's officers, or proposed by the co-op's
coordinator and then confirmed or declined by an officer. Every change to a
record is written to its history; settlement applies `subsidy` records to
rounds, and the ledger's council-support postings name the record they use.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import Pence, UTCDateTime, sql_in, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
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

    @property
    def in_kind(self) -> bool:
        """Premises, staff time and training are given, not paid: their value is an estimate."""
        return self in IN_KIND


IN_KIND = frozenset({SupportKind.PREMISES, SupportKind.STAFF_TIME, SupportKind.TRAINING})


class SupportStatus(StrEnum):
    """Where a record stands: proposed by a co-op, in force, closed, or declined."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    CLOSED = "closed"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            SupportStatus.PROPOSED: "Proposed, waiting for an officer",
            SupportStatus.ACTIVE: "In force",
            SupportStatus.CLOSED: "Closed",
            SupportStatus.DECLINED: "Declined",
        }[self]


# How often a record's monitoring return falls due, in months.
MONITORING_MONTHS = (1, 3, 6, 12)


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
        CheckConstraint(
            "monitoring_months IS NULL OR " + sql_in("monitoring_months", MONITORING_MONTHS),
            name="monitoring_months_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    programme: Mapped[str] = mapped_column(String(200))
    intermediary: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[SupportKind] = mapped_column(str_enum(SupportKind, "support_kind"))
    value_pence: Mapped[int] = mapped_column(Pence)  # summed over periods and councils
    # For in-kind support: how the value was estimated, such as "£15 an hour x 40 hours".
    value_basis: Mapped[str] = mapped_column(String(200), default="")
    awarded_on: Mapped[date]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    spend_by: Mapped[date | None]
    conditions: Mapped[str] = mapped_column(Text, default="")
    restricted_fund: Mapped[bool] = mapped_column(default=False, server_default=false())
    underspend_returnable: Mapped[bool] = mapped_column(default=False, server_default=false())
    acknowledgement_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    acknowledged_on: Mapped[date | None]  # when an officer saw the co-op acknowledge the support
    monitoring_months: Mapped[int | None]
    monitoring_next_due: Mapped[date | None]
    status: Mapped[SupportStatus] = mapped_column(
        str_enum(SupportStatus, "support_status"),
        default=SupportStatus.ACTIVE,
        server_default=SupportStatus.ACTIVE.value,
    )
    decision_note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council: Mapped[Council] = relationship()
    coop: Mapped[Coop] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class SupportRecordChange(Model):
    """One field of a support record changed: who, when, and from what to what."""

    __tablename__ = "support_record_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    support_record_id: Mapped[int] = mapped_column(
        ForeignKey("support_records.id", ondelete="CASCADE"), index=True
    )
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")

    changed_by: Mapped[User | None] = relationship()


class SupportReminder(Model):
    """A reminder sent to a record's officers: at most once per record, date and what is due."""

    __tablename__ = "support_reminders"
    __table_args__ = (UniqueConstraint("support_record_id", "what", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    support_record_id: Mapped[int] = mapped_column(
        ForeignKey("support_records.id", ondelete="CASCADE"), index=True
    )
    what: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
