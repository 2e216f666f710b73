"""Invitation links: creating, accepting and withdrawing them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import select

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import Coop, Invitation, Membership, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.people.accounts import normalise_email
from coop.services.people.memberships import activate, membership_of, refuse_if_member
from coop.services.tokens import new_token, token_digest

LinkBuilder = Callable[[str], str]


class InvitationStatus(StrEnum):
    """Where an invitation stands, as coordinators see it."""

    OPEN = "open"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


def invitation_status(invitation: Invitation, *, now: datetime | None = None) -> InvitationStatus:
    """Tell whether *invitation* is open, accepted, expired or revoked."""
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= (now or utcnow()):
        return InvitationStatus.EXPIRED
    return InvitationStatus.OPEN


def check_invitation(*, token: str, lock: bool = False) -> Invitation:
    """Return the open invitation a link's *token* belongs to, or say why it cannot be used."""
    query = select(Invitation).where(Invitation.token_digest == token_digest(token))
    invitation = db.session.scalar(query.with_for_update() if lock else query)
    if invitation is None:
        raise ServiceError("This invitation link is not valid. Check it, or ask for a new one.")
    status = invitation_status(invitation)
    if status is InvitationStatus.REVOKED:
        raise ServiceError("This invitation has been withdrawn by the co-op.")
    if status is InvitationStatus.ACCEPTED:
        raise ServiceError("This invitation has already been used.")
    if status is InvitationStatus.EXPIRED:
        raise ServiceError("This invitation has expired. Ask the co-op for a new one.")
    return invitation


def create_invitation(
    *,
    coop: Coop,
    created_by: User,
    email: str | None = None,
    link_for: LinkBuilder | None = None,
) -> tuple[Invitation, str]:
    """Add a single-use invitation to *coop*; email its link when *email* is given.

    Returns the invitation and its token, which is stored only as a digest.
    *link_for* turns the token into the absolute link people follow.
    """
    email = normalise_email(email or "") or None
    if email is not None:
        already = db.session.scalar(
            select(Membership.id)
            .join(Membership.user)
            .where(
                Membership.coop_id == coop.id,
                Membership.status == MembershipStatus.ACTIVE,
                User.email == email,
            )
        )
        if already is not None:
            raise ServiceError(f"{email} is already a member of {coop.name}.", field="email")
        if link_for is None:
            raise ValueError("an emailed invitation needs link_for to build its link")
    token, digest = new_token()
    now = utcnow()
    invitation = Invitation(
        coop=coop,
        token_digest=digest,
        email=email,
        created_by_id=created_by.id,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    if email is not None and link_for is not None:
        send_message(
            "people/invitation.txt",
            to=email,
            coop=coop,
            invited_by=created_by,
            link=link_for(token),
            expires_at=invitation.expires_at,
        )
    return invitation, token


def accept_invitation(*, token: str, user: User) -> Membership:
    """Make *user* an active member of the invitation's co-op, whatever its policy."""
    invitation = check_invitation(token=token, lock=True)
    coop = invitation.coop
    membership = membership_of(coop=coop, user=user)
    refuse_if_member(coop=coop, membership=membership)
    membership = activate(coop=coop, user=user, membership=membership)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    return membership


def revoke_invitation(*, coop: Coop, invitation: Invitation) -> Invitation:
    """Withdraw an open invitation so its link no longer works."""
    if invitation.coop_id != coop.id:
        raise ServiceError("That invitation belongs to another co-op.")
    status = invitation_status(invitation)
    if status is not InvitationStatus.OPEN:
        raise ServiceError(f"This invitation is already {status.value}; it cannot be withdrawn.")
    invitation.revoked_at = utcnow()
    db.session.flush()
    return invitation
