"""Councils and their officers: the service rules and their messages."""

from __future__ import annotations

from datetime import date

import pytest
from support import refusal_message

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import Council, CouncilOfficer
from coop.services.people import councils


def test_a_council_is_created_with_its_gss_code_upper_cased(app):
    council = councils.create_council(
        name=" Preston City Council ", gss_code=" e07000123 ", valid_from=date(1974, 4, 1)
    )
    db.session.commit()
    assert (council.name, council.gss_code, council.valid_to) == (
        "Preston City Council",
        "E07000123",
        None,
    )


@pytest.mark.parametrize(
    "code", ["E0700012", "E070001234", "X07000123", "E07000A23", "", "07000123E"]
)
def test_a_malformed_gss_code_is_refused(app, code):
    message = refusal_message(
        lambda: councils.create_council(name="C", gss_code=code, valid_from=date(2020, 1, 1)),
        field="gss_code",
    )
    assert "letter E, W, S or N followed by 8 digits" in message
    assert db.session.query(Council).count() == 0


@pytest.mark.parametrize("code", ["E07000123", "W06000015", "S12000036", "N09000003"])
def test_each_nation_letter_is_accepted(app, code):
    assert councils.create_council(name="C", gss_code=code, valid_from=date(2020, 1, 1)).id


def test_a_second_council_with_the_same_gss_code_is_refused(factory):
    factory.council(gss_code="E07000123")
    message = refusal_message(
        lambda: councils.create_council(
            name="Copy", gss_code="e07000123", valid_from=date(2020, 1, 1)
        ),
        field="gss_code",
    )
    assert message == "A council with GSS code E07000123 already exists."


def test_a_council_cannot_end_before_it_starts(app):
    message = refusal_message(
        lambda: councils.create_council(
            name="C", gss_code="E07000123", valid_from=date(2020, 1, 2), valid_to=date(2020, 1, 1)
        ),
        field="valid_to",
    )
    assert message == "The end date cannot be before the start date."


def test_a_council_needs_a_name(app):
    message = refusal_message(
        lambda: councils.create_council(
            name="  ", gss_code="E07000123", valid_from=date(2020, 1, 1)
        ),
        field="name",
    )
    assert message == "Give the council's name."


def test_updating_a_council_may_keep_its_own_code_but_not_take_another(factory):
    preston = factory.council(name="Preston", gss_code="E07000123")
    factory.council(gss_code="E07000124")
    councils.update_council(
        council=preston,
        name="Preston City Council",
        gss_code="E07000123",
        valid_from=date(1974, 4, 1),
        valid_to=date(2028, 3, 31),
    )
    db.session.commit()
    assert (preston.name, preston.valid_to) == ("Preston City Council", date(2028, 3, 31))
    message = refusal_message(
        lambda: councils.update_council(
            council=preston,
            name="Preston",
            gss_code="E07000124",
            valid_from=date(1974, 4, 1),
            valid_to=None,
        ),
        field="gss_code",
    )
    assert message == "A council with GSS code E07000124 already exists."
    assert db.session.get(Council, preston.id).gss_code == "E07000123"


def test_an_officer_is_appointed_by_email_in_any_letter_case(factory):
    council = factory.council()
    person = factory.user(email="olu@example.org")
    officer = councils.appoint_officer(council=council, email=" OLU@Example.org ")
    db.session.commit()
    assert officer.user == person
    assert councils.list_officers(council=council) == [person]
    assert councils.councils_of(user=person) == [council]


def test_appointing_someone_without_an_account_is_refused(factory):
    council = factory.council()
    message = refusal_message(
        lambda: councils.appoint_officer(council=council, email="nobody@example.org"),
        field="email",
    )
    assert message == "There is no account for nobody@example.org. Ask them to register first."


def test_appointing_the_same_officer_twice_is_refused(factory):
    council = factory.council(name="Preston City Council")
    person = factory.officer(council, factory.user(name="Olu Officer"))
    message = refusal_message(
        lambda: councils.appoint_officer(council=council, email=person.email), field="email"
    )
    assert message == "Olu Officer is already an officer of Preston City Council."
    assert db.session.query(CouncilOfficer).count() == 1


def test_removing_an_officer_ends_their_appointment_only_there(factory):
    preston, lancashire = factory.council(), factory.council()
    person = factory.officer(preston)
    factory.officer(lancashire, person)
    councils.remove_officer(council=preston, user_id=person.id)
    db.session.commit()
    assert councils.councils_of(user=person) == [lancashire]


def test_removing_someone_who_is_not_an_officer_is_refused(factory):
    council = factory.council(name="Preston City Council")
    person = factory.user()
    message = refusal_message(lambda: councils.remove_officer(council=council, user_id=person.id))
    assert message == "That person is not an officer of Preston City Council."


def test_a_council_is_found_by_gss_code(factory):
    council = factory.council(gss_code="E07000123")
    assert councils.council_by_gss_code(gss_code="e07000123") == council
    message = refusal_message(lambda: councils.council_by_gss_code(gss_code="E07000999"))
    assert message == "There is no council with GSS code E07000999."


def test_linked_coops_counts_active_households_of_co_ops_linked_on_the_day(factory):
    council = factory.council()
    linked = factory.coop(name="Linked", council=council)
    for status in (MembershipStatus.ACTIVE, MembershipStatus.ACTIVE, MembershipStatus.PENDING):
        factory.membership(coop=linked, status=status)
    factory.membership(coop=linked, status=MembershipStatus.LEFT)
    empty = factory.coop(name="Empty", council=council)
    elsewhere = factory.coop(name="Elsewhere", council=factory.council())
    factory.membership(coop=elsewhere)

    rows = councils.linked_coops(council=council)
    assert [(row.name, row.active_households) for row in rows] == [("Empty", 0), ("Linked", 2)]
    assert rows[1].since == date(2024, 1, 1)
    assert councils.linked_coops(council=council, on=date(2023, 12, 31)) == []
    assert empty.id in {row.coop_id for row in rows}


def test_the_council_overview_suppresses_small_counts(factory):
    council = factory.council()
    factory.households(factory.coop(name="Small", council=council), 3)
    factory.households(factory.coop(name="Large", council=council), 12)

    overview = councils.council_overview(council=council)
    assert [(c.name, c.registered_households.text) for c in overview.coops] == [
        ("Large", "not shown"),
        ("Small", "fewer than 10"),
    ]
    assert overview.total.text == "15"
    assert overview.threshold == 10
    assert overview.any_secondary
