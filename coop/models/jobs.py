"""Long work a person watches: one row per run, with its progress and result."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import Model
from coop.models.types import UTCDateTime, str_enum, utcnow


class JobRunStatus(StrEnum):
    """Where a long job is."""

    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"  # done of total so far
    DONE = "done"  # finished: result holds what it did
    FAILED = "failed"  # gave up: error says why, nothing of it was kept


class JobRun(Model):
    """One run of a long job (a large catalogue import, a postcode load, a report export).

    The job updates *done* of *total* as it goes, committed apart from its
    work so the status page sees it; *result* is the job's own JSON (what it
    did, the rows it refused) and *back_link* where the person came from.
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint("done >= 0", name="done_not_negative"),
        CheckConstraint("total IS NULL OR total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    coop_id: Mapped[int | None] = mapped_column(ForeignKey("coops.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the job works on, by the kind's own meaning (a catalogue import's id, say).
    subject_id: Mapped[int | None]
    status: Mapped[JobRunStatus] = mapped_column(
        str_enum(JobRunStatus, "job_run_status"), default=JobRunStatus.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0, server_default="0")
    total: Mapped[int | None]
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    back_link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
