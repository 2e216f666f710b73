"""Payout events delivered at the same moment post and reverse a payout once (PostgreSQL).

As in `test_concurrent_webhooks.py` (`support.race`): each delivery runs in a
thread with its own connection, and the first commit is held until the other
is seen waiting, so the two transactions really overlap.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from support import commits_held_until_someone_waits, race

from coop.extensions import db
from coop.models import LedgerTransaction, TransactionKind
from coop.models.ledger import AccountKind
from coop.services.money.ledger import balance_pence, single_account
from coop.services.payments.events import handle_event
from coop.services.payments.gateway import Event

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.committing,
    pytest.mark.skipif(
        not os.environ.get("COOP_TEST_DATABASE_URL"),
        reason="row locks are PostgreSQL's; SQLite lets one writer in at a time "
        "(set COOP_TEST_DATABASE_URL to run these)",
    ),
]


def _payout(event_id: str, kind: str, created: int) -> Event:
    return Event(
        id=event_id,
        type=kind,
        account=None,
        created=created,
        object={
            "id": "po_race",
            "amount": 2500,
            "currency": "gbp",
            "status": kind.removeprefix("payout."),
            "arrival_date": int(datetime(2026, 11, 10, tzinfo=UTC).timestamp()),
        },
    )


def _deliver(event: Event):
    def attempt():
        outcome = handle_event(event=event)
        db.session.commit()
        return outcome

    return attempt


def _count(kind: TransactionKind) -> int:
    return db.session.scalar(
        select(func.count(LedgerTransaction.id)).where(LedgerTransaction.kind == kind)
    )


def test_one_paid_event_delivered_twice_at_once_posts_once(app, factory):
    coop = factory.coop()
    db.session.commit()
    event = _payout("evt_payout_race", "payout.paid", 100)

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, _deliver(event), _deliver(event))

    assert overlap.seen == [True]
    assert sorted(outcome.result for outcome in outcomes) == ["payout_recorded", "replay"]
    db.session.expire_all()
    assert _count(TransactionKind.TRANSFER) == 1
    bank = single_account(coop_id=coop.id, kind=AccountKind.BANK).id
    assert -balance_pence(account_id=bank) == 2500


def test_two_failures_of_a_paid_payout_at_once_reverse_it_once(app, factory):
    coop = factory.coop()
    db.session.commit()
    handle_event(event=_payout("evt_payout_paid", "payout.paid", 100))
    db.session.commit()
    failures = [_payout(f"evt_payout_failed_{n}", "payout.failed", 200) for n in (1, 2)]

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, *(_deliver(event) for event in failures))

    assert overlap.seen == [True]
    assert [outcome.error for outcome in outcomes] == [None, None]
    db.session.expire_all()
    assert _count(TransactionKind.REVERSAL) == 1
    bank = single_account(coop_id=coop.id, kind=AccountKind.BANK).id
    assert balance_pence(account_id=bank) == 0
