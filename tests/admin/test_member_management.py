"""Coordinators and treasurers managing the households of their co-op."""

from __future__ import annotations

import pytest
from members.support import membership, snapshot
from support import text

from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db

LAST_COORDINATOR = "A co-op needs at least one coordinator. Make someone else coordinator first."


@pytest.fixture
def pending(two_coops, factory):
    """A request to join from Pat Newcomer, waiting for an answer."""
    return factory.membership(
        coop=two_coops.coop, user=factory.user(name="Pat Newcomer"), status=MembershipStatus.PENDING
    )


def member_id(two_coops, user) -> int:
    return membership(two_coops.coop, user).id


def test_the_overview_shows_counts_and_pending_requests(client, auth, two_coops, pending):
    auth.login_as(two_coops.coordinator)

    page = text(client.get("/coops/fishwick/admin/"))

    assert "3 of 20" in page
    assert "Pat Newcomer" in page
    assert "Approve Pat Newcomer" in page and "Decline" in page


def test_a_treasurer_sees_the_overview_without_approval_buttons(client, auth, two_coops, pending):
    auth.login_as(two_coops.treasurer)

    page = text(client.get("/coops/fishwick/admin/"))

    assert "Pat Newcomer" in page
    assert "Approve" not in page and "Decline" not in page
    assert "/coops/fishwick/admin/settings" not in page


def test_the_member_list_shows_households_and_filters_by_status(
    client, auth, two_coops, pending, factory
):
    factory.membership(
        coop=two_coops.coop, user=factory.user(name="Fay Former"), status=MembershipStatus.LEFT
    )
    auth.login_as(two_coops.coordinator)

    page = text(client.get("/coops/fishwick/admin/members"))
    assert "Mina Member" in page and two_coops.member.email in page and "PR1 5XX" in page
    assert "Tom Treasurer" in page and "Treasurer" in page
    assert "Pat Newcomer" not in page and "Fay Former" not in page
    assert "Olly Other" not in page
    mina = member_id(two_coops, two_coops.member)
    assert f'href="/coops/fishwick/admin/members/{mina}">Manage' in page

    assert "Pat Newcomer" in text(client.get("/coops/fishwick/admin/members?status=pending"))
    assert "Fay Former" in text(client.get("/coops/fishwick/admin/members?status=left"))
    assert client.get("/coops/fishwick/admin/members?status=nonsense").status_code == 404


def test_a_treasurer_sees_the_member_list_but_cannot_change_roles(client, auth, two_coops):
    auth.login_as(two_coops.treasurer)
    mina = member_id(two_coops, two_coops.member)
    before = snapshot()

    page = text(client.get("/coops/fishwick/admin/members"))
    assert "Mina Member" in page
    assert "Change role" not in page and "Remove" not in page

    assert (
        client.post(
            f"/coops/fishwick/admin/members/{mina}/role", data={"role": "coordinator"}
        ).status_code
        == 403
    )
    assert client.post(f"/coops/fishwick/admin/members/{mina}/remove").status_code == 403
    assert client.get("/coops/fishwick/admin/invitations").status_code == 403
    assert client.get("/coops/fishwick/admin/settings").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/members"),
        ("get", "/invitations"),
        ("get", "/settings"),
        ("post", "/members/{id}/approve"),
        ("post", "/members/{id}/decline"),
        ("post", "/members/{id}/role"),
        ("post", "/members/{id}/remove"),
        ("post", "/invitations"),
        ("post", "/settings"),
    ],
)
def test_a_plain_member_cannot_reach_coordinator_actions(client, auth, two_coops, method, path):
    auth.login_as(two_coops.member)
    url = "/coops/fishwick/admin" + path.format(id=member_id(two_coops, two_coops.treasurer))
    before = snapshot()

    response = getattr(client, method)(url, data={"role": "member", "name": "Taken"})

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("action", ["approve", "decline", "role", "remove"])
def test_a_member_of_another_coop_gets_403_here(client, auth, two_coops, action):
    auth.login_as(two_coops.other_coordinator)
    before = snapshot()
    url = f"/coops/fishwick/admin/members/{member_id(two_coops, two_coops.member)}/{action}"

    assert client.post(url, data={"role": "coordinator"}).status_code == 403
    assert client.get("/coops/fishwick/admin/members").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("action", ["approve", "decline", "role", "remove"])
def test_another_coops_membership_id_is_not_found_here(client, auth, two_coops, factory, action):
    pending_elsewhere = factory.membership(
        coop=two_coops.other_coop, status=MembershipStatus.PENDING
    )
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    for other in (
        pending_elsewhere.id,
        membership(two_coops.other_coop, two_coops.other_member).id,
    ):
        url = f"/coops/fishwick/admin/members/{other}/{action}"
        assert client.post(url, data={"role": "coordinator"}).status_code == 404
    assert snapshot() == before


def test_approving_a_request_emails_the_household(client, auth, two_coops, pending, mailbox):
    auth.login_as(two_coops.coordinator)

    response = client.post(
        f"/coops/fishwick/admin/members/{pending.id}/approve?next=/coops/fishwick/admin/",
        follow_redirects=True,
    )

    assert response.request.path == "/coops/fishwick/admin/"
    assert "Pat Newcomer is now a member of Fishwick Food Co-op." in text(response)
    assert membership(two_coops.coop, pending.user).status is MembershipStatus.ACTIVE
    (mail,) = mailbox.to(pending.user.email)
    assert mail["Subject"] == "Welcome to Fishwick Food Co-op"
    assert "http://localhost/coops/fishwick/" in mailbox.body(mail)


def test_approving_respects_the_cap(client, auth, two_coops, factory, mailbox):
    two_coops.coop.household_cap = 3
    db.session.commit()
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    response = client.post(
        f"/coops/fishwick/admin/members/{pending.id}/approve", follow_redirects=True
    )

    assert "Fishwick Food Co-op is full: it has 3 of 3 households." in text(response)
    assert snapshot() == before
    assert mailbox.messages == []


def test_declining_a_request(client, auth, two_coops, pending, mailbox):
    person = pending.user
    auth.login_as(two_coops.coordinator)

    response = client.post(
        f"/coops/fishwick/admin/members/{pending.id}/decline", follow_redirects=True
    )

    assert "You declined Pat Newcomer's request to join." in text(response)
    assert membership(two_coops.coop, person) is None
    assert len(mailbox.to(person.email)) == 1


def test_changing_a_role(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    mina = member_id(two_coops, two_coops.member)

    response = client.post(
        f"/coops/fishwick/admin/members/{mina}/role",
        data={"role": "coordinator"},
        follow_redirects=True,
    )

    assert "Mina Member is now coordinator." in text(response)
    assert membership(two_coops.coop, two_coops.member).role is Role.COORDINATOR


def test_an_unknown_role_is_refused(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    response = client.post(
        f"/coops/fishwick/admin/members/{member_id(two_coops, two_coops.member)}/role",
        data={"role": "emperor"},
        follow_redirects=True,
    )

    assert "Choose a role from the list." in text(response)
    assert snapshot() == before


def test_the_last_coordinator_cannot_be_demoted_or_removed(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    cora = member_id(two_coops, two_coops.coordinator)
    before = snapshot()

    demoted = client.post(
        f"/coops/fishwick/admin/members/{cora}/role", data={"role": "member"}, follow_redirects=True
    )
    removed = client.post(f"/coops/fishwick/admin/members/{cora}/remove", follow_redirects=True)

    assert LAST_COORDINATOR in text(demoted)
    assert LAST_COORDINATOR in text(removed)
    assert snapshot() == before


def test_a_coordinator_who_steps_down_goes_to_the_coop_home(client, auth, two_coops, factory):
    factory.member(two_coops.coop, Role.COORDINATOR)
    auth.login_as(two_coops.coordinator)

    response = client.post(
        f"/coops/fishwick/admin/members/{member_id(two_coops, two_coops.coordinator)}/role",
        data={"role": "member"},
    )

    assert response.headers["Location"] == "/coops/fishwick/"
    assert membership(two_coops.coop, two_coops.coordinator).role is Role.MEMBER


def test_removing_a_member_emails_the_household(client, auth, two_coops, mailbox):
    auth.login_as(two_coops.coordinator)

    response = client.post(
        f"/coops/fishwick/admin/members/{member_id(two_coops, two_coops.member)}/remove",
        follow_redirects=True,
    )

    assert "Mina Member is no longer a member of Fishwick Food Co-op." in text(response)
    removed = membership(two_coops.coop, two_coops.member)
    assert removed.status is MembershipStatus.LEFT and removed.left_at is not None
    (mail,) = mailbox.to(two_coops.member.email)
    assert mail["Subject"] == "You are no longer a member of Fishwick Food Co-op"


def test_a_redirect_after_an_action_never_leaves_the_admin_area(client, auth, two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(two_coops.coordinator)

    response = client.post(
        f"/coops/fishwick/admin/members/{pending.id}/approve?next=https://evil.example/"
    )

    assert response.headers["Location"] == "/coops/fishwick/admin/members?status=pending"
