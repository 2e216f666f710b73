"""Households' choices of what to hear, what they have been sent, and announcements."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.domain.notifications import (
    ANNOUNCEMENT_BODY_MAX,
    ANNOUNCEMENT_SUBJECT_MAX,
    NotificationKind,
)
from coop.extensions import Model
from coop.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.memberships import Membership


class NotificationOptOut(Model):
    """A household that chose not to hear one kind of notification from its co-op.

    No row means the household hears it: every kind is on until it is turned off.
    """

    __tablename__ = "notification_opt_outs"
    __table_args__ = (UniqueConstraint("membership_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership] = relationship()


class NotificationSent(Model):
    """One notification written to one household, so it is never written twice.

    *key* names the event: ``round:12`` for a round's opening, deadline or
    pickup, ``announcement:3``, ``owing:2026-12-03`` for a reminder's day.
    The unique constraint is what makes a second `flask tick` send nothing.
    """

    __tablename__ = "notifications_sent"
    __table_args__ = (UniqueConstraint("membership_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    key: Mapped[str] = mapped_column(String(60))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Announcement(Model):
    """A plain-text message a coordinator wrote to every member of the co-op."""

    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint(
            f"length(subject) BETWEEN 1 AND {ANNOUNCEMENT_SUBJECT_MAX}", name="subject_length"
        ),
        CheckConstraint(f"length(body) BETWEEN 1 AND {ANNOUNCEMENT_BODY_MAX}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(ANNOUNCEMENT_SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set by the job that wrote it to the households, with how many it reached.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(default=0, server_default="0")

    author: Mapped[User | None] = relationship()
