"""Two deliveries of a payment's success at the same moment post it once (PostgreSQL).

As in `tests/money/test_concurrent_book_entries.py` (`support.race`): each
delivery runs in a thread with its own connection, and the first commit is
held until the other is seen waiting, so the two transactions really overlap.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select
from support import commits_held_until_someone_waits, race

from coop.extensions import db
from coop.models import Account, AccountKind, Membership, Posting, StripeEvent
from coop.services.money.ledger import household_balance_pence
from coop.services.payments.cards import start_top_up
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


def _succeeded(event_id: str, payment) -> Event:
    return Event(
        id=event_id,
        type="payment_intent.succeeded",
        account=None,
        created=0,
        object={
            "id": payment.payment_intent_id,
            "amount": payment.amount_pence,
            "currency": "gbp",
            "status": "succeeded",
            "metadata": {"coop_id": str(payment.coop_id)},
        },
    )


@pytest.mark.parametrize("same_event", [True, False], ids=["one-event-twice", "two-events"])
def test_two_deliveries_at_once_post_once(stripe_app, factory, same_event):
    household = factory.membership(coop=factory.coop())
    payment = start_top_up(membership=household, amount_pence=1500, by=household.user)
    db.session.commit()
    events = [_succeeded("evt_race_1", payment), _succeeded(f"evt_race_{2 - same_event}", payment)]

    def deliver(event: Event):
        def attempt():
            outcome = handle_event(event=event)
            db.session.commit()
            return outcome

        return attempt

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(stripe_app, *(deliver(event) for event in events))

    assert overlap.seen == [True]
    expected = ["posted", "replay"] if same_event else ["already_done", "posted"]
    assert sorted(outcome.result for outcome in outcomes) == sorted(expected)
    db.session.expire_all()
    assert household_balance_pence(membership=db.session.get_one(Membership, household.id)) == 1500
    card_postings = db.session.scalar(
        select(func.count(Posting.id))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.kind == AccountKind.CARD)
    )
    assert card_postings == 1
    assert db.session.scalar(select(func.count(StripeEvent.id))) == (1 if same_event else 2)
