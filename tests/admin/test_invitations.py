"""Coordinators making and withdrawing invitation links."""

from __future__ import annotations

import re

from members.support import snapshot
from sqlalchemy import select
from support import text

from coop.extensions import db
from coop.models import Invitation
from coop.services.tokens import token_digest

LINK = re.compile(r'id="invitation-link" value="http://localhost/join/([^"]+)"')


def test_a_link_made_without_an_email_is_shown_once(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    response = client.post("/coops/fishwick/admin/invitations", data={}, follow_redirects=True)

    page = text(response)
    assert "Invitation made." in page
    token = LINK.search(page).group(1)
    (invitation,) = db.session.scalars(select(Invitation)).all()
    assert invitation.token_digest == token_digest(token)
    assert invitation.email is None
    assert "Link shared by hand" in page and "Open" in page

    again = text(client.get("/coops/fishwick/admin/invitations"))
    assert token not in again
    assert LINK.search(again) is None


def test_an_invitation_with_an_email_is_sent_to_that_address(client, auth, two_coops, mailbox):
    auth.login_as(two_coops.coordinator)

    response = client.post(
        "/coops/fishwick/admin/invitations",
        data={"email": "Newcomer@Example.org"},
        follow_redirects=True,
    )

    page = text(response)
    assert "Invitation sent to Newcomer@Example.org." in page
    token = LINK.search(page).group(1)
    (mail,) = mailbox.to("newcomer@example.org")
    assert mail["Subject"] == "An invitation to join Fishwick Food Co-op"
    assert f"http://localhost/join/{token}" in mailbox.body(mail)


def test_the_emailed_link_lets_the_newcomer_join(client, auth, two_coops, factory, mailbox):
    auth.login_as(two_coops.coordinator)
    client.post("/coops/fishwick/admin/invitations", data={"email": "new@example.org"})
    auth.logout()
    link = re.search(r"http://localhost(/join/\S+)", mailbox.body(mailbox.messages[0])).group(1)
    newcomer = factory.user(email="new@example.org", name="Nell Newcomer")
    auth.login_as(newcomer)

    response = client.post(link, follow_redirects=True)

    assert response.request.path == "/coops/fishwick/"
    auth.logout()
    auth.login_as(two_coops.coordinator)
    page = text(client.get("/coops/fishwick/admin/invitations"))
    assert "Accepted" in page and "by Nell Newcomer" in page


def test_a_bad_email_is_refused_next_to_the_field(client, auth, two_coops, mailbox):
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    response = client.post("/coops/fishwick/admin/invitations", data={"email": "not-an-address"})

    assert 'id="email-error">Enter an email address like name@example.org.' in text(response)
    assert snapshot() == before
    assert mailbox.messages == []


def test_inviting_a_current_member_is_refused(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    response = client.post(
        "/coops/fishwick/admin/invitations", data={"email": two_coops.member.email}
    )

    assert f"{two_coops.member.email} is already a member of Fishwick Food Co-op." in text(response)
    assert snapshot() == before


def test_withdrawing_an_invitation(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    client.post("/coops/fishwick/admin/invitations", data={})
    invitation = db.session.scalars(select(Invitation)).one()

    response = client.post(
        f"/coops/fishwick/admin/invitations/{invitation.id}/revoke", follow_redirects=True
    )

    page = text(response)
    assert "The invitation is withdrawn; its link no longer works." in page
    assert "Revoked" in page
    db.session.expire_all()
    assert invitation.revoked_at is not None

    twice = client.post(
        f"/coops/fishwick/admin/invitations/{invitation.id}/revoke", follow_redirects=True
    )
    assert "This invitation is already revoked; it cannot be withdrawn." in text(twice)


def test_another_coops_invitation_is_not_found_here(client, auth, two_coops):
    auth.login_as(two_coops.other_coordinator)
    client.post("/coops/ribbleton/admin/invitations", data={})
    theirs = db.session.scalars(select(Invitation)).one()
    auth.logout()
    auth.login_as(two_coops.coordinator)
    before = snapshot()

    response = client.post(f"/coops/fishwick/admin/invitations/{theirs.id}/revoke")

    assert response.status_code == 404
    assert snapshot() == before
