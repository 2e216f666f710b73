"""Sending email, through a transactional outbox.

A message is written from a text template under ``templates/email/``
(`render_message`, `send_message`): the service passes values, the template
holds the wording, its ``subject`` included, and every link in it is one the
caller built from ``SITE_URL``.

Every message is a row of the outbox table, written (`send_emails`) in the
same transaction as the action that caused it, so a rollback takes it away
and a commit keeps it whatever happens next. With ``MAIL_SERVER`` set the row
is ``queued``, and a SQLAlchemy ``after_commit`` event on the session that
wrote it enqueues the `send_outbox` job (one key, so many commits make one
pending job). The event rather than a call after each service's commit:
services never commit, their callers do, in views, commands and jobs, and
the event cannot be forgotten by a new caller; it fires only when the
outermost transaction commits, and a rollback forgets it. The job claims a
batch (on PostgreSQL ``FOR UPDATE SKIP LOCKED``; on SQLite the one writer's
``UPDATE`` of the rows still claimable), sends it over one SMTP session and
records per message what the server answered: ``sent`` with the time and
reply, or ``failed`` with the error and, for a refusal that may pass (4xx),
the time of its next try. A server that cannot be reached leaves the rows
``queued`` with a later ``next_attempt_at``; `flask tick` enqueues the job
whenever one is due, so nothing is dropped.

Never twice: each message's handing over (``handed_at``) is committed
before its DATA goes to the server. If the answer to DATA is lost (a timeout,
a dropped connection), the server may have delivered it, so it stays
``sending`` and is logged for a person to check on the outbox page rather
than resent. A sender that claimed messages and died before handing them
over gives them back after ``MAIL_CLAIM_TIMEOUT`` (`requeue_stale_claims`).

Without ``MAIL_SERVER`` (the development default) the rows are ``stored``:
kept for the platform admin to read and written to the log, never sent.

A message is *sensitive* when its link lets the reader sign in, join or
change a password: its caller says so, or its template does with
``{% set secret = true %}`` (the reset and invitation messages). The body
of a sensitive message is never written to the log; sent by SMTP, it is kept
in the outbox only as the raw message until it is sent or refused for good,
and the ``body`` column holds a placeholder.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import ColumnElement, and_, event, insert, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction

from coop.domain.money import format_pence
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.jobs import enqueue
from coop.services.times import local_time

WITHHELD = "(withheld: this message contains a sign-in link)"
NOT_LOGGED = "(body not logged: it contains a sign-in link)"

# In a session's info: it wrote messages to send once it commits.
SEND_AFTER_COMMIT = "coop.mail.send_after_commit"


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
    # Further headers, such as List-Unsubscribe; a name or value with a line break is refused.
    headers: tuple[tuple[str, str], ...] = ()


def render_message(
    template: str,
    *,
    to: str,
    sensitive: bool = False,
    attachments: Sequence[Attachment] = (),
    headers: Sequence[tuple[str, str]] = (),
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
    for name, value in headers:
        if any(mark in name + value for mark in "\r\n"):
            raise ValueError(f"a header cannot hold a line break: {name!r}")
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
        headers=tuple(headers),
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
        [
            render_message(
                template,
                to=to,
                sensitive=sensitive,
                attachments=attachments,
                headers=(),
                **values,
            )
        ]
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
    """Write many messages to the outbox in one statement, to be sent after the commit (flushes).

    Used when a round closes or changes and every household hears at once:
    the outbox takes them in one statement, `send_outbox` sends them over one
    SMTP session once the caller's transaction has committed.
    """
    if not messages:
        return
    if not current_app.config.get("MAIL_SERVER"):
        for message in messages:
            current_app.logger.info(
                "Mail to %s kept in the outbox: %s\n%s",
                message.to,
                message.subject,
                NOT_LOGGED if message.sensitive else message.body,
            )
        _keep_all(messages, OutboxStatus.STORED)
        return
    _keep_all(messages, OutboxStatus.QUEUED)
    db.session.info[SEND_AFTER_COMMIT] = True


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    # Only the outermost commit fires this, once what it wrote can be read by others.
    if not session.info.pop(SEND_AFTER_COMMIT, False):
        return
    try:
        enqueue(send_outbox, key="outbox")
    except Exception:  # Redis down, say: the action stands and `flask tick` sends them
        current_app.logger.exception("Could not queue the outbox to be sent")


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the rows went with it
        session.info.pop(SEND_AFTER_COMMIT, None)


def _claimable(now: datetime) -> ColumnElement[bool]:
    due = or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    return or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, due),
        and_(
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.next_attempt_at.is_not(None),
            OutboxMessage.next_attempt_at <= now,
        ),
    )


def outbox_due() -> bool:
    """Whether a message waits to be sent now (for `flask tick`)."""
    if not current_app.config.get("MAIL_SERVER"):
        return False
    found = db.session.scalar(select(OutboxMessage.id).where(_claimable(utcnow())).limit(1))
    return found is not None


def requeue_stale_claims() -> int:
    """Put back on the queue messages a sender claimed and died before handing over (flushes).

    A message whose DATA had gone to the server stays ``sending``: it may
    have been delivered, so it is left for a person to check, not resent.
    """
    stale = utcnow() - timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT"])
    abandoned = and_(
        OutboxMessage.status == OutboxStatus.SENDING,
        OutboxMessage.handed_at.is_(None),
        OutboxMessage.claimed_at < stale,
    )
    # Asked first: most minutes there are none, and then nothing is written.
    ids = db.session.scalars(select(OutboxMessage.id).where(abandoned)).all()
    if not ids:
        return 0
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), abandoned)
        .values(status=OutboxStatus.QUEUED, claimed_at=None)
        .returning(OutboxMessage.id)
    ).all()
    db.session.flush()
    return len(claimed)


def _unanswered(message_id: int) -> OutboxMessage:
    """Return the message, locked, refusing unless it was handed over and its answer lost."""
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    ).one_or_none()
    if message is None:
        raise ServiceError("There is no such message in the outbox.")
    if message.status is not OutboxStatus.SENDING or message.handed_at is None:
        now = "is being sent now" if message.status is OutboxStatus.SENDING else None
        raise ServiceError(
            "Only a message handed to the mail server without an answer can be sent again"
            f" or marked as sent; this one {now or 'is ' + message.status.value}."
        )
    return message


def resend_unanswered_message(*, message_id: int) -> OutboxMessage:
    """Queue again a message whose answer was lost, once checked it did not arrive (flushes).

    Its raw message is kept and sent as it was written; the sender is queued
    when the caller commits.
    """
    message = _unanswered(message_id)
    if message.raw is None:
        raise ServiceError(
            "This message was handed to the mail server, but its text is no longer kept,"
            " so it cannot be sent again: mark it as sent, or write to its recipient yourself."
        )
    message.status = OutboxStatus.QUEUED
    message.handed_at = None
    message.claimed_at = None
    message.next_attempt_at = None
    message.error = None
    db.session.flush()
    db.session.info[SEND_AFTER_COMMIT] = True
    return message


def mark_unanswered_message_sent(*, message_id: int, by: User) -> OutboxMessage:
    """Record that a message whose answer was lost did arrive, as *by* checked (flushes)."""
    message = _unanswered(message_id)
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.reply = f"no answer from the mail server; {by.name} checked that it arrived"
    message.error = None
    message.claimed_at = None
    message.next_attempt_at = None
    message.raw = None  # as for any message sent: a sign-in link does not linger
    db.session.flush()
    return message


def send_outbox() -> None:
    """The job: send the queued messages, a batch per SMTP session (commits as it goes).

    Unlike other jobs it commits by itself, since what it records must stand
    before the next step: a batch is claimed (``sending``, its attempt
    counted) and committed before the server is reached, so no other sender
    takes it; each message's handing over is committed before its DATA, and
    the server's answer right after. A server that cannot be reached puts the
    batch back as ``queued`` with a later ``next_attempt_at``, which
    `flask tick` picks up.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return
    size = config["MAIL_BATCH_SIZE"]
    while True:
        claimed = _claim(size)
        # Read before the commit expires it: the claim this sender must still hold.
        claimed_at = claimed[0].claimed_at if claimed else None
        db.session.commit()
        if not claimed or not _send_batch(claimed, claimed_at) or len(claimed) < size:
            return


def _claim(size: int) -> list[OutboxMessage]:
    now = utcnow()
    # PostgreSQL: two senders skip each other's rows; SQLite: the UPDATE takes
    # the one write lock, and only rows still claimable are claimed.
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(_claimable(now))
        .order_by(OutboxMessage.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        return []
    claimed = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), _claimable(now))
        .values(
            status=OutboxStatus.SENDING,
            claimed_at=now,
            handed_at=None,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage.id)
    ).all()
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed))
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    return list(rows)


def _send_batch(rows: Sequence[OutboxMessage], claimed_at: datetime | None) -> bool:
    """Send *rows*, claimed at *claimed_at*, over one SMTP session.

    Returns False when the server stopped answering.
    """
    sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    try:
        smtp = _connect()
    except (smtplib.SMTPException, OSError) as error:
        current_app.logger.error(
            "Mail server unreachable, %d message(s) wait: %s", len(rows), error
        )
        _retry_later(rows, error)
        return False
    with smtp:
        for index, row in enumerate(rows):
            try:
                smtp.ehlo_or_helo_if_needed()
                code, answer = smtp.mail(sender)
                if code != 250:
                    raise smtplib.SMTPSenderRefused(code, answer, sender)
                code, answer = smtp.rcpt(row.recipient)
                if code not in (250, 251):
                    raise smtplib.SMTPRecipientsRefused({row.recipient: (code, answer)})
            except (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused) as error:
                _refused(smtp, row, code, error)
                continue
            except (smtplib.SMTPException, OSError) as error:
                # Nothing of this one was handed over: it and the rest wait.
                current_app.logger.error("Mail to %s failed: %s", row.recipient, error)
                _retry_later(rows[index:], error)
                return False
            if not _hand_over(row, claimed_at):
                # This batch outlived MAIL_CLAIM_TIMEOUT and the message was given
                # back and claimed again: the sender that holds it now sends it.
                current_app.logger.warning(
                    "Outbox message %d was claimed again while this sender waited; left to it",
                    row.id,
                )
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    smtp.rset()
                continue
            try:
                code, answer = smtp.data(row.raw or b"")
            except smtplib.SMTPDataError as error:
                _refused(smtp, row, error.smtp_code, error)
                continue
            except (smtplib.SMTPException, OSError) as error:
                current_app.logger.error(
                    "Mail to %s (outbox message %d) was handed to the server but its answer"
                    " was lost (%s): left as sending, for a person to check",
                    row.recipient,
                    row.id,
                    error,
                )
                row.error = f"handed to the server, answer lost: {error}"
                _retry_later(rows[index + 1 :], error)
                return False
            row.status = OutboxStatus.SENT
            row.sent_at = utcnow()
            row.reply = f"{code} {answer.decode(errors='replace')}"
            row.error = None
            row.next_attempt_at = None
            row.raw = None
            db.session.commit()
    return True


def _hand_over(row: OutboxMessage, claimed_at: datetime | None) -> bool:
    """Record that *row* goes to the server now, if this sender still holds it (commits).

    The one row is updated only while it is still this sender's claim (its
    claim made at *claimed_at*, nothing handed over), so a message given
    back and claimed by another sender is never handed over twice.
    """
    now = utcnow()
    handed = db.session.scalar(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row.id,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at == claimed_at,
            OutboxMessage.handed_at.is_(None),
        )
        .values(handed_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # from here on it may arrive: never sent again by itself
    return handed is not None


def _refused(smtp: smtplib.SMTP, row: OutboxMessage, code: int, error: Exception) -> None:
    current_app.logger.error("Mail to %s refused: %s", row.recipient, error)
    row.status = OutboxStatus.FAILED
    row.error = str(error)
    row.claimed_at = None
    if code >= 500:  # refused for good: kept to read, never tried again
        row.next_attempt_at = None
        row.raw = None
    else:
        row.next_attempt_at = _next_attempt(row.attempts)
    db.session.commit()
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.rset()


def _next_attempt(attempts: int) -> datetime:
    intervals = current_app.config["MAIL_RETRY_INTERVALS"]
    return utcnow() + timedelta(seconds=intervals[min(max(attempts, 1), len(intervals)) - 1])


def _retry_later(rows: Sequence[OutboxMessage], error: Exception) -> None:
    for row in rows:
        row.status = OutboxStatus.QUEUED
        row.error = str(error)
        row.claimed_at = None
        row.handed_at = None
        row.next_attempt_at = _next_attempt(row.attempts)
    db.session.commit()


def _compose(message: Email) -> EmailMessage:
    config = current_app.config
    composed = EmailMessage()
    composed["From"] = config["MAIL_DEFAULT_SENDER"]
    composed["To"] = message.to
    composed["Subject"] = message.subject
    composed["Date"] = formatdate(localtime=False)
    composed["Message-ID"] = make_msgid(domain=_sender_domain(config["MAIL_DEFAULT_SENDER"]))
    for name, value in message.headers:
        composed[name] = value
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


def _keep_all(messages: Sequence[Email], status: OutboxStatus) -> None:
    now = utcnow()
    rows = [
        {
            "recipient": message.to,
            "subject": message.subject,
            "body": _kept_body(message, status),
            "status": status,
            "secret": message.sensitive,
            "created_at": now,
            "raw": _raw(message) if status is OutboxStatus.QUEUED else None,
        }
        for message in messages
    ]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.flush()


def _raw(message: Email) -> bytes:
    composed = _compose(message)
    return composed.as_bytes(policy=composed.policy.clone(linesep="\r\n"))


def _kept_body(message: Email, status: OutboxStatus) -> str:
    # Sent by SMTP, a sensitive message's link is in `raw` only, forgotten once sent.
    if message.sensitive and status is not OutboxStatus.STORED:
        return WITHHELD
    if not message.attachments:
        return message.body
    names = ", ".join(attachment.filename for attachment in message.attachments)
    return f"{message.body.rstrip()}\n\n(Attached: {names})"
