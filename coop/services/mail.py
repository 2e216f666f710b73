"""Sending email.

With ``MAIL_SERVER`` set, messages go out by SMTP at once. Without it (the
development default) they are kept in the outbox table, where the platform
admin can read them, and written to the log. A message the SMTP server
refuses is kept in the outbox too, marked failed, so nothing is lost silently;
a failed message carrying a sign-in link is kept without its body, so that
nobody reading the outbox can use the link.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus

WITHHELD = "(withheld: this message contains a sign-in link)"


def send_email(*, to: str, subject: str, body: str, sensitive: bool = False) -> None:
    """Send a plain-text message, or keep it in the outbox (flushes).

    Mark a message *sensitive* when its link lets the reader sign in or change a
    password: if SMTP fails, the outbox keeps it without the body. Without a mail
    server at all (development) the body is kept, since nobody else receives it.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        _keep(to=to, subject=subject, body=body, status=OutboxStatus.STORED)
        current_app.logger.info("Mail to %s kept in the outbox: %s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=_sender_domain(config["MAIL_DEFAULT_SENDER"]))
    message.set_content(body)
    try:
        _deliver(message)
    except (smtplib.SMTPException, OSError) as error:
        current_app.logger.error("Mail to %s failed: %s", to, error)
        _keep(
            to=to,
            subject=subject,
            body=WITHHELD if sensitive else body,
            status=OutboxStatus.FAILED,
            error=str(error),
        )


def _sender_domain(sender: str) -> str:
    # Named explicitly: make_msgid() would otherwise look up this host's name in DNS.
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    # smtplib verifies no certificate unless given a context; without one, TLS
    # would hand the SMTP password to anyone in the middle.
    context = ssl.create_default_context()
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _keep(
    *, to: str, subject: str, body: str, status: OutboxStatus, error: str | None = None
) -> None:
    db.session.add(
        OutboxMessage(recipient=to, subject=subject, body=body, status=status, error=error)
    )
    db.session.flush()
