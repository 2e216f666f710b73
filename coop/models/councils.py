"""Councils and the officers appointed to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.coops import CoopCouncilLink


class Council(Model):
    """A local authority, keyed by its GSS code, valid between two dates.

    Councils are replaced (Lancashire's in 2028), so nothing hard-codes one:
    a new council is a new row with its own dates.
    """

    __tablename__ = "councils"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_dates"),
        CheckConstraint("length(gss_code) = 9", name="gss_code_length"),
        CheckConstraint("suppression_threshold >= 5", name="suppression_threshold_min"),
        CheckConstraint("successor_id IS NULL OR successor_id <> id", name="successor_not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    gss_code: Mapped[str] = mapped_column(String(9), unique=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    suppression_threshold: Mapped[int] = mapped_column(default=10)
    # The council that replaced this one (Lancashire's districts by a unitary council).
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officers: Mapped[list[CouncilOfficer]] = relationship(back_populates="council")
    coop_links: Mapped[list[CoopCouncilLink]] = relationship(back_populates="council")
    successor: Mapped[Council | None] = relationship(remote_side=[id])


class CouncilOfficer(Model):
    """An appointment of a person as an officer of a council."""

    __tablename__ = "council_officers"
    __table_args__ = (UniqueConstraint("council_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    council: Mapped[Council] = relationship(back_populates="officers")
    user: Mapped[User] = relationship(back_populates="council_appointments")
