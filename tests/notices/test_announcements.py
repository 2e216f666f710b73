"""Coordinators write to every household: previewed first, sent by the queue, listed for members."""

from __future__ import annotations

import logging

import pytest
from jobs.conftest import needs_redis, store  # noqa: F401 (a fixture: the test Redis, locked)
from sqlalchemy import func, select

from coop.domain.announcements import (
    BODY_MISSING,
    HTML_ONLY,
    SUBJECT_MISSING,
    SUBJECT_ONE_LINE,
    announcement_problems,
    body_problem,
)
from coop.domain.notifications import ANNOUNCEMENT_BODY_MAX, NotificationKind
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import Announcement, Membership, NotificationSent, OutboxMessage
from coop.services import notices
from coop.services.errors import ServiceError
from coop.services.notices.announcements import post_announcement, send_announcement

ADMIN = "/coops/fishwick/admin/announcements"
HOME = "/coops/fishwick/"
SUBJECT = "Pickup moves to the library"
BODY = "Hello all,\n\nFrom next week we meet at the library.\nBring bags <3 & boxes.\n"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _active_emails(coop) -> set[str]:
    households = db.session.scalars(
        select(Membership).where(
            Membership.coop_id == coop.id, Membership.status == MembershipStatus.ACTIVE
        )
    )
    return {household.user.email for household in households}


def _announced(mailbox) -> list:
    return [m for m in mailbox.messages if SUBJECT in m["Subject"]]


@pytest.fixture
def world(two_coops, factory):
    """Fishwick and Ribbleton, with a pending and a departed household in Fishwick."""
    factory.membership(coop=two_coops.coop, status=MembershipStatus.PENDING)
    factory.membership(coop=two_coops.coop, status=MembershipStatus.LEFT)
    return two_coops


def test_the_preview_shows_the_email_as_members_get_it_and_sends_nothing(
    world, auth, client, mailbox
):
    auth.login_as(world.coordinator)
    page = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "preview"})

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Fishwick Food Co-op: {SUBJECT}" in text
    assert "Hello Cora Coordinator," in text
    assert "we meet at the library." in text
    assert "Bring bags &lt;3 &amp; boxes." in text  # shown as text, escaped
    assert "Send to 3 households" in text  # coordinator, treasurer, member
    assert 'name="body" value="Hello all,' in text  # the draft rides along for Send
    assert _count(Announcement) == 0
    assert _count(OutboxMessage) == 0
    assert mailbox.messages == []


def test_edit_goes_back_to_the_form_with_the_draft(world, auth, client, mailbox):
    auth.login_as(world.coordinator)
    page = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "edit"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'value="{SUBJECT}"' in text
    assert "From next week we meet at the library." in text
    assert _count(Announcement) == 0


def test_sending_reaches_every_active_household_of_the_coop_once(world, auth, client, mailbox):
    auth.login_as(world.coordinator)
    response = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "send"})

    assert response.status_code == 302
    listing = client.get(response.location).get_data(as_text=True)
    assert "Sent to the queue: 3 households will get it." in listing
    assert "3 households" in listing and SUBJECT in listing

    sent = _announced(mailbox)
    recipients = [message["To"] for message in sent]
    assert sorted(recipients) == sorted(_active_emails(world.coop))  # not pending or left
    assert world.other_member.email not in recipients  # nor the co-op next door
    message = mailbox.to(world.member.email)[0]
    body = mailbox.body(message).replace("\r\n", "\n")
    assert message["Subject"] == f"Fishwick Food Co-op: {SUBJECT}"
    assert "Hello Mina Member," in body
    assert "From next week we meet at the library.\nBring bags <3 & boxes." in body
    assert "Cora Coordinator, for Fishwick Food Co-op" in body
    assert 'Stop "Announcements" emails: http' in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    announcement = db.session.scalars(select(Announcement)).one()
    assert announcement.sent_at is not None
    assert announcement.recipients == 3


def test_sending_from_the_preview_sends_what_was_previewed(world, auth, client, mailbox):
    auth.login_as(world.coordinator)
    preview = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "preview"})
    assert preview.status_code == 200
    response = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "send"})
    assert response.status_code == 302
    assert db.session.scalars(select(Announcement.body)).one() == BODY.strip()
    assert len(_announced(mailbox)) == 3


def test_a_household_that_stopped_announcements_does_not_get_them_but_hears_of_rounds(
    rounds, mailbox
):
    quiet, other = rounds.households[:2]
    notices.turn_off(membership=quiet, kinds=[NotificationKind.ANNOUNCEMENT])
    db.session.commit()

    posted = post_announcement(
        coop=rounds.coop, author=rounds.coordinator, subject=SUBJECT, body=BODY
    )
    db.session.commit()

    assert posted.households == len(rounds.households)  # the coordinator, less the quiet one
    recipients = {message["To"] for message in _announced(mailbox)}
    assert quiet.user.email not in recipients
    assert other.user.email in recipients
    rounds.round(rounds.product(), title="December order", notify=True)
    assert any("December order" in m["Subject"] for m in mailbox.to(quiet.user.email))


BAD = [
    pytest.param("", BODY, "subject", SUBJECT_MISSING, id="no subject"),
    pytest.param("   ", BODY, "subject", SUBJECT_MISSING, id="blank subject"),
    pytest.param("Two\r\nlines", BODY, "subject", SUBJECT_ONE_LINE, id="subject of two lines"),
    pytest.param(SUBJECT, "", "body", BODY_MISSING, id="no body"),
    pytest.param(SUBJECT, " \r\n\t ", "body", BODY_MISSING, id="blank body"),
    pytest.param(
        SUBJECT, "\u200b\ufeff \u200d", "body", BODY_MISSING, id="only invisible characters"
    ),
    pytest.param("\u200b", BODY, "subject", SUBJECT_MISSING, id="invisible subject"),
    pytest.param(SUBJECT, "<p><br></p>\n<div>&nbsp;</div>", "body", HTML_ONLY, id="only HTML"),
    pytest.param(
        SUBJECT,
        "<html><body><p>Pickup moves</p></body></html>",
        "body",
        "plain text",
        id="HTML with text",
    ),
    pytest.param(SUBJECT, "x" * (ANNOUNCEMENT_BODY_MAX + 1), "body", "at most", id="too long"),
    pytest.param(SUBJECT, "Fuzz\x00fuzz", "body", "control characters", id="a NUL byte"),
]


@pytest.mark.parametrize("action", ["preview", "send"])
@pytest.mark.parametrize(("subject", "body", "field", "message"), BAD)
def test_a_bad_announcement_is_refused_at_its_field_and_nothing_is_written(
    world, auth, client, mailbox, action, subject, body, field, message
):
    auth.login_as(world.coordinator)
    page = client.post(ADMIN, data={"subject": subject, "body": body, "action": action})

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    error = text.split(f'id="{field}-error"', 1)
    assert len(error) == 2, "no error at the field"
    assert message.replace("'", "&#39;") in error[1].split("</p>", 1)[0]
    assert _count(Announcement) == 0
    assert _count(NotificationSent) == 0
    assert mailbox.messages == []


def test_pressing_send_twice_sends_it_once(world, auth, client, mailbox):
    auth.login_as(world.coordinator)
    draft = {"subject": SUBJECT, "body": BODY, "action": "send"}
    assert client.post(ADMIN, data=draft).status_code == 302

    again = client.post(ADMIN, data=draft)

    assert again.status_code == 200
    assert "it has gone already" in again.get_data(as_text=True)
    assert _count(Announcement) == 1
    assert len(_announced(mailbox)) == 3


@pytest.mark.parametrize("body", ["<p></p>", "Fuzz\x00fuzz", "  "])
def test_the_service_refuses_a_bad_announcement_too(world, body):
    with pytest.raises(ServiceError) as refused:
        post_announcement(coop=world.coop, author=world.coordinator, subject=SUBJECT, body=body)
    assert refused.value.field == "body"
    db.session.rollback()
    assert _count(Announcement) == 0


@pytest.mark.parametrize(
    "body",
    ["Love you all <3", "if a < b and c > d", "Write to <cora@example.org>", "<your name here>"],
)
def test_angle_brackets_in_ordinary_writing_are_text(body):
    assert body_problem(body) is None


def test_both_parts_are_judged_at_once():
    assert set(announcement_problems("", "<br>")) == {"subject", "body"}


def test_members_read_recent_announcements_on_the_coop_page_newest_first(world, auth, client):
    for subject in ("First news", "Second news"):
        post_announcement(coop=world.coop, author=world.coordinator, subject=subject, body=BODY)
        db.session.commit()
    post_announcement(
        coop=world.other_coop, author=world.other_coordinator, subject="Ribbleton news", body=BODY
    )
    db.session.commit()

    auth.login_as(world.member)
    home = client.get(HOME).get_data(as_text=True)
    assert home.index("Second news") < home.index("First news")
    assert "Bring bags &lt;3 &amp; boxes." in home
    assert "Ribbleton news" not in home
    every = client.get("/coops/fishwick/announcements").get_data(as_text=True)
    assert "First news" in every and "Second news" in every and "Ribbleton news" not in every
    assert '<h2 id="announcement-' in every  # each its own heading under the page's


def test_a_member_cannot_post_or_see_the_coordinators_page(world, auth, client, mailbox):
    auth.login_as(world.member)
    assert client.get(ADMIN).status_code == 403
    response = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "send"})
    assert response.status_code == 403
    auth.logout()
    auth.login_as(world.other_coordinator)  # a coordinator, of the co-op next door
    response = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "send"})
    assert response.status_code == 403
    assert _count(Announcement) == 0
    assert mailbox.messages == []


def test_the_treasurer_who_may_manage_the_coop_may_post(world, auth, client, mailbox):
    auth.login_as(world.treasurer)
    response = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "send"})
    assert response.status_code == 302
    assert len(_announced(mailbox)) == 3


def test_running_the_job_again_sends_nothing_twice(world, mailbox):
    posted = post_announcement(
        coop=world.coop, author=world.coordinator, subject=SUBJECT, body=BODY
    )
    db.session.commit()
    first = len(_announced(mailbox))
    assert first == 3

    send_announcement(announcement_id=posted.announcement.id)  # a retry, say
    db.session.commit()

    assert len(_announced(mailbox)) == first
    assert db.session.get(Announcement, posted.announcement.id).recipients == 3


def test_with_the_queue_unreachable_an_announcement_is_still_written_to_every_household(
    world, auth, client, mailbox, app, runner
):
    auth.login_as(world.coordinator)
    before = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "send"})
    finally:
        app.config["REDIS_URL"] = before
    assert response.status_code == 302

    announcement = db.session.scalars(select(Announcement)).one()
    assert announcement.sent_at is not None and announcement.recipients == 3
    runner.invoke(args=["tick"])  # the outbox goes once the queue can be reached
    assert sorted(m["To"] for m in _announced(mailbox)) == sorted(_active_emails(world.coop))


def test_the_job_for_an_announcement_that_is_gone_is_a_logged_no_op(world, mailbox, caplog):
    with caplog.at_level(logging.WARNING):
        send_announcement(announcement_id=987654)
    db.session.commit()
    assert "no longer exists" in caplog.text
    assert mailbox.messages == []
    assert _count(NotificationSent) == 0


@needs_redis
@pytest.mark.committing
def test_on_the_queue_the_list_says_sending_until_a_worker_sends_it(
    world,
    store,  # noqa: F811
    auth,
    client,
    runner,
    mailbox,
):
    auth.login_as(world.coordinator)
    response = client.post(ADMIN, data={"subject": SUBJECT, "body": BODY, "action": "send"})
    assert response.status_code == 302
    assert "Sending…" in client.get(ADMIN).get_data(as_text=True)
    assert mailbox.messages == []

    result = runner.invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    listing = client.get(ADMIN).get_data(as_text=True)
    assert "Sending…" not in listing and "3 households" in listing
    assert sorted(m["To"] for m in _announced(mailbox)) == sorted(_active_emails(world.coop))
