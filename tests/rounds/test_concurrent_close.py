"""Two closes of one round at the same moment close it once (PostgreSQL, two connections).

Each close runs in a thread of its own, with its own app context and so its
own session and connection. They start together at a barrier; whichever takes
the round's row lock first holds its transaction open, before committing,
until PostgreSQL shows the other one waiting for that lock, so the two
really overlap rather than merely run one after the other.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from support import count_rows

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, Membership, OrderRequest, OutboxMessage, Round, RoundItem
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.rounds.closing import close_round
from coop.services.rounds.ordering import set_order

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("COOP_TEST_DATABASE_URL"),
        reason="row locks are PostgreSQL's; SQLite lets one writer in at a time "
        "(set COOP_TEST_DATABASE_URL to run these)",
    ),
]

ALREADY_CLOSED = "The round is already closed."
WAIT_SECONDS = 10


@dataclass
class Outcome:
    """How one racer's attempt ended: what it returned, or the refusal it got."""

    result: Any = None
    refusal: str | None = None
    error: BaseException | None = None


@dataclass
class Overlap:
    """Whether the first to commit saw the other waiting for its lock."""

    seen: list[bool] = field(default_factory=list)


def _connections_waiting_for_a_lock() -> int:
    # Asked on a connection of its own: a transaction sees pg_stat_activity as it
    # was when first asked. Each test run has a database of its own, so other
    # runs' waits do not count.
    with db.engine.connect() as observer:
        return observer.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()


@contextmanager
def commits_held_until_someone_waits() -> Iterator[Overlap]:
    """Make every commit wait (a while at most) until another connection waits for a lock."""
    overlap = Overlap()

    def hold(session) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if _connections_waiting_for_a_lock():
                overlap.seen.append(True)
                return
            time.sleep(0.02)
        overlap.seen.append(False)

    event.listen(db.session, "before_commit", hold)
    try:
        yield overlap
    finally:
        event.remove(db.session, "before_commit", hold)


def race(app, *attempts: Callable[[], Any]) -> list[Outcome]:
    """Run each attempt in its own thread, app context and session, all starting together.

    A refused attempt is rolled back, as a view or `flask tick` does.
    """
    barrier = threading.Barrier(len(attempts))
    outcomes = [Outcome() for _ in attempts]

    def run(attempt: Callable[[], Any], outcome: Outcome) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=WAIT_SECONDS)
                outcome.result = attempt()
            except ServiceError as refusal:
                db.session.rollback()
                outcome.refusal = refusal.message
            except BaseException as error:  # reported by the test, not lost in the thread
                db.session.rollback()
                outcome.error = error
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=pair, name=f"racer-{n}")
        for n, pair in enumerate(zip(attempts, outcomes, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racer is stuck"
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    return outcomes


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
