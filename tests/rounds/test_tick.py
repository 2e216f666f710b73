"""`flask --app coop tick`: safe to run every minute, whatever else is going on."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text
from support import count_rows

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, Login, OutboxMessage, Round, User
from coop.models.types import utcnow
from coop.services.rounds.closing import close_round


def past_deadline(round_: Round) -> Round:
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return round_


def state_of(round_: Round) -> RoundState:
    db.session.expire_all()
    return db.session.get(Round, round_.id).state


def test_running_tick_again_changes_nothing(rounds, runner):
    oats = rounds.product()
    due = past_deadline(rounds.round(oats, title="Due to close"))
    rounds.ask(due, oats, rounds.households[0], 6)
    rounds.ask(due, oats, rounds.households[1], 6)
    draft = rounds.round(oats, state=RoundState.DRAFT, title="Due to open")

    first = runner.invoke(args=["tick"])
    outcome = (count_rows(Allocation), count_rows(OutboxMessage), state_of(due), state_of(draft))
    second = runner.invoke(args=["tick"])
    third = runner.invoke(args=["tick"])

    assert first.exit_code == 0, first.output
    assert sorted(first.output.splitlines()) == [
        f"Round {due.id} closed.",
        f"Round {draft.id} opened.",
    ]
    # Two households told what they will receive; the co-op's five told of the opening.
    assert outcome == (2, 2 + 5, RoundState.CLOSED, RoundState.OPEN)
    assert (second.exit_code, second.output, third.output) == (0, "", "")
    assert (count_rows(Allocation), count_rows(OutboxMessage)) == (2, 2 + 5)


def test_a_draft_that_cannot_open_is_reported_and_the_others_go_ahead(rounds, runner):
    oats = rounds.product()
    empty = rounds.round(state=RoundState.DRAFT, title="Nothing in it")
    ready = rounds.round(oats, state=RoundState.DRAFT, title="Ready")
    due = past_deadline(rounds.round(oats, title="Due"))
    rounds.ask(due, oats, rounds.households[0], 6)

    result = runner.invoke(args=["tick"])

    assert result.exit_code == 0
    assert (
        f"Round {empty.id} was not opened: Add at least one item before opening the round."
        in result.output
    )
    assert f"Round {ready.id} opened." in result.output
    assert f"Round {due.id} closed." in result.output
    assert (state_of(empty), state_of(ready), state_of(due)) == (
        RoundState.DRAFT,
        RoundState.OPEN,
        RoundState.CLOSED,
    )
    # Still a draft, so the next run reports it again and still changes nothing.
    again = runner.invoke(args=["tick"])
    assert again.output.strip() == (
        f"Round {empty.id} was not opened: Add at least one item before opening the round."
    )
    assert state_of(empty) is RoundState.DRAFT


def test_a_round_a_coordinator_closed_before_the_tick_is_left_alone(rounds, runner):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 6)
    close_round(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()
    past_deadline(round_)

    result = runner.invoke(args=["tick"])

    assert (result.exit_code, result.output) == (0, "")
    db.session.expire_all()
    assert db.session.get(Round, round_.id).closed_by_id == rounds.coordinator.id
    assert count_rows(Allocation) == 1


def _waiting_for_a_lock(database_uri: str, timeout: float = 10.0) -> bool:
    """Wait until some session of the database is blocked on a lock."""
    watcher = create_engine(database_uri)
    try:
        deadline = time.monotonic() + timeout
        with watcher.connect() as connection:
            while time.monotonic() < deadline:
                waiting = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                ).scalar()
                connection.rollback()
                if waiting:
                    return True
                time.sleep(0.02)
        return False
    finally:
        watcher.dispose()


def test_a_round_closed_by_hand_while_the_tick_runs_is_skipped(app, rounds, runner, database_uri):
    """The tick lists the round as due, then waits for the coordinator's close, then skips it."""
    if not database_uri.startswith("postgresql"):
        pytest.skip("SQLite has no row locks; PostgreSQL shows the tick waiting for one")
    oats = rounds.product()
    round_ = past_deadline(rounds.round(oats))
    rounds.ask(round_, oats, rounds.households[0], 6)
    coordinator_id, round_id = rounds.coordinator.id, round_.id
    locked, problems = threading.Event(), []

    def coordinator_closes() -> None:
        with app.app_context():
            try:
                close_round(round_id=round_id, by=db.session.get(User, coordinator_id))
                locked.set()
                # Commit only once the tick is waiting for the round's row.
                if not _waiting_for_a_lock(database_uri):
                    problems.append("the tick never waited for the round's lock")
                db.session.commit()
            except Exception as error:  # reported below, in the test's thread
                problems.append(repr(error))
                locked.set()
            finally:
                db.session.remove()

    closer = threading.Thread(target=coordinator_closes)
    closer.start()
    assert locked.wait(10)
    result = runner.invoke(args=["tick"])
    closer.join(10)

    assert not problems, problems
    assert result.output.strip() == f"Round {round_id} was not closed: The round is already closed."
    db.session.expire_all()
    assert db.session.get(Round, round_id).closed_by_id == coordinator_id
    assert count_rows(Allocation) == 1


def test_tick_forgets_logins_that_ended_or_ran_out_and_keeps_open_ones(app, runner, factory):
    person = factory.user(email="sam@example.org")
    now = utcnow()
    ended = Login(user=person, token_digest="a" * 64, ended_at=now - timedelta(hours=1))
    run_out = Login(user=person, token_digest="b" * 64, created_at=now - timedelta(days=31))
    open_ = Login(user=person, token_digest="c" * 64, created_at=now - timedelta(days=2))
    db.session.add_all([ended, run_out, open_])
    db.session.commit()

    first = runner.invoke(args=["tick"])
    second = runner.invoke(args=["tick"])

    assert first.exit_code == 0, first.output
    assert first.output == "Forgot 2 login(s) that had ended or run out.\n"
    assert second.output == ""
    assert db.session.scalars(select(Login.token_digest)).all() == ["c" * 64]
