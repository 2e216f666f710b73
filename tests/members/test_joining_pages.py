"""Finding a co-op, its public profile, and joining it through the pages."""

from __future__ import annotations

from support import PASSWORD, text

from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from members.support import membership, snapshot


def test_find_coops_lists_coops_taking_households_without_member_data(client, factory):
    council = factory.council(name="Preston City Council")
    factory.coop(
        name="Fishwick Food Co-op",
        slug="fishwick",
        council=council,
        joining_policy=JoiningPolicy.OPEN,
    )
    approval = factory.coop(name="Ribbleton Pantry", pickup_address="St Mary's Hall, 9 Hidden Row")
    factory.member(approval, user=factory.user(name="Secret Householder"))
    factory.coop(name="Closed Circle", joining_policy=JoiningPolicy.INVITATION)

    page = text(client.get("/coops"))

    assert "Fishwick Food Co-op" in page
    assert "Preston City Council" in page
    assert "Open: anyone may join" in page
    assert "Ribbleton Pantry" in page
    assert "Approval: a coordinator approves each request" in page
    assert 'href="/coops/fishwick/about"' in page
    assert "Closed Circle" not in page
    assert "Hidden Row" not in page
    assert "Secret Householder" not in page


def test_the_public_profile_says_whether_there_is_room_but_not_who_is_in(client, factory):
    coop = factory.coop(name="Fishwick Food Co-op", household_cap=2, pickup_address="9 Hidden Row")
    factory.member(coop, user=factory.user(name="Secret Householder", email="s@example.org"))

    page = text(client.get(f"/coops/{coop.slug}/about"))
    assert "Fishwick Food Co-op" in page
    assert "Room for new households" in page and "Yes" in page
    for private in ("Secret Householder", "s@example.org", "Hidden Row", "1 of 2"):
        assert private not in page

    factory.member(coop)
    assert "No, the co-op is full" in text(client.get(f"/coops/{coop.slug}/about"))


def test_an_anonymous_visitor_is_asked_to_log_in_and_comes_back(client, auth, factory):
    coop = factory.coop(joining_policy=JoiningPolicy.OPEN)
    person = factory.user()
    about = f"/coops/{coop.slug}/about"

    page = text(client.get(about))
    assert "Log in to join" in page
    assert f'href="/login?next={about}"' in page

    response = client.post(f"/coops/{coop.slug}/join")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert membership(coop, person) is None

    login = client.post(
        response.headers["Location"], data={"email": person.email, "password": PASSWORD}
    )
    assert login.headers["Location"] == f"/coops/{coop.slug}/join"
    assert client.get(login.headers["Location"]).headers["Location"] == about


def test_joining_an_open_coop(client, auth, factory):
    coop = factory.coop(name="Fishwick Food Co-op", joining_policy=JoiningPolicy.OPEN)
    person = factory.user()
    auth.login_as(person)

    assert "Join" in text(client.get(f"/coops/{coop.slug}/about"))
    response = client.post(f"/coops/{coop.slug}/join", follow_redirects=True)

    assert response.request.path == f"/coops/{coop.slug}/"
    assert "Welcome to Fishwick Food Co-op!" in text(response)
    assert membership(coop, person).status is MembershipStatus.ACTIVE


def test_asking_to_join_an_approval_coop_emails_the_coordinator(client, auth, factory, mailbox):
    coop = factory.coop(name="Fishwick Food Co-op")
    coordinator = factory.member(coop, Role.COORDINATOR)
    person = factory.user(name="Pat Newcomer")
    auth.login_as(person)

    assert "Ask to join" in text(client.get(f"/coops/{coop.slug}/about"))
    response = client.post(f"/coops/{coop.slug}/join", follow_redirects=True)

    assert response.request.path == "/my-coops"
    page = text(response)
    assert "has been sent to its coordinators" in page
    assert "Waiting for an answer" in page
    assert membership(coop, person).status is MembershipStatus.PENDING
    (mail,) = mailbox.to(coordinator.email)
    assert mail["Subject"] == "Pat Newcomer asks to join Fishwick Food Co-op"
    assert f"http://localhost/coops/{coop.slug}/admin/" in mailbox.body(mail)

    again = text(client.post(f"/coops/{coop.slug}/join", follow_redirects=True))
    assert "You have asked to join" in again


def test_an_invitation_only_coop_refuses_a_direct_join(client, auth, factory):
    coop = factory.coop(joining_policy=JoiningPolicy.INVITATION)
    person = factory.user()
    auth.login_as(person)

    page = text(client.get(f"/coops/{coop.slug}/about"))
    assert "Ask to join" not in page
    response = client.post(f"/coops/{coop.slug}/join", follow_redirects=True)

    assert "This co-op takes new households by invitation only." in text(response)
    assert membership(coop, person) is None


def test_joining_a_full_coop_shows_the_message_and_writes_nothing(client, auth, factory, mailbox):
    coop = factory.coop(name="Fishwick Food Co-op", household_cap=2)
    factory.member(coop, Role.COORDINATOR)
    factory.member(coop)
    person = factory.user()
    auth.login_as(person)
    before = snapshot()

    response = client.post(f"/coops/{coop.slug}/join", follow_redirects=True)

    assert response.request.path == f"/coops/{coop.slug}/about"
    assert "Fishwick Food Co-op is full: it has 2 of 2 households." in text(response)
    assert snapshot() == before
    assert mailbox.messages == []


def test_an_unknown_coop_is_not_found(client, auth, factory):
    auth.login_as(factory.user())
    assert client.get("/coops/nowhere/about").status_code == 404
    assert client.post("/coops/nowhere/join").status_code == 404


def test_find_coops_marks_full_coops_and_still_lists_them(client, factory):
    council = factory.council(name="Preston City Council")
    full = factory.coop(name="Avenham Larder", household_cap=1, council=council)
    factory.member(full)
    factory.coop(name="Brookfield Basket", joining_policy=JoiningPolicy.OPEN)

    page = text(client.get("/coops"))

    avenham = page[page.index("Avenham Larder") : page.index("Brookfield Basket")]
    brookfield = page[page.index("Brookfield Basket") :]
    assert "Preston City Council" in avenham and "Full" in avenham
    assert "Has room" in brookfield and "Full" not in brookfield.split("</table>")[0]

    profile = text(client.get(f"/coops/{full.slug}/about"))
    assert "No, the co-op is full" in profile
    assert "Ask to join" not in profile and "Log in to join" not in profile


def test_find_coops_needs_no_more_queries_for_more_coops(client, factory, count_queries):
    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/coops").status_code == 200
        return len(statements)

    factory.member(factory.coop(council=factory.council()))
    few = queries()
    for _ in range(4):
        factory.member(factory.coop(council=factory.council()))
    assert queries() == few


def test_an_invitation_only_profile_says_to_ask_the_coordinators(client, factory):
    coop = factory.coop(joining_policy=JoiningPolicy.INVITATION)

    page = text(client.get(f"/coops/{coop.slug}/about"))

    assert "by invitation only: ask its coordinators for an invitation." in page


def test_joining_an_open_coop_tells_its_coordinators(client, auth, factory, mailbox):
    coop = factory.coop(name="Fishwick Food Co-op", joining_policy=JoiningPolicy.OPEN)
    coordinator = factory.member(coop, Role.COORDINATOR)
    auth.login_as(factory.user(name="Pat Newcomer"))

    client.post(f"/coops/{coop.slug}/join")

    (mail,) = mailbox.to(coordinator.email)
    assert mail["Subject"] == "Pat Newcomer has joined Fishwick Food Co-op"
    assert f"http://localhost/coops/{coop.slug}/admin/" in mailbox.body(mail)


def test_leaving_tells_the_coordinators(client, auth, factory, mailbox):
    coop = factory.coop(name="Fishwick Food Co-op")
    coordinator = factory.member(coop, Role.COORDINATOR)
    auth.login_as(factory.member(coop, user=factory.user(name="Mina Member")))

    client.post(f"/coops/{coop.slug}/leave")

    (mail,) = mailbox.to(coordinator.email)
    assert mail["Subject"] == "Mina Member has left Fishwick Food Co-op"
    assert f"http://localhost/coops/{coop.slug}/admin/members" in mailbox.body(mail)


def test_find_coops_searches_by_town_area_or_postcode(client, factory):
    preston = factory.council(name="Preston City Council")
    lancaster = factory.council(name="Lancaster City Council")
    factory.coop(
        name="Fishwick Food Co-op",
        council=preston,
        pickup_address="St Teresa's Hall\nCog Lane\nPreston PR1 5XX",
    )
    factory.coop(name="Ribbleton Pantry", council=preston, pickup_address="Hall, Preston PR2 6AB")
    factory.coop(name="Bulk Buyers of Bowerham", council=lancaster, pickup_address="LA1 4XQ")

    def listed(place: str) -> list[str]:
        page = text(client.get("/coops", query_string={"place": place}))
        names = ("Fishwick Food Co-op", "Ribbleton Pantry", "Bulk Buyers of Bowerham")
        return [name for name in names if name in page]

    assert listed("") == ["Fishwick Food Co-op", "Ribbleton Pantry", "Bulk Buyers of Bowerham"]
    assert listed("Preston") == ["Fishwick Food Co-op", "Ribbleton Pantry"]
    assert listed("pr1 7zz") == ["Fishwick Food Co-op"]
    assert listed("LA1") == ["Bulk Buyers of Bowerham"]
    assert listed("Cog Lane") == []

    page = text(client.get("/coops", query_string={"place": "Lancaster"}))
    assert 'value="Lancaster"' in page
    assert "PR1" not in page.split("<tbody>")[1]
    nothing = text(client.get("/coops", query_string={"place": "Carlisle"}))
    assert "No co-op taking new households matches “Carlisle”." in nothing
