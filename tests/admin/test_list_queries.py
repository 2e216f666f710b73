"""List pages cost the same number of queries however many rows they show."""

from __future__ import annotations

from members.support import counting_queries

from coop.domain.roles import JoiningPolicy, MembershipStatus
from coop.extensions import db
from coop.services.invitations import create_invitation


def queries_for(client, path: str) -> int:
    # The first request after a commit may reload rows the test itself loaded; skip it.
    client.get(path)
    with counting_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_the_member_list_does_not_query_per_household(client, auth, world, factory):
    auth.login_as(world.coordinator)
    few = queries_for(client, "/coops/fishwick/admin/members")
    for _ in range(5):
        factory.member(world.coop, postcode="PR1 5XX")
    assert queries_for(client, "/coops/fishwick/admin/members") == few


def test_the_overview_does_not_query_per_request(client, auth, world, factory):
    factory.membership(coop=world.coop, status=MembershipStatus.PENDING)
    auth.login_as(world.coordinator)
    few = queries_for(client, "/coops/fishwick/admin/")
    for _ in range(5):
        factory.membership(coop=world.coop, status=MembershipStatus.PENDING)
    assert queries_for(client, "/coops/fishwick/admin/") == few


def test_the_invitation_list_does_not_query_per_invitation(client, auth, world, factory):
    auth.login_as(world.coordinator)
    create_invitation(coop=world.coop, created_by=world.coordinator)
    db.session.commit()
    few = queries_for(client, "/coops/fishwick/admin/invitations")
    for _ in range(5):
        creator = factory.member(world.coop)
        create_invitation(coop=world.coop, created_by=creator)
    db.session.commit()
    assert queries_for(client, "/coops/fishwick/admin/invitations") == few


def test_find_coops_does_not_query_per_coop(client, factory):
    council = factory.council()
    factory.coop(council=council, joining_policy=JoiningPolicy.OPEN)
    few = queries_for(client, "/coops")
    for _ in range(5):
        factory.coop(council=factory.council())
    assert queries_for(client, "/coops") == few
