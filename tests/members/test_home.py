"""The home page sends each person where they belong."""

from __future__ import annotations

import re

from support import text

from coop.domain.roles import MembershipStatus, Role


def test_an_anonymous_visitor_gets_the_landing_page(client):
    response = client.get("/")

    assert response.status_code == 200
    page = text(response)
    assert "Buy good food together" in page
    for link in ('href="/login"', 'href="/register"', 'href="/coops"'):
        assert link in page


def test_a_platform_admin_goes_to_the_platform(client, auth, factory):
    admin = factory.user(is_platform_admin=True)
    factory.member(factory.coop(), user=admin)
    auth.login_as(admin)

    assert client.get("/").headers["Location"] == "/platform/"


def test_a_member_of_one_coop_goes_to_its_home(client, auth, factory):
    coop = factory.coop()
    auth.login_as(factory.member(coop))

    assert client.get("/").headers["Location"] == f"/coops/{coop.slug}/"


def test_a_member_of_several_coops_chooses_among_them(client, auth, factory):
    first = factory.coop(name="Fishwick Food Co-op")
    person = factory.member(first)
    factory.membership(coop=factory.coop(name="Ribbleton Pantry"), user=person, role=Role.TREASURER)
    waiting = factory.coop(name="Avenham Larder")
    factory.membership(coop=waiting, user=person, status=MembershipStatus.PENDING)
    factory.membership(
        coop=factory.coop(name="Left Behind"), user=person, status=MembershipStatus.LEFT
    )
    auth.login_as(person)

    response = client.get("/", follow_redirects=True)

    assert response.request.path == "/my-coops"
    page = text(response)
    assert "Fishwick Food Co-op" in page and "Ribbleton Pantry" in page
    assert "Manage Ribbleton Pantry" in page
    assert "Avenham Larder: you asked to join" in page
    # A co-op left is not among the co-ops, but its statement stays readable.
    assert page.index("Co-ops you have left") < page.index("Left Behind")
    assert "Manage Left Behind" not in page


def test_a_council_officer_of_one_council_lands_on_its_dashboard(client, auth, factory):
    council = factory.council()
    officer = factory.officer(council)
    auth.login_as(officer)

    assert client.get("/").headers["Location"] == f"/councils/{council.id}/"


def test_an_officer_of_several_councils_goes_to_the_council_area(client, auth, factory):
    officer = factory.officer(factory.council())
    factory.officer(factory.council(), user=officer)
    auth.login_as(officer)

    assert client.get("/").headers["Location"] == "/councils/"


def test_someone_waiting_for_an_answer_sees_their_request(client, auth, factory):
    person = factory.user()
    factory.membership(
        coop=factory.coop(name="Avenham Larder"), user=person, status=MembershipStatus.PENDING
    )
    auth.login_as(person)

    response = client.get("/", follow_redirects=True)

    assert response.request.path == "/my-coops"
    assert "Avenham Larder: you asked to join" in text(response)


def test_someone_in_no_coop_is_sent_to_find_one(client, auth, factory):
    auth.login_as(factory.user())

    response = client.get("/", follow_redirects=True)

    assert response.request.path == "/coops"
    assert "You are not in a co-op yet." in text(response)


def test_a_former_member_is_sent_to_its_statement_and_to_find_a_coop(client, auth, factory):
    person = factory.user()
    coop = factory.coop()
    factory.membership(coop=coop, user=person, status=MembershipStatus.LEFT)
    auth.login_as(person)

    assert client.get("/").headers["Location"] == "/my-coops"
    page = text(client.get("/my-coops"))
    assert f'href="/coops/{coop.slug}/statement"' in page
    assert 'href="/coops">Find another co-op' in page


def test_the_landing_page_promises_nothing_coop_does_not_do_yet(client):
    page = text(client.get("/")).lower()

    for promise in ("pay by card", "statement", "open round", "packing list", "savings"):
        assert promise not in page
    assert "find a co-op near" in page


def test_registering_gives_one_welcome_banner(client, mailbox):
    client.post(
        "/register",
        data={
            "email": "ada@example.org",
            "name": "Ada Lovelace",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )
    [message] = mailbox.to("ada@example.org")
    link = re.search(r"http://localhost(/register/confirm/\S+)", mailbox.body(message))
    assert link, mailbox.body(message)
    response = client.post(link.group(1), follow_redirects=True)

    page = text(response)
    assert response.request.path == "/coops"
    assert page.count('class="flash ') == 1
    assert "Welcome to coop, Ada Lovelace. Find a co-op near you and ask to join." in page
