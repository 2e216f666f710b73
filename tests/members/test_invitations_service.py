"""Invitation links: made, emailed, accepted once, expiring, withdrawn."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models import Invitation, OutboxMessage
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.people.invitations import (
    InvitationStatus,
    accept_invitation,
    create_invitation,
    invitation_status,
    revoke_invitation,
)
from members.support import membership, refused


def link(token: str) -> str:
    return f"http://coop.test/join/{token}"


@pytest.fixture
def invitation_only(factory):
    coop = factory.coop(name="Fishwick Food Co-op", joining_policy=JoiningPolicy.INVITATION)
    coordinator = factory.member(coop, Role.COORDINATOR)
    return coop, coordinator


def test_an_invitation_stores_only_a_digest_of_its_token(invitation_only, app):
    coop, coordinator = invitation_only

    invitation, token = create_invitation(coop=coop, created_by=coordinator)

    assert len(token) >= 40
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_digest
    days = app.config["INVITATION_MAX_AGE_DAYS"]
    assert invitation.expires_at - invitation.created_at == timedelta(days=days)
    assert invitation_status(invitation) is InvitationStatus.OPEN
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_an_invitation_with_an_email_sends_the_link(invitation_only):
    coop, coordinator = invitation_only

    _, token = create_invitation(
        coop=coop, created_by=coordinator, email=" Newcomer@Example.org ", link_for=link
    )

    (mail,) = db.session.scalars(select(OutboxMessage)).all()
    assert mail.recipient == "newcomer@example.org"
    assert mail.subject == "An invitation to join Fishwick Food Co-op"
    assert link(token) in mail.body


def test_inviting_someone_who_is_already_a_member_is_refused(invitation_only, factory):
    coop, coordinator = invitation_only
    member = factory.member(coop)
    with pytest.raises(ServiceError) as caught:
        create_invitation(coop=coop, created_by=coordinator, email=member.email, link_for=link)
    assert caught.value.message == f"{member.email} is already a member of Fishwick Food Co-op."
    assert caught.value.field == "email"


def test_accepting_joins_as_active_whatever_the_policy(invitation_only, factory):
    coop, coordinator = invitation_only
    invitation, token = create_invitation(coop=coop, created_by=coordinator)
    person = factory.user()

    joined = accept_invitation(token=token, user=person)

    assert joined.status is MembershipStatus.ACTIVE
    assert invitation.accepted_by_id == person.id
    assert invitation_status(invitation) is InvitationStatus.ACCEPTED


def test_accepting_turns_a_pending_request_into_a_membership(factory):
    coop = factory.coop()
    coordinator = factory.member(coop, Role.COORDINATOR)
    pending = factory.membership(coop=coop, status=MembershipStatus.PENDING)
    _, token = create_invitation(coop=coop, created_by=coordinator)

    assert accept_invitation(token=token, user=pending.user).id == pending.id
    assert membership(coop, pending.user).status is MembershipStatus.ACTIVE


def test_an_unknown_token_is_refused(factory):
    refused(
        accept_invitation,
        "This invitation link is not valid. Check it, or ask for a new one.",
        token="not-a-real-token",
        user=factory.user(),
    )


def _use(invitation: Invitation, token: str, factory) -> None:
    accept_invitation(token=token, user=factory.user())


def _expire(invitation: Invitation, token: str, factory) -> None:
    invitation.expires_at = utcnow() - timedelta(seconds=1)


def _withdraw(invitation: Invitation, token: str, factory) -> None:
    revoke_invitation(coop=invitation.coop, invitation=invitation)


@pytest.mark.parametrize(
    ("spoil", "status", "message"),
    [
        (_use, InvitationStatus.ACCEPTED, "This invitation has already been used."),
        (
            _expire,
            InvitationStatus.EXPIRED,
            "This invitation has expired. Ask the co-op for a new one.",
        ),
        (_withdraw, InvitationStatus.REVOKED, "This invitation has been withdrawn by the co-op."),
    ],
    ids=["used", "expired", "withdrawn"],
)
def test_a_used_expired_or_withdrawn_invitation_is_refused(
    invitation_only, factory, spoil, status, message
):
    coop, coordinator = invitation_only
    invitation, token = create_invitation(coop=coop, created_by=coordinator)
    spoil(invitation, token, factory)
    db.session.commit()

    assert invitation_status(invitation) is status
    refused(accept_invitation, message, token=token, user=factory.user())


def test_accepting_respects_the_cap(factory):
    coop = factory.coop(name="Fishwick Food Co-op", household_cap=1)
    coordinator = factory.member(coop, Role.COORDINATOR)
    _, token = create_invitation(coop=coop, created_by=coordinator)

    refused(
        accept_invitation,
        "Fishwick Food Co-op is full: it has 1 of 1 households.",
        token=token,
        user=factory.user(),
    )


def test_a_member_accepting_an_invitation_keeps_it_for_someone_else(invitation_only, factory):
    coop, coordinator = invitation_only
    _, token = create_invitation(coop=coop, created_by=coordinator)

    refused(
        accept_invitation,
        "You are already a member of Fishwick Food Co-op.",
        token=token,
        user=coordinator,
    )


def test_only_an_open_invitation_can_be_withdrawn(invitation_only, factory):
    coop, coordinator = invitation_only
    invitation, token = create_invitation(coop=coop, created_by=coordinator)
    accept_invitation(token=token, user=factory.user())
    db.session.commit()

    refused(
        revoke_invitation,
        "This invitation is already accepted; it cannot be withdrawn.",
        coop=coop,
        invitation=invitation,
    )


def test_another_coops_invitation_cannot_be_withdrawn_here(invitation_only, factory):
    coop, coordinator = invitation_only
    invitation, _ = create_invitation(coop=coop, created_by=coordinator)
    db.session.commit()

    refused(
        revoke_invitation,
        "That invitation belongs to another co-op.",
        coop=factory.coop(),
        invitation=invitation,
    )
    assert db.session.get(Invitation, invitation.id).revoked_at is None
