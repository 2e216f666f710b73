"""A household's own co-op pages: home, household details, leaving."""

from __future__ import annotations

import pytest
from support import text

from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from members.support import membership, snapshot


def test_the_coop_home_shows_pickup_role_and_household(client, auth, two_coops):
    auth.login_as(two_coops.member)

    page = text(client.get("/coops/fishwick/"))

    assert "Fishwick Food Co-op" in page
    assert "Community Centre, 1 Market Street" in page
    assert "Member" in page and "PR1 5XX" in page
    assert "Leave this co-op" in page
    assert "/coops/fishwick/admin/" not in page


def test_managers_get_a_link_to_the_management_area(client, auth, two_coops):
    auth.login_as(two_coops.treasurer)
    page = text(client.get("/coops/fishwick/"))
    assert 'href="/coops/fishwick/admin/"' in page
    assert 'href="/coops/fishwick/admin/members"' in page
    assert 'href="/coops/fishwick/admin/settings"' not in page


@pytest.mark.parametrize("path", ["/", "household", "leave"])
def test_a_member_of_another_coop_is_refused(client, auth, two_coops, path):
    auth.login_as(two_coops.other_member)
    before = snapshot()

    assert client.get(f"/coops/fishwick/{path.strip('/')}").status_code == 403
    if path != "/":
        assert client.post(f"/coops/fishwick/{path}").status_code == 403
    assert snapshot() == before


def test_a_pending_household_cannot_see_the_coop_yet(client, auth, two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(pending.user)
    assert client.get("/coops/fishwick/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, two_coops):
    response = client.get("/coops/fishwick/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/coops/fishwick/"


def test_household_details_with_consent_are_saved(client, auth, two_coops, factory):
    person = factory.member(two_coops.coop)
    auth.login_as(person)

    page = text(client.get("/coops/fishwick/household"))
    assert "Only this co-op's coordinators see it; councils never do." in page
    response = client.post(
        "/coops/fishwick/household",
        data={
            "household_size": "4",
            "household_size_consent": "y",
            "postcode": "pr2 6ab",
            "postcode_consent": "y",
        },
        follow_redirects=True,
    )

    assert "Your household details are saved." in text(response)
    saved = membership(two_coops.coop, person)
    assert (saved.household_size, saved.postcode) == (4, "PR2 6AB")


def test_a_postcode_without_consent_is_refused_next_to_the_box(client, auth, two_coops, factory):
    person = factory.member(two_coops.coop)
    auth.login_as(person)
    before = snapshot()

    response = client.post(
        "/coops/fishwick/household", data={"household_size": "2", "postcode": "PR2 6AB"}
    )

    assert response.status_code == 200
    assert (
        '<p class="error" id="postcode_consent-error">Tick the box to let the co-op keep this, '
        "or leave it empty.</p>"
    ) in text(response)
    assert 'value="PR2 6AB"' in text(response)
    assert snapshot() == before


def test_a_bad_postcode_is_refused_next_to_the_field(client, auth, two_coops):
    auth.login_as(two_coops.member)
    before = snapshot()

    response = client.post(
        "/coops/fishwick/household",
        data={"postcode": "Preston", "postcode_consent": "y"},
    )

    assert '<p class="error" id="postcode-error">Enter a UK postcode, like PR1 5XX.</p>' in text(
        response
    )
    assert snapshot() == before


def test_a_household_size_out_of_range_is_refused(client, auth, two_coops):
    auth.login_as(two_coops.member)
    before = snapshot()

    response = client.post("/coops/fishwick/household", data={"household_size": "0"})

    assert "Enter a number of people from 1 to 30." in text(response)
    assert snapshot() == before


def test_withdrawing_consent_deletes_the_postcode(client, auth, two_coops):
    auth.login_as(two_coops.member)

    client.post("/coops/fishwick/household", data={"household_size": "3", "postcode": "PR1 5XX"})

    saved = membership(two_coops.coop, two_coops.member)
    assert (saved.postcode, saved.household_size) == (None, None)
    assert saved.facts == []


def test_leaving_asks_first_then_ends_the_membership(client, auth, two_coops):
    auth.login_as(two_coops.member)

    assert "Leave Fishwick Food Co-op?" in text(client.get("/coops/fishwick/leave"))
    response = client.post("/coops/fishwick/leave", follow_redirects=True)

    assert "You have left Fishwick Food Co-op." in text(response)
    assert membership(two_coops.coop, two_coops.member).status is MembershipStatus.LEFT
    assert client.get("/coops/fishwick/").status_code == 403


def test_the_last_coordinator_cannot_leave(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    response = client.post("/coops/fishwick/leave", follow_redirects=True)

    assert "A co-op needs at least one coordinator. Make someone else coordinator first." in text(
        response
    )
    assert snapshot() == before
    assert membership(two_coops.coop, two_coops.coordinator).role is Role.COORDINATOR


def test_the_last_coordinator_is_warned_before_confirming_to_leave(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    page = text(client.get("/coops/fishwick/leave"))

    assert "A co-op needs at least one coordinator. Make someone else coordinator first." in page
    assert "<button" not in page.split("<main", 1)[1], "no button to confirm what would fail"


def test_leaving_deletes_the_households_postcode(client, auth, two_coops):
    auth.login_as(two_coops.member)

    client.post("/coops/fishwick/leave")

    left = membership(two_coops.coop, two_coops.member)
    assert left.postcode is None
    assert left.household_size == 3, "the size is not location data and stays"


def test_a_former_member_is_told_they_are_no_longer_a_member(client, auth, two_coops):
    auth.login_as(two_coops.member)
    client.post("/coops/fishwick/leave")

    response = client.get("/coops/fishwick/")

    assert response.status_code == 403
    assert "You are no longer a member of Fishwick Food Co-op." in text(response)


def test_a_waiting_household_is_told_its_request_is_waiting(client, auth, two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(pending.user)

    response = client.get("/coops/fishwick/household")

    assert response.status_code == 403
    assert "Your request to join Fishwick Food Co-op is waiting" in text(response)


def test_a_waiting_household_sees_a_page_titled_waiting(client, auth, two_coops, factory):
    pending = factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(pending.user)

    page = text(client.get("/coops/fishwick/"))

    assert "<title>Your request is waiting · coop</title>" in page
    assert "<h1>Your request is waiting</h1>" in page
    assert "Not allowed" not in page
    assert 'href="/coops/fishwick/about"' in page


def test_an_outsider_gets_the_plain_refusal(client, auth, two_coops):
    auth.login_as(two_coops.other_member)

    page = text(client.get("/coops/fishwick/"))

    assert "You do not have permission to see this page." in page
    assert "no longer a member" not in page


def test_a_pickup_address_keeps_its_lines(client, auth, two_coops):
    two_coops.coop.pickup_address = "St Teresa's Hall\nCog Lane\nPreston"
    db.session.commit()
    auth.login_as(two_coops.member)

    page = text(client.get("/coops/fishwick/"))

    assert '<p class="address">St Teresa\'s Hall\nCog Lane\nPreston</p>' in page


def test_a_coordinator_sees_waiting_requests_on_the_coop_home(client, auth, two_coops, factory):
    factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(two_coops.coordinator)

    page = text(client.get("/coops/fishwick/"))

    assert "2 households are waiting for an answer." in page
    assert '<a href="/coops/fishwick/admin/">Review requests</a>' in page


def test_a_treasurer_sees_waiting_requests_and_who_answers_them(client, auth, two_coops, factory):
    factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(two_coops.treasurer)

    home = text(client.get("/coops/fishwick/"))
    overview = text(client.get("/coops/fishwick/admin/"))

    assert "1 household is waiting for an answer." in home
    assert "A coordinator approves requests." in home
    assert "A coordinator approves requests." in overview
    assert "Approve" not in overview


def test_a_plain_member_is_not_told_about_requests(client, auth, two_coops, factory):
    factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(two_coops.member)

    page = text(client.get("/coops/fishwick/"))

    assert "<h1>Fishwick Food Co-op</h1>" in page
    assert "waiting for an answer" not in page


@pytest.mark.parametrize("typed", ["2.5", "two", "31"])
def test_a_household_size_that_is_not_a_whole_number_in_range_says_what_to_type(
    client, auth, two_coops, typed
):
    auth.login_as(two_coops.member)
    before = snapshot()

    response = client.post("/coops/fishwick/household", data={"household_size": typed})

    assert (
        '<p class="error" id="household_size-error">Enter a number of people from 1 to 30.</p>'
        in (text(response))
    )
    assert snapshot() == before
