"""The outbox on the job queue: many commits make one job, which a real worker sends."""

from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import select

from coop.extensions import db
from coop.models import OutboxMessage, OutboxStatus
from coop.services.jobs import QUEUE_NAME
from coop.services.mail import send_email
from jobs.conftest import needs_redis

pytestmark = [pytest.mark.committing, needs_redis]


def test_messages_wait_for_the_worker_then_arrive_in_one_smtp_session(app, store, runner, mailbox):
    for n in range(3):  # three actions, each committed on its own
        send_email(to=f"h{n}@example.org", subject=f"Order {n}", body="Your order.\n")
        db.session.commit()

    assert mailbox.messages == []  # the commits did not wait for SMTP
    assert len(Queue(QUEUE_NAME, connection=store)) == 1  # one pending job for all three

    result = runner.invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert sorted(m["To"] for m in mailbox.messages) == [f"h{n}@example.org" for n in range(3)]
    assert len(set(mailbox.peers)) == 1
    db.session.remove()
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses == [OutboxStatus.SENT] * 3


def test_tick_says_the_queue_cannot_be_reached_and_the_mail_waits_for_it(app, runner, mailbox):
    before = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        send_email(to="h@example.org", subject="Your order", body="Your order.\n")
        db.session.commit()  # the action stands though the sending job cannot be queued

        result = runner.invoke(args=["tick"])
    finally:
        app.config["REDIS_URL"] = before

    assert result.exit_code == 1
    assert "The job queue's Redis cannot be reached" in result.output
    assert "Traceback" not in result.output
    assert mailbox.messages == []
    db.session.remove()
    assert db.session.scalars(select(OutboxMessage.status)).all() == [OutboxStatus.QUEUED]
