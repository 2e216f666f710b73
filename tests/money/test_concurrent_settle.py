"""Two settles of one round at the same moment settle it once (PostgreSQL, two connections).

As in `rounds/test_concurrent_close.py` (`support.race`): each attempt runs in a thread of its
own, with its own session and connection; whichever takes the round's row
lock first holds its commit until PostgreSQL shows the other waiting for
that lock, so the two transactions really overlap.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from support import commits_held_until_someone_waits, count_rows, race

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    BillLine,
    LedgerTransaction,
    OutboxMessage,
    Round,
    RoundCost,
    SplitBasis,
    TransactionKind,
)
from coop.services.money.costs import add_round_cost
from coop.services.money.ledger import household_balance_pence
from coop.services.money.settlement import settle_round
from money.support import receive_as_ordered, transaction_sums

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.committing,
    pytest.mark.skipif(
        not os.environ.get("COOP_TEST_DATABASE_URL"),
        reason="row locks are PostgreSQL's; SQLite lets one writer in at a time "
        "(set COOP_TEST_DATABASE_URL to run these)",
    ),
]

ALREADY_SETTLED = "The round is already settled."
ITEMS = 3


def settling_by(user) -> Callable[[int], Any]:
    """Return a treasurer's settle of a round, committed as the view commits it."""

    def attempt(round_id: int) -> Any:
        settled = settle_round(round_id=round_id, by=user)
        db.session.commit()
        return settled

    return attempt


@pytest.fixture
def received_round(rounds):
    """A received round of three items (£2.00 a unit) that every household ordered."""
    products = [rounds.product(case_size=1, case_price_pence=200) for _ in range(ITEMS)]
    round_ = rounds.round(*products)
    for n, household in enumerate(rounds.households):
        for product in products:
            rounds.ask(round_, product, household, 1 + n % 2)
    return receive_as_ordered(round_)


def bill_emails_per_recipient(round_: Round) -> dict[str, int]:
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(OutboxMessage.recipient, func.count())
            .where(OutboxMessage.subject.contains(f"your bill for {round_.title}"))
            .group_by(OutboxMessage.recipient)
        ).all()
    )


def settlements() -> list[int]:
    return list(
        db.session.scalars(
            select(LedgerTransaction.id).where(LedgerTransaction.kind == TransactionKind.SETTLEMENT)
        )
    )


def test_two_treasurers_settling_at_once_settle_the_round_once(app, rounds, received_round):
    treasurers = [
        rounds.factory.member(rounds.coop, Role.TREASURER, user=rounds.factory.user())
        for _ in range(2)
    ]
    first, second = (settling_by(treasurer) for treasurer in treasurers)

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, lambda: first(received_round.id), lambda: second(received_round.id))

    assert overlap.seen == [True]
    assert [outcome.refusal for outcome in outcomes if outcome.refusal] == [ALREADY_SETTLED]
    winner = next(n for n, outcome in enumerate(outcomes) if outcome.refusal is None)
    assert outcomes[winner].result.households == len(rounds.households)
    db.session.expire_all()
    settled = db.session.get(Round, received_round.id)
    assert settled.state is RoundState.SETTLED
    assert settled.settled_by_id == treasurers[winner].id
    (transaction_id,) = settlements()
    assert transaction_sums() == [0]
    assert count_rows(BillLine) == len(rounds.households) * ITEMS
    assert count_rows(BillLine, BillLine.transaction_id != transaction_id) == 0
    for n, household in enumerate(rounds.households):
        assert household_balance_pence(membership=household) == -ITEMS * 200 * (1 + n % 2)
    assert bill_emails_per_recipient(received_round) == {
        household.user.email: 1 for household in rounds.households
    }


def test_a_cost_added_while_the_round_is_settling_is_refused(app, rounds, received_round):
    locked = threading.Event()

    def settle_first():
        settled = settle_round(round_id=received_round.id, by=rounds.coordinator)
        locked.set()  # the round's row is locked until the commit below
        db.session.commit()
        return settled

    def add_a_cost_meanwhile():
        assert locked.wait(10)
        cost = add_round_cost(
            round_=db.session.get_one(Round, received_round.id),
            name="Hall hire",
            amount_pence=1500,
            basis=SplitBasis.EQUAL,
            supplier_id=None,
        )
        db.session.commit()
        return cost

    with commits_held_until_someone_waits() as overlap:
        settling, adding = race(app, settle_first, add_a_cost_meanwhile)

    assert overlap.seen == [True]
    assert settling.refusal is None
    assert adding.refusal is not None and "settled" in adding.refusal
    assert count_rows(RoundCost) == 0
    assert len(settlements()) == 1 and transaction_sums() == [0]
    assert count_rows(BillLine) == len(rounds.households) * ITEMS
