"""People who sign in, and the logins they are signed in through."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
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
    # Set when the person asked for erasure: the row stays, anonymised, so that
    # the ledger and the co-op's records still point somewhere (see README).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )
    council_appointments: Mapped[list[CouncilOfficer]] = relationship(back_populates="user")

    def signed_in_through(self, login: Login, login_key: str) -> None:
        """Remember which login this request is signed in through (not stored)."""
        self._login = login
        self._login_key = login_key

    @property
    def current_login(self) -> Login | None:
        """Return the login this request is signed in through, if any."""
        return getattr(self, "_login", None)

    def get_login_key(self) -> str:
        """Return what Flask-Login keeps in the session and the remember-me cookie.

        It names the login, not the person, so ending the login (logging out,
        signing out other devices, a new password) makes every copy of either
        cookie useless.
        """
        return self._login_key

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Login(Model):
    """One signing-in of a person on one device, which the server can end.

    The session and remember-me cookies carry the login's id and a random
    token whose digest is kept here; a login that has ended, or is older than
    the remember-me duration, opens nothing.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (CheckConstraint("length(token_digest) = 64", name="token_digest_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(120), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Login {self.id} of user {self.user_id}>"
