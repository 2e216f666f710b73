"""Two treasurers offering the same stock in two rounds at the same moment (PostgreSQL).

As in `test_concurrent_book_entries.py` (`support.race`): each attempt runs in
a thread with its own connection, and the first commit is held until the
other is seen waiting on the stock item's row lock.
"""

from __future__ import annotations

import os

import pytest
from support import commits_held_until_someone_waits, count_rows, race

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import Coop, StockMovement, User
from coop.services.money.stock import offer_stock
from money.test_stock_offered import later_round, on_hand, stock_of_oats

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.committing,
    pytest.mark.skipif(
        not os.environ.get("COOP_TEST_DATABASE_URL"),
        reason="row locks are PostgreSQL's; SQLite lets one writer in at a time "
        "(set COOP_TEST_DATABASE_URL to run these)",
    ),
]


def test_two_offers_at_once_never_offer_more_than_is_on_hand(app, rounds):
    source = stock_of_oats(rounds)  # 4 on hand
    december, _ = later_round(rounds)
    christmas, _ = later_round(rounds, title="Christmas order")
    coop_id, source_id = rounds.coop.id, source.id
    user_id = rounds.factory.member(rounds.coop, Role.TREASURER).id

    def offering(round_id: int):
        def attempt():
            movement = offer_stock(
                coop=db.session.get_one(Coop, coop_id),
                round_item_id=source_id,
                round_id=round_id,
                units=3,
                note="",
                by=db.session.get_one(User, user_id),
            )
            db.session.commit()
            return movement.id

        return attempt

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, offering(december.id), offering(christmas.id))

    assert overlap.seen == [True]
    assert not [outcome.error for outcome in outcomes if outcome.error]
    assert [outcome.refusal for outcome in outcomes if outcome.refusal] == [
        "Only 1 of Porridge oats (500 g bag) is in stock."
    ]
    assert count_rows(StockMovement) == 1
    assert on_hand(rounds) == 1
