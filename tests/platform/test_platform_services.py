"""Co-ops: creating them, appointing coordinators, linking them to councils."""

from __future__ import annotations

from datetime import date

import pytest
from support import count_rows, refusal_message

from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, CoopCouncilLink, Membership
from coop.services.people import coops


def test_a_co_op_is_created_in_a_council_with_its_first_coordinator(factory):
    council = factory.council()
    person = factory.user(email="cath@example.org")
    coop = coops.create_coop(
        name="Fishwick Food Co-op",
        slug="Fishwick-Food",
        household_cap=15,
        joining_policy=JoiningPolicy.OPEN,
        council=council,
        council_from=date(2024, 4, 1),
        coordinator_email="CATH@example.org",
    )
    db.session.commit()
    assert coop.slug == "fishwick-food"
    assert coops.current_council(coop=coop) == council
    assert coops.current_council(coop=coop, on=date(2024, 3, 31)) is None
    (membership,) = coop.memberships
    assert (membership.user, membership.role, membership.status) == (
        person,
        Role.COORDINATOR,
        MembershipStatus.ACTIVE,
    )
    assert membership.joined_at is not None


def test_an_unknown_first_coordinator_leaves_no_co_op_behind(factory):
    council = factory.council()
    message = refusal_message(
        lambda: coops.create_coop(
            name="Fishwick", slug="fishwick", council=council, coordinator_email="no@example.org"
        ),
        field="coordinator_email",
    )
    assert message == "There is no account for no@example.org. Ask them to register first."
    assert count_rows(Coop) == 0
    assert count_rows(CoopCouncilLink) == 0


def test_a_co_op_cannot_join_a_council_before_the_council_exists(factory):
    council = factory.council(name="Lancashire Unitary", valid_from=date(2028, 4, 1))
    message = refusal_message(
        lambda: coops.create_coop(
            name="Fishwick", slug="fishwick", council=council, council_from=date(2027, 1, 1)
        ),
        field="council_from",
    )
    assert message.startswith("Lancashire Unitary exists from 1 April 2028 onwards")
    assert count_rows(Coop) == 0


def test_a_taken_slug_is_refused(factory):
    factory.coop(slug="fishwick")
    message = refusal_message(
        lambda: coops.create_coop(name="Again", slug="fishwick"), field="slug"
    )
    assert message == "The address 'fishwick' is already taken by another co-op."


def test_a_co_op_is_found_by_its_slug(factory):
    coop = factory.coop(slug="fishwick")
    assert coops.coop_by_slug(slug="fishwick") == coop
    assert (
        refusal_message(lambda: coops.coop_by_slug(slug="nowhere"))
        == "There is no co-op at 'nowhere'."
    )


def test_appointing_a_newcomer_makes_them_an_active_coordinator(factory):
    coop = factory.coop()
    person = factory.user()
    membership = coops.appoint_coordinator(coop=coop, email=person.email)
    db.session.commit()
    assert (membership.role, membership.status) == (Role.COORDINATOR, MembershipStatus.ACTIVE)


def test_appointing_an_active_member_promotes_them_without_using_a_place(factory):
    coop = factory.coop(household_cap=1)
    membership = factory.membership(coop=coop, role=Role.TREASURER)
    coops.appoint_coordinator(coop=coop, email=membership.user.email)
    db.session.commit()
    assert db.session.get(Membership, membership.id).role is Role.COORDINATOR


@pytest.mark.parametrize("status", [MembershipStatus.PENDING, MembershipStatus.LEFT])
def test_appointing_a_pending_or_former_member_reactivates_their_row(factory, status):
    coop = factory.coop()
    membership = factory.membership(coop=coop, status=status)
    coops.appoint_coordinator(coop=coop, email=membership.user.email)
    db.session.commit()
    assert count_rows(Membership) == 1
    row = db.session.get(Membership, membership.id)
    assert (row.role, row.status, row.left_at) == (
        Role.COORDINATOR,
        MembershipStatus.ACTIVE,
        None,
    )


def test_appointing_a_coordinator_twice_is_refused(factory):
    coop = factory.coop(name="Fishwick Food Co-op")
    person = factory.member(coop, Role.COORDINATOR)
    message = refusal_message(lambda: coops.appoint_coordinator(coop=coop, email=person.email))
    assert message == f"{person.name} is already a coordinator of Fishwick Food Co-op."


def test_appointing_a_coordinator_to_a_full_co_op_is_refused(factory):
    coop = factory.coop(name="Fishwick Food Co-op", household_cap=2)
    factory.member(coop)
    factory.member(coop)
    outsider = factory.user()
    message = refusal_message(
        lambda: coops.appoint_coordinator(coop=coop, email=outsider.email), field="email"
    )
    assert message == "Fishwick Food Co-op is full: it has 2 of 2 households."
    assert count_rows(Membership) == 2


def test_appointing_someone_without_an_account_is_refused(factory):
    coop = factory.coop()
    message = refusal_message(
        lambda: coops.appoint_coordinator(coop=coop, email="nobody@example.org"), field="email"
    )
    assert "There is no account for nobody@example.org" in message


def test_moving_a_co_op_ends_its_current_link_the_day_before(factory):
    preston = factory.council(name="Preston")
    unitary = factory.council(name="Central Lancashire", valid_from=date(2028, 4, 1))
    coop = factory.coop(council=preston)
    coops.link_coop_to_council(coop=coop, council=unitary, starts_on=date(2028, 4, 1))
    db.session.commit()
    first, second = sorted(coop.council_links, key=lambda link: link.starts_on)
    assert (first.council, first.ends_on) == (preston, date(2028, 3, 31))
    assert (second.council, second.ends_on) == (unitary, None)
    assert coops.current_council(coop=coop, on=date(2028, 3, 31)) == preston
    assert coops.current_council(coop=coop, on=date(2028, 4, 1)) == unitary


def test_a_new_link_must_start_after_the_latest_one(factory):
    preston, other = factory.council(), factory.council()
    coop = factory.coop(name="Fishwick", council=preston)  # linked from 1 January 2024
    message = refusal_message(
        lambda: coops.link_coop_to_council(coop=coop, council=other, starts_on=date(2024, 1, 1)),
        field="starts_on",
    )
    assert message == (
        "Fishwick already has a council link starting on 1 January 2024; "
        "a new link must start after it."
    )
    assert count_rows(CoopCouncilLink) == 1


def test_linking_a_co_op_to_the_council_it_already_belongs_to_is_refused(factory):
    preston = factory.council(name="Preston")
    coop = factory.coop(name="Fishwick", council=preston)
    message = refusal_message(
        lambda: coops.link_coop_to_council(coop=coop, council=preston, starts_on=date(2025, 1, 1)),
        field="council",
    )
    assert message == "Fishwick already belongs to Preston on that day."


def test_a_link_cannot_start_after_the_council_ends(factory):
    old = factory.council(name="Old", valid_from=date(2000, 1, 1), valid_to=date(2020, 12, 31))
    coop = factory.coop()
    message = refusal_message(
        lambda: coops.link_coop_to_council(coop=coop, council=old, starts_on=date(2021, 1, 1)),
        field="starts_on",
    )
    assert message.startswith("Old exists from 1 January 2000 to 31 December 2020")


def test_list_coops_gives_counts_and_todays_council(factory):
    council = factory.council(name="Preston")
    fishwick = factory.coop(name="Fishwick", council=council)
    factory.coop(name="Ribbleton")
    factory.membership(coop=fishwick)
    factory.membership(coop=fishwick, status=MembershipStatus.PENDING)
    rows = coops.list_coops()
    assert [(r.coop.name, r.active_households, r.council) for r in rows] == [
        ("Fishwick", 1, council),
        ("Ribbleton", 0, None),
    ]
