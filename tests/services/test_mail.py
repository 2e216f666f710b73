import logging
import socket
from datetime import date
from types import SimpleNamespace

import pytest
from jinja2 import TemplateNotFound, UndefinedError
from sqlalchemy import select

from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from coop.services.mail import render_message, send_email, send_emails


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage)))


def test_with_a_mail_server_the_message_arrives_by_smtp(app, mailbox):
    app.config["MAIL_DEFAULT_SENDER"] = "Fishwick Food <orders@fishwick.example>"

    send_email(to="sam@example.org", subject="Your order is ready", body="Pick it up at 5pm.\n")

    [message] = mailbox.messages
    assert message["Subject"] == "Your order is ready"
    assert message["From"] == "Fishwick Food <orders@fishwick.example>"
    assert message["To"] == "sam@example.org"
    assert message["Date"]
    assert message["Message-ID"].endswith("@fishwick.example>")
    assert mailbox.body(message).rstrip() == "Pick it up at 5pm."
    assert outbox() == []


def test_without_a_mail_server_the_message_is_kept_in_the_outbox(app, caplog):
    caplog.set_level(logging.INFO)

    send_email(to="sam@example.org", subject="Welcome", body="Hello Sam.")

    [kept] = outbox()
    assert kept.status is OutboxStatus.STORED
    assert (kept.recipient, kept.subject, kept.body) == ("sam@example.org", "Welcome", "Hello Sam.")
    assert kept.error is None
    assert "Welcome" in caplog.text


def test_a_message_the_server_cannot_take_is_kept_as_failed(app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_TIMEOUT=2)

    send_email(to="sam@example.org", subject="Welcome", body="Hello Sam.")

    [kept] = outbox()
    assert kept.status is OutboxStatus.FAILED
    assert kept.subject == "Welcome"
    assert "refused" in kept.error.lower()


def _unreachable(app) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_TIMEOUT=2)


def test_a_sensitive_message_that_failed_is_kept_without_its_body(app):
    _unreachable(app)

    send_email(
        to="sam@example.org",
        subject="Reset your coop password",
        body="Open http://localhost/password/reset/secret-token",
        sensitive=True,
    )

    [kept] = outbox()
    assert kept.status is OutboxStatus.FAILED
    assert kept.subject == "Reset your coop password"
    assert kept.body == "(withheld: this message contains a sign-in link)"


def test_an_ordinary_message_that_failed_keeps_its_body(app):
    _unreachable(app)

    send_email(to="sam@example.org", subject="Welcome", body="Hello Sam.", sensitive=False)

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
