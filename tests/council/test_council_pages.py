"""Council officers' pages: their councils, in aggregate figures only."""

from __future__ import annotations

from datetime import date

import pytest
from support import text

from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db


@pytest.fixture
def preston(factory):
    return factory.council(name="Preston City Council", gss_code="E07000123")


@pytest.fixture
def officer(factory, preston):
    return factory.officer(preston, factory.user(name="Olu Officer"))


def test_the_councils_page_lists_the_councils_a_person_is_officer_of(
    client, auth, factory, preston, officer
):
    factory.council(name="Lancashire County Council")
    auth.login_as(officer)

    page = text(client.get("/councils/"))

    assert "Preston City Council" in page
    assert f'href="/councils/{preston.id}/"' in page
    assert "Lancashire County Council" not in page


def test_a_person_with_no_council_is_told_why_the_page_is_empty(client, auth, factory):
    auth.login_as(factory.user())

    page = text(client.get("/councils/"))

    assert "You are not an officer of any council." in page


def test_the_councils_page_needs_a_login(client):
    response = client.get("/councils/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_dashboard_shows_the_council_and_its_linked_co_ops(
    client, auth, factory, preston, officer
):
    factory.households(factory.coop(name="Fishwick Food Co-op", council=preston), 12)
    ribbleton = factory.coop(name="Ribbleton Pantry", council=preston)
    factory.households(ribbleton, 11)
    factory.membership(coop=ribbleton, status=MembershipStatus.PENDING)
    factory.coop(name="Elsewhere Co-op", council=factory.council())
    auth.login_as(officer)

    page = text(client.get(f"/councils/{preston.id}/"))

    assert "<h1>Preston City Council</h1>" in page
    assert "E07000123" in page
    assert "2019" in page  # valid from 1 April 2019 (the factory's date)
    assert "Fishwick Food Co-op" in page and "Ribbleton Pantry" in page
    assert "1 Jan 2024" in page  # linked since
    assert "Elsewhere Co-op" not in page
    assert ">12<" in page and ">11<" in page  # pending households are not registered
    assert "<strong>23</strong>" in page
    assert "fewer than 10" in page  # the page explains the rule


def test_a_co_op_with_three_households_shows_fewer_than_ten(
    client, auth, factory, preston, officer
):
    factory.households(factory.coop(name="Small Co-op", council=preston), 3)
    auth.login_as(officer)

    response = client.get(f"/councils/{preston.id}/")

    page = response.get_data(as_text=True)
    assert 'data-label="Registered households">fewer than 10</td>' in page
    assert ">3<" not in page


def test_a_hidden_count_cannot_be_worked_out_from_the_total(
    client, auth, factory, preston, officer
):
    factory.households(factory.coop(name="Small Co-op", council=preston), 3)
    factory.households(factory.coop(name="Large Co-op", council=preston), 14)
    auth.login_as(officer)

    page = client.get(f"/councils/{preston.id}/").get_data(as_text=True)

    assert "<strong>17</strong>" in page
    assert 'data-label="Registered households">not shown</td>' in page
    assert ">14<" not in page and ">3<" not in page


def test_the_suppression_threshold_is_the_councils_own(client, auth, factory, preston, officer):
    preston.suppression_threshold = 5
    db.session.commit()
    factory.households(factory.coop(council=preston), 6)
    auth.login_as(officer)

    page = client.get(f"/councils/{preston.id}/").get_data(as_text=True)

    assert 'data-label="Registered households">6</td>' in page
    assert "fewer than 5" in page


def test_the_dashboard_shows_no_personal_data(client, auth, factory, preston, officer):
    coop = factory.coop(
        name="Fishwick Food Co-op", council=preston, pickup_address="Zebra Hall, 9 Quirk Street"
    )
    factory.member(
        coop,
        Role.COORDINATOR,
        user=factory.user(name="Wilhelmina Zanzibar", email="wilhelmina@example.org"),
        postcode="PR1 5XX",
        household_size=7,
    )
    auth.login_as(officer)

    page = text(client.get(f"/councils/{preston.id}/"))

    assert "<h1>Preston City Council</h1>" in page and "Fishwick Food Co-op" in page
    for private in ("Wilhelmina", "Zanzibar", "wilhelmina@example.org", "PR1 5XX", "Zebra Hall"):
        assert private not in page


def test_a_co_op_that_left_the_council_is_not_shown(client, auth, factory, preston, officer):
    coop = factory.coop(name="Moved Away", council=preston)
    coop.council_links[0].ends_on = date(2024, 6, 30)
    db.session.commit()
    auth.login_as(officer)

    page = text(client.get(f"/councils/{preston.id}/"))

    assert "Moved Away" not in page
    assert "No co-op is linked to this council today." in page


@pytest.mark.parametrize("who", ["officer of another council", "coop coordinator", "signed in"])
def test_people_who_are_not_its_officers_are_refused_the_dashboard(
    client, auth, factory, preston, who
):
    coop = factory.coop(council=preston)
    person = {
        "officer of another council": lambda: factory.officer(factory.council()),
        "coop coordinator": lambda: factory.member(coop, Role.COORDINATOR),
        "signed in": lambda: factory.user(),
    }[who]()
    auth.login_as(person)

    assert client.get(f"/councils/{preston.id}/").status_code == 403


def test_the_dashboard_needs_a_login(client, preston):
    response = client.get(f"/councils/{preston.id}/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
