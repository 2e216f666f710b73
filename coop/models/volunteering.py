"""The co-op's volunteer tasks and the time households log on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.domain.volunteering import MINUTES_MAX, QUARTER, TASK_NAME_MAX
from coop.extensions import Model
from coop.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.memberships import Membership


class VolunteerTask(Model):
    """A kind of work on the co-op's own list (packing, driving...).

    A task with time logged against it is retired rather than deleted, so
    old entries keep their name.
    """

    __tablename__ = "volunteer_tasks"
    __table_args__ = (
        UniqueConstraint("coop_id", "name"),
        CheckConstraint(f"length(name) BETWEEN 1 AND {TASK_NAME_MAX}", name="name_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    name: Mapped[str] = mapped_column(String(TASK_NAME_MAX))
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VolunteerEntry(Model):
    """Time one household spent on one task on one day, in whole minutes."""

    __tablename__ = "volunteer_entries"
    __table_args__ = (
        CheckConstraint(
            f"minutes BETWEEN {QUARTER} AND {MINUTES_MAX} AND minutes % {QUARTER} = 0",
            name="minutes_in_quarters",
        ),
        Index("ix_volunteer_entries_coop_id_worked_on", "coop_id", "worked_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("volunteer_tasks.id"), index=True)
    worked_on: Mapped[date]
    minutes: Mapped[int]
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership] = relationship()
    task: Mapped[VolunteerTask] = relationship()
    logged_by: Mapped[User | None] = relationship()
