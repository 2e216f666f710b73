import logging
import socket
from datetime import date
from types import SimpleNamespace

import pytest
from jinja2 import TemplateNotFound, UndefinedError
from sqlalchemy import select

from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from coop.models.types import utcnow
from coop.services.mail import Email, render_message, send_email, send_emails


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage)))


def test_with_a_mail_server_the_message_arrives_by_smtp(app, mailbox):
    app.config["MAIL_DEFAULT_SENDER"] = "Fishwick Food <orders@fishwick.example>"

    send_email(to="sam@example.org", subject="Your order is ready", body="Pick it up at 5pm.\n")
    db.session.commit()

    [message] = mailbox.messages
    assert message["Subject"] == "Your order is ready"
    assert message["From"] == "Fishwick Food <orders@fishwick.example>"
    assert message["To"] == "sam@example.org"
    assert message["Date"]
    assert message["Message-ID"].endswith("@fishwick.example>")
    assert mailbox.body(message).rstrip() == "Pick it up at 5pm."
    [sent] = outbox()
    assert sent.status is OutboxStatus.SENT
    assert sent.reply == "250 Message accepted for delivery"


def test_without_a_mail_server_the_message_is_kept_in_the_outbox(app, caplog):
    caplog.set_level(logging.INFO)

    send_email(to="sam@example.org", subject="Welcome", body="Hello Sam.")

    [kept] = outbox()
    assert kept.status is OutboxStatus.STORED
    assert (kept.recipient, kept.subject, kept.body) == ("sam@example.org", "Welcome", "Hello Sam.")
    assert kept.error is None
    assert "Welcome" in caplog.text


def test_a_rollback_sends_nothing(app, mailbox):
    send_email(to="sam@example.org", subject="Round closed", body="Never mind.")
    db.session.rollback()
    send_email(to="kim@example.org", subject="Welcome", body="Hello Kim.")
    db.session.commit()

    assert [message["Subject"] for message in mailbox.messages] == ["Welcome"]
    assert [kept.subject for kept in outbox()] == ["Welcome"]


def test_smtp_refusing_connections_leaves_messages_queued_then_each_arrives_once(
    app, mailbox, smtp_server, runner
):
    _unreachable(app)
    app.config["MAIL_RETRY_INTERVALS"] = [0]  # due again at once, for the test
    send_emails([Email(f"h{n}@example.org", f"Order {n}", "Your order.\n") for n in range(3)])
    db.session.commit()

    assert mailbox.messages == []
    kept = outbox()
    assert [m.status for m in kept] == [OutboxStatus.QUEUED] * 3
    assert all(m.attempts == 1 and "refused" in m.error.lower() for m in kept)
    assert all(m.next_attempt_at is not None for m in kept)

    runner.invoke(args=["tick"])  # still down: tried again, still queued
    db.session.expire_all()
    assert [m.attempts for m in outbox()] == [2, 2, 2]

    app.config["MAIL_PORT"] = smtp_server[1]  # the server is back
    runner.invoke(args=["tick"])
    runner.invoke(args=["tick"])

    assert sorted(m["To"] for m in mailbox.messages) == [f"h{n}@example.org" for n in range(3)]
    db.session.expire_all()
    assert [m.status for m in outbox()] == [OutboxStatus.SENT] * 3
    assert all(m.sent_at is not None and m.reply.startswith("250") for m in outbox())


def test_a_message_handed_over_whose_answer_was_lost_is_not_sent_again(app, mailbox, runner):
    send_email(to="sam@example.org", subject="Your bill", body="You owe 5.00.")
    db.session.flush()
    [kept] = outbox()
    # As a sender that died after DATA: claimed and handed over, no answer recorded.
    kept.status, kept.handed_at, kept.claimed_at = OutboxStatus.SENDING, utcnow(), utcnow()
    kept.attempts = 1
    db.session.commit()
    app.config["MAIL_CLAIM_TIMEOUT"] = -1

    runner.invoke(args=["tick"])

    assert mailbox.messages == []
    db.session.expire_all()
    assert outbox()[0].status is OutboxStatus.SENDING


def test_a_sender_that_died_before_handing_over_gives_its_messages_back(app, mailbox, runner):
    send_email(to="sam@example.org", subject="Your bill", body="You owe 5.00.")
    db.session.flush()
    [kept] = outbox()
    kept.status, kept.claimed_at, kept.attempts = OutboxStatus.SENDING, utcnow(), 1
    db.session.commit()
    app.config["MAIL_CLAIM_TIMEOUT"] = -1

    runner.invoke(args=["tick"])

    assert [m["Subject"] for m in mailbox.messages] == ["Your bill"]
    db.session.expire_all()
    assert outbox()[0].status is OutboxStatus.SENT


def test_a_slow_sender_whose_claim_was_given_back_and_taken_again_does_not_send_it(app, mailbox):
    from datetime import timedelta

    from coop.services.mail import SEND_AFTER_COMMIT, _claim, _send_batch

    send_email(to="sam@example.org", subject="Your bill", body="You owe 5.00.")
    send_email(to="kim@example.org", subject="Your bill", body="You owe 7.00.")
    db.session.info.pop(SEND_AFTER_COMMIT)  # this test is the sender
    db.session.commit()
    slow = _claim(10)
    claimed_at = slow[0].claimed_at
    db.session.commit()
    # While the slow sender waited, Sam's message was given back and another sender took it.
    taken = next(row for row in slow if row.recipient == "sam@example.org")
    db.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == taken.id)
        .values(claimed_at=utcnow() + timedelta(seconds=5))
    )
    db.session.commit()

    _send_batch(slow, claimed_at)

    assert [m["To"] for m in mailbox.messages] == ["kim@example.org"]
    db.session.expire_all()
    statuses = {row.recipient: (row.status, row.handed_at) for row in outbox()}
    assert statuses["sam@example.org"] == (OutboxStatus.SENDING, None)
    assert statuses["kim@example.org"][0] is OutboxStatus.SENT


def _unreachable(app) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_TIMEOUT=2)


def test_a_sensitive_message_that_waits_is_kept_without_its_body(app):
    _unreachable(app)

    send_email(
        to="sam@example.org",
        subject="Reset your coop password",
        body="Open http://localhost/password/reset/secret-token",
        sensitive=True,
    )
    db.session.commit()

    [kept] = outbox()
    assert kept.status is OutboxStatus.QUEUED
    assert kept.subject == "Reset your coop password"
    assert kept.body == "(withheld: this message contains a sign-in link)"


def test_an_ordinary_message_that_waits_keeps_its_body(app):
    _unreachable(app)

    send_email(to="sam@example.org", subject="Welcome", body="Hello Sam.", sensitive=False)
    db.session.commit()

    assert outbox()[0].body == "Hello Sam."


def test_without_a_mail_server_a_sensitive_message_keeps_its_body_for_development(app):
    send_email(to="sam@example.org", subject="Reset", body="http://x/reset/t", sensitive=True)

    [kept] = outbox()
    assert kept.status is OutboxStatus.STORED
    assert kept.body == "http://x/reset/t"


# --- messages from templates ---------------------------------------------------


def test_a_message_is_written_from_its_template_with_the_values_given(app):
    message = render_message(
        "people/approved.txt",
        to="sam@example.org",
        user=SimpleNamespace(name="Sam"),
        coop=SimpleNamespace(name="Fishwick Food"),
        link="http://localhost/coops/fishwick/",
    )

    assert (message.to, message.subject) == ("sam@example.org", "Welcome to Fishwick Food")
    assert message.body == (
        "Hello Sam,\n\nYour request to join Fishwick Food has been approved. "
        "You are now a member:\nhttp://localhost/coops/fishwick/\n"
    )


def test_a_missing_template_fails_loudly(app):
    with pytest.raises(TemplateNotFound):
        render_message("people/no_such_message.txt", to="sam@example.org")


def test_a_value_the_template_needs_but_was_not_given_fails_loudly(app):
    with pytest.raises(UndefinedError):
        render_message("people/approved.txt", to="sam@example.org", link="")


def test_values_are_put_in_as_plain_text_and_cannot_add_a_header(app):
    message = render_message(
        "people/approved.txt",
        to="sam@example.org",
        user=SimpleNamespace(name="Sam <b>&"),
        coop=SimpleNamespace(name="Fishwick\r\nBcc: everyone@example.org"),
        link="",
    )

    assert message.subject == "Welcome to Fishwick Bcc: everyone@example.org"
    assert message.body.startswith("Hello Sam <b>&,\n")
    with pytest.raises(ValueError, match="line break"):
        render_message("people/approved.txt", to="sam@example.org\nBcc: x@example.org")


# --- messages that carry a secret ----------------------------------------------


def test_a_message_carrying_a_sign_in_link_is_kept_without_writing_it_to_the_log(app, caplog):
    caplog.set_level(logging.INFO)

    send_email(
        to="sam@example.org",
        subject="Reset your coop password",
        body="Open http://localhost/password/reset/secret-token",
        sensitive=True,
    )

    assert "Reset your coop password" in caplog.text
    assert "secret-token" not in caplog.text
    assert "body not logged: it contains a sign-in link" in caplog.text


@pytest.mark.parametrize(
    ("template", "values"),
    [
        ("people/reset_password.txt", {"user": SimpleNamespace(name="Sam"), "minutes": 60}),
        (
            "people/invitation.txt",
            {
                "coop": SimpleNamespace(name="Fishwick Food"),
                "invited_by": SimpleNamespace(name="Cora"),
                "expires_at": date(2026, 12, 16),
            },
        ),
    ],
    ids=["reset", "invitation"],
)
def test_a_template_whose_link_signs_someone_in_marks_its_message_secret(
    app, caplog, template, values
):
    caplog.set_level(logging.INFO)

    message = render_message(
        template, to="sam@example.org", link="http://localhost/secret-token", **values
    )
    send_emails([message])

    assert message.sensitive
    assert "secret-token" in message.body
    assert "secret-token" not in caplog.text
