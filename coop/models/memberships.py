"""Households in co-ops, and invitations to join."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.domain.household import Fact
from coop.domain.roles import MembershipStatus, Role
from coop.extensions import Model
from coop.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.coops import Coop
    from coop.models.household import HouseholdFact


class Membership(Model):
    """A household (a user) in a co-op, with its role and status.

    One row per person and co-op: leaving and re-joining reuse it, so the
    household keeps its identity (and, later, its ledger account). What the
    household has told the co-op about itself is in its consented `facts`.
    """

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("coop_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "membership_role"), default=Role.MEMBER)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), default=MembershipStatus.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    coop: Mapped[Coop] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    facts: Mapped[list[HouseholdFact]] = relationship(
        back_populates="membership",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="HouseholdFact.id",
    )

    @property
    def is_active(self) -> bool:
        return self.status is MembershipStatus.ACTIVE

    def fact(self, fact: Fact) -> HouseholdFact | None:
        """Return the household's consented *fact*, or None when it has not given it."""
        return next((row for row in self.facts if row.fact is fact), None)

    @property
    def postcode(self) -> str | None:
        row = self.fact(Fact.POSTCODE)
        return row.postcode if row else None

    @property
    def household_size(self) -> int | None:
        row = self.fact(Fact.HOUSEHOLD_SIZE)
        return row.number if row else None


class Invitation(Model):
    """A link that lets a person join a co-op, whatever its joining policy.

    Only a SHA-256 digest of the token is stored; the link carries the token.
    An invitation is single-use and expires.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    coop: Mapped[Coop] = relationship(back_populates="invitations")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
