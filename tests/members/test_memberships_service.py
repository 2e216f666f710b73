"""The rules of joining, leaving and managing households, with their messages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models import OutboxMessage
from coop.services.errors import ServiceError
from coop.services.people.memberships import (
    LAST_COORDINATOR,
    approve_membership,
    change_role,
    decline_membership,
    leave_coop,
    normalise_postcode,
    remove_member,
    request_to_join,
)
from members.support import membership, refused


def outbox_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def test_joining_an_open_coop_makes_an_active_member_at_once(factory):
    coop = factory.coop(joining_policy=JoiningPolicy.OPEN)
    person = factory.user()

    joined = request_to_join(coop=coop, user=person)

    assert joined.status is MembershipStatus.ACTIVE
    assert joined.role is Role.MEMBER
    assert joined.joined_at is not None


def test_asking_to_join_an_approval_coop_is_pending_and_emails_each_coordinator(two_coops, factory):
    second = factory.member(two_coops.coop, Role.COORDINATOR)
    person = factory.user(name="Pat Newcomer")

    asked = request_to_join(coop=two_coops.coop, user=person, review_link="http://x/admin")

    assert asked.status is MembershipStatus.PENDING
    assert asked.joined_at is None
    for coordinator in (two_coops.coordinator, second):
        (mail,) = outbox_to(coordinator.email)
        assert mail.subject == "Pat Newcomer asks to join Fishwick Food Co-op"
        assert "http://x/admin" in mail.body
    assert outbox_to(two_coops.treasurer.email) == []


def test_an_invitation_only_coop_refuses_a_direct_join(factory):
    coop = factory.coop(joining_policy=JoiningPolicy.INVITATION)
    refused(
        request_to_join,
        "This co-op takes new households by invitation only.",
        coop=coop,
        user=factory.user(),
    )


@pytest.mark.parametrize("policy", [JoiningPolicy.OPEN, JoiningPolicy.APPROVAL])
def test_joining_a_full_coop_is_refused_with_the_numbers(factory, policy):
    coop = factory.coop(name="Fishwick Food Co-op", household_cap=2, joining_policy=policy)
    factory.member(coop)
    factory.member(coop)
    factory.membership(coop=coop, status=MembershipStatus.PENDING)
    factory.membership(coop=coop, status=MembershipStatus.LEFT)

    refused(
        request_to_join,
        "Fishwick Food Co-op is full: it has 2 of 2 households.",
        coop=coop,
        user=factory.user(),
    )


def test_the_cap_counts_only_active_households(factory):
    coop = factory.coop(household_cap=2, joining_policy=JoiningPolicy.OPEN)
    factory.member(coop)
    factory.membership(coop=coop, status=MembershipStatus.PENDING)
    factory.membership(coop=coop, status=MembershipStatus.LEFT)

    assert request_to_join(coop=coop, user=factory.user()).is_active


def test_a_member_cannot_join_again(two_coops):
    refused(
        request_to_join,
        "You are already a member of Fishwick Food Co-op.",
        coop=two_coops.coop,
        user=two_coops.member,
    )


def test_a_household_cannot_ask_twice(two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    refused(
        request_to_join,
        "You have already asked to join Fishwick Food Co-op. A coordinator will answer soon.",
        coop=two_coops.coop,
        user=pending.user,
    )


def test_a_former_member_rejoins_on_the_same_row_as_a_plain_member(factory):
    coop = factory.coop(joining_policy=JoiningPolicy.OPEN)
    factory.member(coop, Role.COORDINATOR)
    former = factory.membership(coop=coop, role=Role.TREASURER, status=MembershipStatus.LEFT)

    rejoined = request_to_join(coop=coop, user=former.user)

    assert rejoined.id == former.id
    assert rejoined.status is MembershipStatus.ACTIVE
    assert rejoined.role is Role.MEMBER
    assert rejoined.left_at is None


def test_approving_makes_the_household_active_and_emails_it(two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)

    approve_membership(
        coop=two_coops.coop, membership=pending, coop_link="http://x/coops/fishwick/"
    )

    assert membership(two_coops.coop, pending.user).status is MembershipStatus.ACTIVE
    (mail,) = outbox_to(pending.user.email)
    assert mail.subject == "Welcome to Fishwick Food Co-op"
    assert "http://x/coops/fishwick/" in mail.body


def test_approving_respects_the_cap(two_coops, factory):
    two_coops.coop.household_cap = 3
    db.session.commit()
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)

    refused(
        approve_membership,
        "Fishwick Food Co-op is full: it has 3 of 3 households.",
        coop=two_coops.coop,
        membership=pending,
    )


def test_only_a_pending_request_can_be_approved_or_declined(two_coops):
    mina = membership(two_coops.coop, two_coops.member)
    for service in (approve_membership, decline_membership):
        refused(
            service,
            "Mina Member has no request waiting for an answer.",
            coop=two_coops.coop,
            membership=mina,
        )


def test_declining_a_first_request_leaves_no_row_and_tells_the_household(two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    person = pending.user

    decline_membership(coop=two_coops.coop, membership=pending)

    assert membership(two_coops.coop, person) is None
    (mail,) = outbox_to(person.email)
    assert "not accepted" in mail.body


def test_declining_a_former_member_keeps_them_a_former_member(two_coops, factory):
    former = factory.membership(coop=two_coops.coop)
    leave_coop(membership=former)
    request_to_join(coop=two_coops.coop, user=former.user)

    decline_membership(coop=two_coops.coop, membership=former)

    assert membership(two_coops.coop, former.user).status is MembershipStatus.LEFT


def test_changing_a_role(two_coops):
    mina = membership(two_coops.coop, two_coops.member)
    change_role(coop=two_coops.coop, membership=mina, role=Role.TREASURER)
    assert membership(two_coops.coop, two_coops.member).role is Role.TREASURER


def test_the_last_coordinator_cannot_be_demoted(two_coops):
    cora = membership(two_coops.coop, two_coops.coordinator)
    for role in (Role.MEMBER, Role.TREASURER):
        refused(change_role, LAST_COORDINATOR, coop=two_coops.coop, membership=cora, role=role)


def test_a_coordinator_can_step_down_when_another_remains(two_coops, factory):
    factory.member(two_coops.coop, Role.COORDINATOR)
    cora = membership(two_coops.coop, two_coops.coordinator)

    change_role(coop=two_coops.coop, membership=cora, role=Role.MEMBER)

    assert membership(two_coops.coop, two_coops.coordinator).role is Role.MEMBER


def test_a_pending_or_former_household_has_no_role_to_change(two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    refused(
        change_role,
        f"{pending.user.name} is not an active member of Fishwick Food Co-op.",
        coop=two_coops.coop,
        membership=pending,
        role=Role.TREASURER,
    )


def test_a_membership_of_another_coop_is_refused(two_coops):
    olly = membership(two_coops.other_coop, two_coops.other_member)
    refused(
        remove_member,
        "Olly Other is not an active member of Fishwick Food Co-op.",
        coop=two_coops.coop,
        membership=olly,
    )


def test_removing_a_member_ends_the_membership_and_emails_the_household(two_coops):
    mina = membership(two_coops.coop, two_coops.member)

    remove_member(coop=two_coops.coop, membership=mina)

    removed = membership(two_coops.coop, two_coops.member)
    assert removed.status is MembershipStatus.LEFT
    assert removed.left_at is not None
    (mail,) = outbox_to(two_coops.member.email)
    assert mail.subject == "You are no longer a member of Fishwick Food Co-op"


def test_the_last_coordinator_cannot_be_removed_or_leave(two_coops):
    cora = membership(two_coops.coop, two_coops.coordinator)
    refused(remove_member, LAST_COORDINATOR, coop=two_coops.coop, membership=cora)
    refused(leave_coop, LAST_COORDINATOR, membership=cora)


def test_leaving_makes_a_former_member(two_coops):
    leave_coop(membership=membership(two_coops.coop, two_coops.member))

    left = membership(two_coops.coop, two_coops.member)
    assert left.status is MembershipStatus.LEFT
    assert left.left_at is not None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("pr1 5xx", "PR1 5XX"),
        ("PR15XX", "PR1 5XX"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("b33 8th", "B33 8TH"),
        ("EC1A 1BB", "EC1A 1BB"),
    ],
)
def test_postcodes_are_normalised(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["PR1", "12345", "PR1 5CX", "Preston", "PR1 5XXX", "P 5XX"])
def test_a_postcode_that_is_not_a_uk_postcode_is_refused(typed):
    with pytest.raises(ServiceError) as caught:
        normalise_postcode(typed)
    assert caught.value.message == "Enter a UK postcode, like PR1 5XX."
    assert caught.value.field == "postcode"


def test_removing_a_household_deletes_its_postcode_and_consent(two_coops):
    mina = membership(two_coops.coop, two_coops.member)
    assert mina.postcode == "PR1 5XX"

    remove_member(coop=two_coops.coop, membership=mina)

    removed = membership(two_coops.coop, two_coops.member)
    assert removed.postcode is None


def test_leaving_deletes_the_households_postcode_and_consent(two_coops):
    leave_coop(membership=membership(two_coops.coop, two_coops.member))

    left = membership(two_coops.coop, two_coops.member)
    assert left.postcode is None


def test_the_removal_email_names_the_coordinators_to_contact(two_coops):
    remove_member(coop=two_coops.coop, membership=membership(two_coops.coop, two_coops.member))

    (mail,) = outbox_to(two_coops.member.email)
    assert f"Cora Coordinator <{two_coops.coordinator.email}>" in mail.body
    assert two_coops.treasurer.email not in mail.body


def test_the_decline_email_names_the_coordinators_to_contact(two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)

    decline_membership(coop=two_coops.coop, membership=pending)

    (mail,) = outbox_to(pending.user.email)
    assert f"Cora Coordinator <{two_coops.coordinator.email}>" in mail.body


def test_choosing_the_role_a_household_has_is_refused_as_no_change(two_coops):
    error = refused(
        change_role,
        "Mina Member is already a member.",
        coop=two_coops.coop,
        membership=membership(two_coops.coop, two_coops.member),
        role=Role.MEMBER,
    )
    assert error.field == "role"


def test_joining_an_open_coop_tells_each_coordinator(factory):
    coop = factory.coop(name="Fishwick Food Co-op", joining_policy=JoiningPolicy.OPEN)
    coordinator = factory.member(coop, Role.COORDINATOR)
    treasurer = factory.member(coop, Role.TREASURER)
    person = factory.user(name="Pat Newcomer")

    request_to_join(coop=coop, user=person, review_link="http://x/coops/fishwick/admin/")

    (mail,) = outbox_to(coordinator.email)
    assert mail.subject == "Pat Newcomer has joined Fishwick Food Co-op"
    assert person.email in mail.body and "http://x/coops/fishwick/admin/" in mail.body
    assert outbox_to(treasurer.email) == []


def test_leaving_tells_each_remaining_coordinator(two_coops, factory):
    second = factory.member(two_coops.coop, Role.COORDINATOR)

    leave_coop(membership=membership(two_coops.coop, second), members_link="http://x/members")

    (mail,) = outbox_to(two_coops.coordinator.email)
    assert mail.subject == f"{second.name} has left Fishwick Food Co-op"
    assert "http://x/members" in mail.body
    assert outbox_to(second.email) == []
