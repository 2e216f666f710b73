"""Every email the platform writes: the outbox, sent from after its transaction commits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import Model
from coop.models.types import UTCDateTime, str_enum, utcnow


class OutboxStatus(StrEnum):
    """Where a message is on its way out."""

    STORED = "stored"  # no MAIL_SERVER configured: kept here, never sent
    QUEUED = "queued"  # waiting to be sent (again, at next_attempt_at, after an error)
    SENDING = "sending"  # claimed by a sender; handed_at set once its DATA went to the server
    SENT = "sent"  # the server accepted it (reply)
    FAILED = "failed"  # the server refused it (error); retried at next_attempt_at, if set


class OutboxMessage(Model):
    """A message, written in the transaction of the action that caused it."""

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
    # The message as it goes to the SMTP server (headers, body, attachments);
    # forgotten once it is sent or given up, so a sign-in link does not linger.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text)  # what the server answered to its DATA
