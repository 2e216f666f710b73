"""Sending email.

A message is written from a text template under ``templates/email/``
(`render_message`, `send_message`): the service passes values, the template
holds the wording, its ``subject`` included, and every link in it is one the
caller built from ``SITE_URL``.

With ``MAIL_SERVER`` set, messages go out by SMTP at once. Without it (the
development default) they are kept in the outbox table, where the platform
admin can read them, and written to the log. A message the SMTP server
refuses is kept in the outbox too, marked failed, so nothing is lost silently;
a failed message carrying a sign-in link is kept without its body, so that
nobody reading the outbox can use the link.

A message is *sensitive* when its link lets the reader sign in, join or
change a password: its caller says so, or its template does with
``{% set secret = true %}`` (the reset and invitation messages). The body
of a sensitive message is never written to the log.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import insert

from coop.domain.money import format_pence
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from coop.models.types import utcnow
from coop.services.times import local_time

WITHHELD = "(withheld: this message contains a sign-in link)"
NOT_LOGGED = "(body not logged: it contains a sign-in link)"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, such as a supplier's order sheet."""

    filename: str
    content: bytes
    mimetype: str = "text/csv"


@dataclass(frozen=True)
class Email:
    """One plain-text message to send, for `send_emails`."""

    to: str
    subject: str
    body: str
    sensitive: bool = False
    attachments: tuple[Attachment, ...] = ()


def render_message(
    template: str,
    *,
    to: str,
    sensitive: bool = False,
    attachments: Sequence[Attachment] = (),
    **values: object,
) -> Email:
    """Write the message *template* (a path under ``templates/email/``) to *to* with *values*.

    The template sets ``subject``; its text is the body, ending in one line
    break. A template that sets ``secret`` makes the message sensitive. A
    value the template uses but was not given fails loudly, as does a missing
    template. Values are put in as they are (plain text, no escaping), but
    none can add a header: the subject is kept to one line and an address
    with a line break is refused.
    """
    if "\n" in to or "\r" in to:
        raise ValueError(f"an email address cannot hold a line break: {to!r}")
    module = _templates().get_template(template).make_module(values)
    subject = getattr(module, "subject", "")
    if not subject:
        raise ValueError(f"the email template {template} sets no subject")
    return Email(
        to=to,
        subject=" ".join(line.strip() for line in str(subject).splitlines()),
        body=str(module).rstrip("\n") + "\n",
        sensitive=sensitive or bool(getattr(module, "secret", False)),
        attachments=tuple(attachments),
    )


def send_message(
    template: str,
    *,
    to: str,
    sensitive: bool = False,
    attachments: Sequence[Attachment] = (),
    **values: object,
) -> None:
    """Write the message *template* to *to* with *values* and send it (flushes)."""
    send_emails(
        [render_message(template, to=to, sensitive=sensitive, attachments=attachments, **values)]
    )


def _templates() -> Environment:
    # Plain text: nothing is escaped, and a value the template lacks is an error, not "".
    environment = current_app.extensions.get("coop.email_templates")
    if environment is None:
        folder = os.path.join(current_app.root_path, current_app.template_folder or "", "email")
        environment = Environment(
            loader=FileSystemLoader(folder),
            autoescape=False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=current_app.debug,
        )
        environment.filters["pence"] = format_pence
        environment.filters["possessive"] = possessive
        environment.filters["local_time"] = local_time
        current_app.extensions["coop.email_templates"] = environment
    return environment


def send_email(
    *,
    to: str,
    subject: str,
    body: str,
    sensitive: bool = False,
    attachments: Sequence[Attachment] = (),
) -> None:
    """Send a plain-text message, or keep it in the outbox (flushes).

    Mark a message *sensitive* when its link lets the reader sign in or change a
    password: if SMTP fails, the outbox keeps it without the body. Without a mail
    server at all (development) the body is kept, since nobody else receives it.
    """
    send_emails([Email(to, subject, body, sensitive, tuple(attachments))])


def send_emails(messages: Sequence[Email]) -> None:
    """Send many messages over one SMTP connection, or keep them in the outbox (flushes).

    Used when a round closes or changes and every household hears at once:
    the outbox takes them in one statement, SMTP in one session.
    """
    if not messages:
        return
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        for message in messages:
            current_app.logger.info(
                "Mail to %s kept in the outbox: %s\n%s",
                message.to,
                message.subject,
                NOT_LOGGED if message.sensitive else message.body,
            )
        _keep_all([(message, OutboxStatus.STORED, None) for message in messages])
        return
    failed: list[tuple[Email, OutboxStatus, str | None]] = []
    handled = 0  # messages sent or refused one by one
    try:
        with _connect() as smtp:
            for message in messages:
                try:
                    smtp.send_message(_compose(message))
                except smtplib.SMTPRecipientsRefused as error:
                    current_app.logger.error("Mail to %s refused: %s", message.to, error)
                    failed.append((message, OutboxStatus.FAILED, str(error)))
                handled += 1
    except (smtplib.SMTPException, OSError) as error:
        current_app.logger.error("Mail to %s failed: %s", messages[handled].to, error)
        failed += [(message, OutboxStatus.FAILED, str(error)) for message in messages[handled:]]
    _keep_all(failed)


def _compose(message: Email) -> EmailMessage:
    config = current_app.config
    composed = EmailMessage()
    composed["From"] = config["MAIL_DEFAULT_SENDER"]
    composed["To"] = message.to
    composed["Subject"] = message.subject
    composed["Date"] = formatdate(localtime=False)
    composed["Message-ID"] = make_msgid(domain=_sender_domain(config["MAIL_DEFAULT_SENDER"]))
    composed.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        composed.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return composed


def _sender_domain(sender: str) -> str:
    # Named explicitly: make_msgid() would otherwise look up this host's name in DNS.
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    # smtplib verifies no certificate unless given a context; without one, TLS
    # would hand the SMTP password to anyone in the middle.
    context = ssl.create_default_context()
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _keep_all(kept: Sequence[tuple[Email, OutboxStatus, str | None]]) -> None:
    if not kept:
        return
    now = utcnow()
    rows = [
        {
            "recipient": message.to,
            "subject": message.subject,
            "body": _kept_body(message, status),
            "status": status,
            "secret": message.sensitive,
            "error": error,
            "created_at": now,
        }
        for message, status, error in kept
    ]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.flush()


def _kept_body(message: Email, status: OutboxStatus) -> str:
    if message.sensitive and status is OutboxStatus.FAILED:
        return WITHHELD
    if not message.attachments:
        return message.body
    names = ", ".join(attachment.filename for attachment in message.attachments)
    return f"{message.body.rstrip()}\n\n(Attached: {names})"
