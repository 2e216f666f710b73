"""People who sign in."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from coop.models.councils import CouncilOfficer
    from coop.models.memberships import Membership


class User(UserMixin, Model):
    """A person with a login. Households are memberships of users in co-ops.

    Email addresses are stored lower-cased, so uniqueness is case-insensitive.
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )
    council_appointments: Mapped[list[CouncilOfficer]] = relationship(back_populates="user")

    @property
    def session_key(self) -> str:
        """Return a value that changes whenever the password does.

        It is part of the id Flask-Login keeps in the session and the
        remember-me cookie, so changing or resetting a password signs the
        person out everywhere else.
        """
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_key}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
