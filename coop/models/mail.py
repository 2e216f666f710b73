"""Email that was not sent by SMTP: the outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import Model
from coop.models.types import UTCDateTime, str_enum, utcnow


class OutboxStatus(StrEnum):
    """Why a message sits in the outbox."""

    STORED = "stored"  # no MAIL_SERVER configured
    FAILED = "failed"  # the SMTP server refused it or could not be reached


class OutboxMessage(Model):
    """A message kept for the platform admin to read instead of being sent."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus, "outbox_status"))
    # Its link lets the reader sign in, register or join (a reset, a registration,
    # an invitation): the outbox page does not show its body.
    secret: Mapped[bool] = mapped_column(default=False, server_default=false())
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
