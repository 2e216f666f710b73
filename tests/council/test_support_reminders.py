"""Officers hear once of what falls due on a support record, through `flask tick` and the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jobs.conftest import needs_redis, store  # noqa: F401 (a fixture: the test Redis, locked)
from rq import Queue
from support import count_rows

from coop.extensions import db
from coop.models import SupportKind, SupportRecord, SupportReminder, SupportStatus
from coop.services.jobs import QUEUE_NAME
from coop.services.support.due import reminders_due
from council.support_world import TODAY, linked_council, officer_of


@pytest.fixture
def council(rounds):
    return linked_council(rounds)


@pytest.fixture
def officer(rounds, council):
    return officer_of(rounds, council)


@pytest.fixture
def record(rounds, council, officer):
    record = SupportRecord(
        council_id=council.id,
        coop_id=rounds.coop.id,
        programme="Household Support Fund round 6",
        kind=SupportKind.GRANT,
        value_pence=60_000,
        awarded_on=TODAY - timedelta(days=60),
        spend_by=TODAY + timedelta(days=7),
    )
    db.session.add(record)
    db.session.commit()
    return record


def test_tick_tells_the_officer_once_what_falls_due(runner, mailbox, record, officer):
    first = runner.invoke(args=["tick"])
    second = runner.invoke(args=["tick"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    (message,) = mailbox.to(officer.email)
    assert "Fishwick Food: money to be spent by" in message["Subject"]
    body = mailbox.body(message)
    assert "Household Support Fund round 6" in body
    assert f"/councils/{record.council_id}/support/{record.id}" in body
    assert count_rows(SupportReminder) == 1
    assert reminders_due() == []


def test_a_new_date_is_a_new_reminder_and_a_closed_record_none(runner, mailbox, record, officer):
    runner.invoke(args=["tick"])
    record.spend_by = TODAY + timedelta(days=14)
    db.session.commit()
    runner.invoke(args=["tick"])
    assert len(mailbox.to(officer.email)) == 2

    record.status = SupportStatus.CLOSED
    record.spend_by = TODAY + timedelta(days=20)
    db.session.commit()
    runner.invoke(args=["tick"])

    assert len(mailbox.to(officer.email)) == 2


def test_nothing_far_off_is_reminded(runner, mailbox, record, officer):
    record.spend_by = TODAY + timedelta(days=120)
    db.session.commit()

    runner.invoke(args=["tick"])

    assert mailbox.to(officer.email) == []


@pytest.mark.committing
@needs_redis
def test_on_the_queue_two_ticks_queue_one_reminder_that_a_worker_sends(
    app,
    runner,
    mailbox,
    record,
    officer,
    store,  # noqa: F811
):
    runner.invoke(args=["tick"])
    runner.invoke(args=["tick"])
    assert len(Queue(QUEUE_NAME, connection=store)) == 1
    assert mailbox.messages == []

    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["worker", "--burst"])  # the outbox's own job, if it was queued

    assert len(mailbox.to(officer.email)) == 1
    db.session.remove()
    assert count_rows(SupportReminder) == 1
