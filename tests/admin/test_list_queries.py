"""List pages cost the same number of queries however many rows they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coop.domain.roles import JoiningPolicy, MembershipStatus
from coop.extensions import db
from coop.services.people.invitations import create_invitation


@pytest.fixture
def queries_for(client, count_queries) -> Callable[[str], int]:
    """Return a function counting the SQL statements one GET of a page runs."""

    def count(path: str) -> int:
        # The first request after a commit may reload rows the test itself loaded; skip it.
        client.get(path)
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    return count


def test_the_member_list_does_not_query_per_household(queries_for, auth, two_coops, factory):
    auth.login_as(two_coops.coordinator)
    few = queries_for("/coops/fishwick/admin/members")
    factory.households(two_coops.coop, 5, postcode="PR1 5XX")
    assert queries_for("/coops/fishwick/admin/members") == few


def test_the_overview_does_not_query_per_request(queries_for, auth, two_coops, factory):
    factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    auth.login_as(two_coops.coordinator)
    few = queries_for("/coops/fishwick/admin/")
    factory.households(two_coops.coop, 5, status=MembershipStatus.PENDING)
    assert queries_for("/coops/fishwick/admin/") == few


def test_the_invitation_list_does_not_query_per_invitation(queries_for, auth, two_coops, factory):
    auth.login_as(two_coops.coordinator)
    create_invitation(coop=two_coops.coop, created_by=two_coops.coordinator)
    db.session.commit()
    few = queries_for("/coops/fishwick/admin/invitations")
    for _ in range(5):
        creator = factory.member(two_coops.coop)
        create_invitation(coop=two_coops.coop, created_by=creator)
    db.session.commit()
    assert queries_for("/coops/fishwick/admin/invitations") == few


def test_find_coops_does_not_query_per_coop(queries_for, factory):
    council = factory.council()
    factory.coop(council=council, joining_policy=JoiningPolicy.OPEN)
    few = queries_for("/coops")
    for _ in range(5):
        factory.coop(council=factory.council())
    assert queries_for("/coops") == few
