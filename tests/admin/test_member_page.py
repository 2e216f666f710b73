"""A household's page in the management area, and the compact member list that leads to it."""

from __future__ import annotations

import pytest
from members.support import membership, snapshot
from support import field_error, text

from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db

LAST_COORDINATOR = "A co-op needs at least one coordinator. Make someone else coordinator first."


def page_of(two_coops, user) -> str:
    return f"/coops/fishwick/admin/members/{membership(two_coops.coop, user).id}"


def test_the_member_list_is_one_line_of_details_and_a_manage_link_per_household(
    client, auth, two_coops
):
    auth.login_as(two_coops.coordinator)

    page = text(client.get("/coops/fishwick/admin/members"))

    assert f"{two_coops.member.email} · 3 people · PR1 5XX" in page
    # Nothing is shown for what a household has not given: no empty labels.
    assert f"{two_coops.treasurer.email} ·" not in page
    assert "People:" not in page and "Postcode:" not in page
    assert page.count(">Treasurer<") == 1, "each household's role appears once"
    assert f'href="{page_of(two_coops, two_coops.member)}">Manage' in page
    assert "<select" not in page and "Remove" not in page


def test_a_treasurer_sees_household_sizes_but_not_postcodes(client, auth, two_coops):
    auth.login_as(two_coops.treasurer)

    listing = text(client.get("/coops/fishwick/admin/members"))
    details = text(client.get(page_of(two_coops, two_coops.member)))

    for page in (listing, details):
        assert "Mina Member" in page
        assert "PR1 5XX" not in page
    assert "3 people" in listing
    assert "<dt>People</dt><dd>3</dd>" in details
    assert "Postcode" not in details


def test_a_treasurer_reads_a_households_page_without_any_action(client, auth, two_coops):
    auth.login_as(two_coops.treasurer)

    page = text(client.get(page_of(two_coops, two_coops.member)))

    assert "<h1>Mina Member</h1>" in page
    assert two_coops.member.email in page
    assert "Change role" not in page and "Remove" not in page
    assert "Only coordinators change roles" in page
    assert client.get(page_of(two_coops, two_coops.member) + "/remove").status_code == 403


def test_a_coordinator_sees_the_role_choice_and_a_link_to_remove(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    page = text(client.get(page_of(two_coops, two_coops.member)))

    assert '<input checked id="role-0" name="role"' in page
    assert "PR1 5XX" in page
    assert f'href="{page_of(two_coops, two_coops.member)}/remove">Remove Mina Member' in page


def test_changing_a_role_returns_to_the_households_page_with_the_news(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    url = page_of(two_coops, two_coops.member)

    response = client.post(url + "/role", data={"role": "treasurer"})

    assert response.headers["Location"] == url
    page = text(client.get(url))
    assert "Mina Member is now treasurer." in page
    assert "<dt>Role</dt><dd>Treasurer</dd>" in page


def test_choosing_the_role_someone_has_says_nothing_changed_next_to_the_choice(
    client, auth, two_coops
):
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    response = client.post(
        page_of(two_coops, two_coops.treasurer) + "/role", data={"role": "treasurer"}
    )

    assert response.status_code == 200
    assert field_error(text(response), "role") == "Tom Treasurer is already a treasurer."
    assert snapshot() == before


def test_demoting_the_last_coordinator_is_refused_next_to_the_role_choice(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    response = client.post(
        page_of(two_coops, two_coops.coordinator) + "/role", data={"role": "member"}
    )

    page = text(response)
    assert field_error(page, "role") == LAST_COORDINATOR
    assert 'class="flash flash-error"' not in page, "the refusal is by the action, not a banner"
    assert snapshot() == before


def test_removing_asks_first_and_says_what_will_happen(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    page = text(client.get(page_of(two_coops, two_coops.member) + "/remove"))

    assert "Remove Mina Member from Fishwick Food Co-op?" in page
    assert two_coops.member.email in page
    assert "postcode" in page and "email" in page
    assert '<button type="submit" class="button button-danger">Remove Mina Member</button>' in page
    assert snapshot() == before


def test_confirming_removes_and_returns_to_the_households_page(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    url = page_of(two_coops, two_coops.member)

    response = client.post(url + "/remove")

    assert response.headers["Location"] == url
    page = text(client.get(url))
    assert "Mina Member is no longer a member of Fishwick Food Co-op." in page
    assert "Former member" in page
    assert membership(two_coops.coop, two_coops.member).status is MembershipStatus.LEFT


def test_the_last_coordinators_remove_page_explains_and_offers_no_button(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    details = text(client.get(page_of(two_coops, two_coops.coordinator)))
    confirm = text(client.get(page_of(two_coops, two_coops.coordinator) + "/remove"))

    assert LAST_COORDINATOR in details
    assert "/remove" not in details
    assert LAST_COORDINATOR in confirm
    assert "<button" not in confirm.split("<main", 1)[1]


def test_a_waiting_households_page_offers_approve_and_decline(client, auth, two_coops, factory):
    pending = factory.membership(
        coop=two_coops.coop, user=factory.user(name="Pat Newcomer"), status=MembershipStatus.PENDING
    )
    auth.login_as(two_coops.coordinator)
    url = f"/coops/fishwick/admin/members/{pending.id}"

    page = text(client.get(url))
    assert "Approve Pat Newcomer" in page and "Decline Pat Newcomer" in page
    assert "Change role" not in page

    response = client.post(f"{url}/approve?next={url}")
    assert response.headers["Location"] == url
    assert membership(two_coops.coop, pending.user).status is MembershipStatus.ACTIVE


@pytest.mark.parametrize("suffix", ["", "/remove"])
def test_another_coops_household_is_not_found_here(client, auth, two_coops, suffix):
    auth.login_as(two_coops.coordinator)
    other = membership(two_coops.other_coop, two_coops.other_member)

    response = client.get(f"/coops/fishwick/admin/members/{other.id}{suffix}")

    assert response.status_code == 404
    assert "Olly Other" not in text(response)


def test_a_plain_member_cannot_open_a_households_page(client, auth, two_coops):
    auth.login_as(two_coops.member)
    assert client.get(page_of(two_coops, two_coops.treasurer)).status_code == 403


def test_a_coordinator_can_promote_then_step_down(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    client.post(page_of(two_coops, two_coops.member) + "/role", data={"role": "coordinator"})

    response = client.post(
        page_of(two_coops, two_coops.coordinator) + "/role", data={"role": "member"}
    )

    assert response.headers["Location"] == "/coops/fishwick/"
    db.session.expire_all()
    assert membership(two_coops.coop, two_coops.member).role is Role.COORDINATOR
