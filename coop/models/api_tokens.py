"""Tokens a council officer makes so another system can read the council's reports as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.councils import Council


class CouncilApiToken(Model):
    """A token for the council reports API, scoped to exactly one council.

    One council per token, so revoking it or an officer leaving one council
    touches nothing of another; an officer of two councils makes two tokens.
    Only the SHA-256 digest of the token is stored.
    """

    __tablename__ = "council_api_tokens"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("length(token_digest) = 64", name="token_digest_length"),
        CheckConstraint("revoked_at IS NULL OR revoked_at >= created_at", name="revoked_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    council: Mapped[Council] = relationship()
    created_by: Mapped[User] = relationship()
