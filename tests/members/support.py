"""Helpers the member and admin tests share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from coop.domain.roles import JoiningPolicy, Role
from coop.extensions import db
from coop.models import Coop, HouseholdFact, Invitation, Membership, OutboxMessage, User
from coop.services.errors import ServiceError


def snapshot() -> tuple[list[tuple], list[tuple], int]:
    """Return every membership and invitation, and the outbox size, to spot any write."""
    db.session.expire_all()
    memberships = db.session.execute(
        select(
            Membership.id,
            Membership.coop_id,
            Membership.user_id,
            Membership.role,
            Membership.status,
        ).order_by(Membership.id)
    ).all()
    facts = db.session.execute(
        select(
            HouseholdFact.membership_id,
            HouseholdFact.fact,
            HouseholdFact.number,
            HouseholdFact.postcode,
            HouseholdFact.consent_version,
        ).order_by(HouseholdFact.id)
    ).all()
    invitations = db.session.execute(
        select(Invitation.id, Invitation.accepted_at, Invitation.revoked_at).order_by(Invitation.id)
    ).all()
    outbox = len(db.session.scalars(select(OutboxMessage.id)).all())
    return (
        [tuple(r) for r in memberships] + [tuple(r) for r in facts],
        [tuple(r) for r in invitations],
        outbox,
    )


def refused(call: Callable[..., Any], message: str, **kwargs: Any) -> ServiceError:
    """Run a service that must refuse with *message*, and check it wrote nothing."""
    db.session.commit()  # what came before is settled, as after an earlier request
    before = snapshot()
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    db.session.rollback()
    assert caught.value.message == message
    assert snapshot() == before
    return caught.value


def membership(coop: Coop, user: User) -> Membership | None:
    """Return *user*'s membership of *coop* as the database has it now."""
    db.session.expire_all()
    return db.session.scalar(
        select(Membership).where(Membership.coop_id == coop.id, Membership.user_id == user.id)
    )


@dataclass
class TwoCoops:
    """A co-op with a coordinator, a treasurer and a member, and a co-op next door."""

    coop: Coop
    coordinator: User
    treasurer: User
    member: User
    other_coop: Coop
    other_member: User
    other_coordinator: User


def build_two_coops(factory: Any, *, policy: JoiningPolicy = JoiningPolicy.APPROVAL) -> TwoCoops:
    coop = factory.coop(name="Fishwick Food Co-op", slug="fishwick", joining_policy=policy)
    other = factory.coop(name="Ribbleton Pantry", slug="ribbleton")
    return TwoCoops(
        coop=coop,
        coordinator=factory.member(
            coop, Role.COORDINATOR, user=factory.user(name="Cora Coordinator")
        ),
        treasurer=factory.member(coop, Role.TREASURER, user=factory.user(name="Tom Treasurer")),
        member=factory.member(
            coop,
            user=factory.user(name="Mina Member"),
            household_size=3,
            postcode="PR1 5XX",
        ),
        other_coop=other,
        other_member=factory.member(other, user=factory.user(name="Olly Other")),
        other_coordinator=factory.member(
            other, Role.COORDINATOR, user=factory.user(name="Rita Ribbleton")
        ),
    )
