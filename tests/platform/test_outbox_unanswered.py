"""The outbox page: a message handed to the mail server whose answer was lost.

Such a message stays ``sending`` (it may have arrived), so the platform admin
checks with its recipient and either sends it again or marks it as sent.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import field_error, text

from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from coop.models.types import utcnow

RAW = (
    b"From: coop <no-reply@localhost>\r\nTo: sam@example.org\r\nSubject: Your bill\r\n"
    b"\r\nYou owe 5.00.\r\n"
)
CHECKED = {"checked": "y"}


@pytest.fixture
def as_admin(auth, factory):
    admin = factory.user(name="Alex Admin", is_platform_admin=True)
    auth.login_as(admin)
    return admin


def _message(**state) -> OutboxMessage:
    values = {
        "status": OutboxStatus.SENDING,
        "handed_at": utcnow(),
        "claimed_at": utcnow(),
        "attempts": 1,
        "raw": RAW,
        "error": "handed to the server, answer lost: timed out",
        **state,
    }
    message = OutboxMessage(recipient="sam@example.org", subject="Your bill", body="You owe 5.00.")
    for name, value in values.items():
        setattr(message, name, value)
    db.session.add(message)
    db.session.commit()
    return message


def _reloaded(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).filter_by(id=message.id)).one()


def test_a_message_whose_answer_was_lost_says_why_and_offers_both_ways_out(client, as_admin):
    message = _message()

    page = text(client.get(f"/platform/outbox/{message.id}"))

    assert "it may have arrived, so it is not sent again by itself" in page
    assert "Ask sam@example.org whether it arrived" in page
    assert f'action="/platform/outbox/{message.id}/send-again"' in page
    assert f'action="/platform/outbox/{message.id}/mark-sent"' in page
    assert "I have checked that it did not arrive" in page


def test_the_outbox_list_points_out_the_messages_to_check(client, as_admin):
    _message()
    _message(status=OutboxStatus.SENT, handed_at=None, raw=None, sent_at=utcnow())

    listing = text(client.get("/platform/outbox"))

    assert "1 message was handed to the mail server without an answer" in listing
    assert listing.count("Sending</span> needs checking") == 1


def test_sending_again_after_checking_puts_it_back_and_it_arrives(client, as_admin, mailbox):
    message = _message()

    response = client.post(
        f"/platform/outbox/{message.id}/send-again", data=CHECKED, follow_redirects=True
    )

    assert "sam@example.org's message is queued to be sent again" in text(response)
    [arrived] = mailbox.messages  # the sender ran once the change was committed
    assert arrived["Subject"] == "Your bill"
    sent = _reloaded(message)
    assert sent.status is OutboxStatus.SENT
    assert sent.attempts == 2


def test_sending_again_without_the_tick_is_refused_at_the_tick_box(client, as_admin, mailbox):
    message = _message()

    response = client.post(f"/platform/outbox/{message.id}/send-again", data={})

    assert response.status_code == 400
    assert "Tick to confirm you checked" in (field_error(text(response), "checked") or "")
    assert mailbox.messages == []
    assert _reloaded(message).status is OutboxStatus.SENDING


def test_sending_again_clears_the_handing_over_and_keeps_the_message(app, client, as_admin):
    message = _message()  # no mail server in this test: it waits on the queue

    client.post(f"/platform/outbox/{message.id}/send-again", data=CHECKED)

    queued = _reloaded(message)
    assert queued.status is OutboxStatus.QUEUED
    assert queued.handed_at is None and queued.claimed_at is None
    assert queued.raw == RAW


def test_marking_as_sent_records_that_it_arrived_and_sends_nothing(
    client, as_admin, mailbox, runner
):
    message = _message()

    response = client.post(f"/platform/outbox/{message.id}/mark-sent", follow_redirects=True)
    runner.invoke(args=["tick"])

    assert "marked as sent" in text(response)
    assert mailbox.messages == []
    sent = _reloaded(message)
    assert sent.status is OutboxStatus.SENT
    assert sent.sent_at is not None
    assert "Alex Admin" in (sent.reply or "")
    assert sent.raw is None  # as for any message sent: a sign-in link does not linger
    assert "<dd>Sent</dd>" in text(client.get(f"/platform/outbox/{message.id}"))


@pytest.mark.parametrize(
    "state",
    [
        {"status": OutboxStatus.QUEUED, "handed_at": None, "claimed_at": None},
        {"status": OutboxStatus.SENDING, "handed_at": None},  # claimed, not yet handed over
        {"status": OutboxStatus.SENT, "sent_at": utcnow(), "raw": None},
        {"status": OutboxStatus.FAILED, "handed_at": None, "raw": None},
        {"status": OutboxStatus.STORED, "handed_at": None, "claimed_at": None},
    ],
    ids=["queued", "claimed", "sent", "failed", "stored"],
)
@pytest.mark.parametrize("action", ["send-again", "mark-sent"])
def test_only_a_message_whose_answer_was_lost_can_be_released(
    client, as_admin, mailbox, state, action
):
    message = _message(**state)

    response = client.post(
        f"/platform/outbox/{message.id}/{action}", data=CHECKED, follow_redirects=True
    )

    assert "Only a message handed to the mail server without an answer" in text(response)
    assert _reloaded(message).status is state["status"]
    assert mailbox.messages == []


def test_a_message_whose_text_was_dropped_cannot_be_sent_again(client, as_admin, mailbox):
    message = _message(raw=None)

    page = text(client.get(f"/platform/outbox/{message.id}"))
    response = client.post(
        f"/platform/outbox/{message.id}/send-again", data=CHECKED, follow_redirects=True
    )

    assert f'action="/platform/outbox/{message.id}/send-again"' not in page
    assert "its text is no longer kept" in page
    assert "its text is no longer kept, so it cannot be sent again" in text(response)
    assert _reloaded(message).status is OutboxStatus.SENDING
    assert mailbox.messages == []


def test_an_unknown_message_cannot_be_released(client, as_admin):
    assert client.post("/platform/outbox/12345/mark-sent").status_code == 404
    assert client.post("/platform/outbox/12345/send-again", data=CHECKED).status_code == 404


@pytest.mark.parametrize("action", ["send-again", "mark-sent"])
def test_releasing_refuses_a_post_without_a_csrf_token(app, client, as_admin, action):
    message = _message()
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post(f"/platform/outbox/{message.id}/{action}", data=CHECKED)

    assert response.status_code == 400
    assert _reloaded(message).status is OutboxStatus.SENDING
