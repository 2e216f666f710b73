"""Following an invitation link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import text

from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models.types import utcnow
from coop.services.people.invitations import create_invitation, revoke_invitation
from members.support import membership, snapshot


@pytest.fixture
def invited(factory):
    """An invitation-only co-op, one of its invitations and its token."""
    coop = factory.coop(
        name="Fishwick Food Co-op",
        joining_policy=JoiningPolicy.INVITATION,
        pickup_address="9 Hidden Row",
    )
    coordinator = factory.member(coop, Role.COORDINATOR, user=factory.user(name="Cora Coord"))
    invitation, token = create_invitation(coop=coop, created_by=coordinator)
    db.session.commit()
    return coop, invitation, token


def test_an_anonymous_visitor_sees_the_coop_and_is_asked_to_log_in(client, invited):
    _, _, token = invited

    page = text(client.get(f"/join/{token}"))

    assert "Join Fishwick Food Co-op" in page
    assert f'href="/login?next=/join/{token}"' in page
    assert f'href="/register?next=/join/{token}"' in page
    assert "Hidden Row" not in page and "Cora Coord" not in page


def test_an_anonymous_post_is_sent_to_log_in_and_changes_nothing(client, invited):
    _, _, token = invited
    before = snapshot()

    response = client.post(f"/join/{token}")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/join/{token}"
    assert snapshot() == before


def test_accepting_an_invitation_joins_an_invitation_only_coop(client, auth, factory, invited):
    coop, _, token = invited
    person = factory.user()
    auth.login_as(person)

    assert "Accept and join" in text(client.get(f"/join/{token}"))
    response = client.post(f"/join/{token}", follow_redirects=True)

    assert response.request.path == f"/coops/{coop.slug}/"
    assert "Welcome to Fishwick Food Co-op!" in text(response)
    assert membership(coop, person).status is MembershipStatus.ACTIVE


def test_a_used_link_is_refused(client, auth, factory, invited):
    _, _, token = invited
    auth.login_as(factory.user())
    client.post(f"/join/{token}")
    auth.logout()
    latecomer = factory.user()
    auth.login_as(latecomer)
    before = snapshot()

    assert "This invitation has already been used." in text(client.get(f"/join/{token}"))
    page = text(client.post(f"/join/{token}"))

    assert "This invitation has already been used." in page
    assert "Accept and join" not in page
    assert snapshot() == before


def test_an_expired_link_is_refused(client, auth, factory, invited):
    coop, invitation, token = invited
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    person = factory.user()
    auth.login_as(person)

    page = text(client.post(f"/join/{token}"))

    assert "This invitation has expired. Ask the co-op for a new one." in page
    assert membership(coop, person) is None


def test_a_revoked_link_is_refused(client, auth, factory, invited):
    coop, invitation, token = invited
    revoke_invitation(coop=coop, invitation=invitation)
    db.session.commit()
    person = factory.user()
    auth.login_as(person)

    page = text(client.post(f"/join/{token}"))

    assert "This invitation has been withdrawn by the co-op." in page
    assert membership(coop, person) is None


def test_an_unknown_link_is_refused(client):
    page = text(client.get("/join/made-up-token"))
    assert "This invitation link is not valid." in page


def test_accepting_into_a_full_coop_shows_the_message(client, auth, factory, invited):
    coop, _, token = invited
    coop.household_cap = 1
    db.session.commit()
    auth.login_as(factory.user())
    before = snapshot()

    page = text(client.post(f"/join/{token}"))

    assert "Fishwick Food Co-op is full: it has 1 of 1 households." in page
    assert snapshot() == before
