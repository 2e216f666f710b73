"""Two opening balances, or two write-offs of one debt, at the same moment (PostgreSQL).

As in `test_concurrent_settle.py` (`support.race`): each attempt runs in a
thread with its own connection, and the first commit is held until the
other is seen waiting, so the two transactions really overlap.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from support import commits_held_until_someone_waits, count_rows, race

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import Coop, LedgerTransaction, Membership, OpeningBalance, TransactionKind, User
from coop.services.money.ledger import household_balance_pence
from coop.services.money.opening import enter_opening_balances
from coop.services.money.write_offs import write_off
from money.support import transaction_sums
from money.treasury_support import settled_round

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.committing,
    pytest.mark.skipif(
        not os.environ.get("COOP_TEST_DATABASE_URL"),
        reason="row locks are PostgreSQL's; SQLite lets one writer in at a time "
        "(set COOP_TEST_DATABASE_URL to run these)",
    ),
]


def test_two_treasurers_entering_opening_balances_at_once_enter_them_once(app, rounds):
    coop_id, household_id = rounds.coop.id, rounds.households[0].id
    user_id = rounds.factory.member(rounds.coop, Role.TREASURER).id

    def enter(cash_pence: int):
        def attempt():
            opening = enter_opening_balances(
                coop=db.session.get_one(Coop, coop_id),
                as_of=date(2026, 4, 1),
                households={household_id: -500},
                cash_pence=cash_pence,
                bank_pence=0,
                confirmed={},
                by=db.session.get_one(User, user_id),
                today=date(2026, 12, 3),
            )
            db.session.commit()
            return opening.id

        return attempt

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, enter(1000), enter(2000))

    assert overlap.seen == [True]
    assert not [outcome.error for outcome in outcomes if outcome.error]
    refusals = [outcome.refusal for outcome in outcomes if outcome.refusal]
    assert len(refusals) == 1 and "entered already" in refusals[0]
    assert count_rows(OpeningBalance) == 1
    assert (
        count_rows(LedgerTransaction, LedgerTransaction.kind == TransactionKind.OPENING_BALANCE)
        == 1
    )
    assert transaction_sums() == [0]


def test_two_write_offs_of_the_whole_debt_at_once_write_it_off_once(app, rounds):
    settled_round(rounds, 6)
    coop_id, household_id = rounds.coop.id, rounds.households[0].id
    user_id = rounds.factory.member(rounds.coop, Role.TREASURER).id

    def attempt():
        transaction = write_off(
            coop=db.session.get_one(Coop, coop_id),
            membership=db.session.get_one(Membership, household_id),
            amount_pence=1200,
            reason="Gone away",
            confirmed_pence=None,
            by=db.session.get_one(User, user_id),
        )
        db.session.commit()
        return transaction.id

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, attempt, attempt)

    assert overlap.seen == [True]
    assert [outcome.refusal for outcome in outcomes if outcome.refusal] == [
        "Household 1 owes nothing, so there is nothing to write off."
    ]
    db.session.expire_all()
    assert household_balance_pence(membership=db.session.get_one(Membership, household_id)) == 0
