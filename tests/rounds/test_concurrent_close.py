"""Two closes of one round at the same moment close it once (PostgreSQL, two connections).

Each close runs in a thread of its own, with its own app context and so its
own session and connection (`support.race`). They start together at a
barrier; whichever takes the round's row lock first holds its transaction
open, before committing, until PostgreSQL shows the other one waiting for
that lock, so the two really overlap rather than merely run one after the
other. The rounds are committed for real, for the racers to see.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from support import WAIT_SECONDS, commits_held_until_someone_waits, count_rows, race

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, Membership, OrderRequest, OutboxMessage, Round, RoundItem
from coop.models.types import utcnow
from coop.services.rounds.closing import close_round
from coop.services.rounds.ordering import set_order

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.committing,
    pytest.mark.skipif(
        not os.environ.get("COOP_TEST_DATABASE_URL"),
        reason="row locks are PostgreSQL's; SQLite lets one writer in at a time "
        "(set COOP_TEST_DATABASE_URL to run these)",
    ),
]

ALREADY_CLOSED = "The round is already closed."


def closing_by(user) -> Callable[[], Any]:
    """Return a coordinator's close of the round, committed as the view commits it."""

    def attempt(round_id: int) -> Any:
        closed = close_round(round_id=round_id, by=user)
        db.session.commit()
        return closed

    return attempt


@pytest.fixture
def busy_round(rounds):
    """An open round of three items that every household has ordered."""
    products = [rounds.product(case_size=2) for _ in range(3)]
    round_ = rounds.round(*products)
    for n, household in enumerate(rounds.households):
        for product in products:
            rounds.ask(round_, product, household, 1 + n % 2, tolerance=n % 2)
    return round_


def emails_per_recipient() -> dict[str, int]:
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(OutboxMessage.recipient, func.count()).group_by(OutboxMessage.recipient)
        ).all()
    )


def assert_closed_once(rounds, round_) -> None:
    db.session.expire_all()
    assert db.session.get(Round, round_.id).state is RoundState.CLOSED
    assert count_rows(Allocation) == len(rounds.households) * 3
    assert emails_per_recipient() == {household.user.email: 1 for household in rounds.households}


def test_two_coordinators_closing_at_once_close_the_round_once(app, rounds, busy_round):
    other = rounds.factory.member(rounds.coop, Role.COORDINATOR, user=rounds.factory.user())
    first, second = closing_by(rounds.coordinator), closing_by(other)

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, lambda: first(busy_round.id), lambda: second(busy_round.id))

    assert overlap.seen == [True]
    assert sorted(outcome.refusal is None for outcome in outcomes) == [False, True]
    assert [outcome.refusal for outcome in outcomes if outcome.refusal] == [ALREADY_CLOSED]
    winner = next(n for n, outcome in enumerate(outcomes) if outcome.refusal is None)
    assert outcomes[winner].result.households == len(rounds.households)
    assert_closed_once(rounds, busy_round)
    closed_by = db.session.get(Round, busy_round.id).closed_by_id
    assert closed_by == (rounds.coordinator, other)[winner].id


def test_a_coordinator_and_the_scheduler_closing_at_once_close_the_round_once(
    app, rounds, busy_round
):
    busy_round.closes_at = utcnow()  # due, so `flask tick` closes it too
    db.session.commit()
    coordinator = closing_by(rounds.coordinator)
    runner = app.test_cli_runner()

    with commits_held_until_someone_waits() as overlap:
        by_hand, tick = race(
            app, lambda: coordinator(busy_round.id), lambda: runner.invoke(args=["tick"])
        )

    assert overlap.seen == [True]
    assert tick.result.exit_code == 0, tick.result.output
    tick_closed = f"Round {busy_round.id} closed." in tick.result.output
    tick_refused = f"Round {busy_round.id} was not closed: {ALREADY_CLOSED}" in tick.result.output
    assert tick_closed != tick_refused, tick.result.output
    if tick_closed:
        assert by_hand.refusal == ALREADY_CLOSED
    else:
        assert by_hand.refusal is None and by_hand.result.households == len(rounds.households)
    assert_closed_once(rounds, busy_round)
    expected_by = None if tick_closed else rounds.coordinator.id
    assert db.session.get(Round, busy_round.id).closed_by_id == expected_by


def test_an_order_change_waiting_on_a_closing_round_is_refused(app, rounds, busy_round):
    household_id, item_id = rounds.households[0].id, busy_round.items[0].id
    requests_before = count_rows(OrderRequest)
    locked = threading.Event()

    def close_first():
        closed = close_round(round_id=busy_round.id, by=rounds.coordinator)
        locked.set()  # the round's row is locked until the commit below
        db.session.commit()
        return closed

    def change_order_meanwhile():
        assert locked.wait(WAIT_SECONDS)
        changed = set_order(
            round_=db.session.get_one(Round, busy_round.id),
            item=db.session.get_one(RoundItem, item_id),
            membership=db.session.get_one(Membership, household_id),
            quantity=5,
            tolerance=0,
        )
        db.session.commit()
        return changed

    with commits_held_until_someone_waits() as overlap:
        closing, changing = race(app, close_first, change_order_meanwhile)

    assert overlap.seen == [True]
    assert closing.refusal is None
    assert changing.refusal is not None and "closed" in changing.refusal
    assert count_rows(OrderRequest) == requests_before
    assert_closed_once(rounds, busy_round)
