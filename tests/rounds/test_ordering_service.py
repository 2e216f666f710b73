"""Changing a household's order: its place in the queue, limits, deadlines, and funds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from support import count_rows, refusal_message

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import OrderRequest, RoundSupplier
from coop.models.types import utcnow
from coop.services.money.ledger import household_balance_pence
from coop.services.rounds.closing import close_round
from coop.services.rounds.lifecycle import cancel_round
from coop.services.rounds.ordering import (
    funds_of,
    set_order,
)
from rounds.ordering_support import place, queue


def test_a_first_order_is_one_request_at_the_back_of_the_queue(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    place(rounds, round_, oats, a, 2)

    saved = place(rounds, round_, oats, b, 4, 2)

    assert saved.changed
    assert queue(rounds, round_, oats) == [(a.id, 2, 0), (b.id, 4, 2)]


def test_an_increase_joins_the_back_of_the_queue_as_in_the_design(rounds):
    oats = rounds.product(case_size=5)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    place(rounds, round_, oats, a, 2, 3)
    place(rounds, round_, oats, b, 2)

    place(rounds, round_, oats, a, 4, 1)

    assert queue(rounds, round_, oats) == [(a.id, 2, 1), (b.id, 2, 0), (a.id, 2, 0)]


def test_a_decrease_takes_units_from_the_newest_request_first(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    place(rounds, round_, oats, a, 2)
    place(rounds, round_, oats, b, 2)
    place(rounds, round_, oats, a, 5)

    place(rounds, round_, oats, a, 3)
    assert queue(rounds, round_, oats) == [(a.id, 2, 0), (b.id, 2, 0), (a.id, 1, 0)]

    place(rounds, round_, oats, a, 1)
    assert queue(rounds, round_, oats) == [(a.id, 1, 0), (b.id, 2, 0)]


def test_tolerance_stays_on_the_earliest_request(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    place(rounds, round_, oats, a, 2)
    place(rounds, round_, oats, b, 1)

    place(rounds, round_, oats, a, 4, 3)

    assert queue(rounds, round_, oats) == [(a.id, 2, 3), (b.id, 1, 0), (a.id, 2, 0)]


def test_zero_takes_the_item_out_of_the_order(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a = rounds.households[0]
    place(rounds, round_, oats, a, 2, 1)
    place(rounds, round_, oats, a, 4)

    saved = place(rounds, round_, oats, a, 0, 0)

    assert saved.changed
    assert queue(rounds, round_, oats) == []


def test_saving_the_same_numbers_changes_nothing(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a = rounds.households[0]
    place(rounds, round_, oats, a, 3, 1)

    assert not place(rounds, round_, oats, a, 3, 1).changed
    assert queue(rounds, round_, oats) == [(a.id, 3, 1)]


def refused(rounds, round_, product, household, quantity, tolerance=0, field=None, **kwargs):
    return refusal_message(
        lambda: set_order(
            round_=round_,
            item=rounds.item(round_, product),
            membership=household,
            quantity=quantity,
            tolerance=tolerance,
            **kwargs,
        ),
        field=field,
    )


def test_the_rounds_limit_counts_quantity_and_tolerance(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats, max_per_household=5)
    a = rounds.households[0]

    assert (
        refused(rounds, round_, oats, a, 6, field="quantity")
        == "At most 5 per household for this item."
    )
    assert refused(rounds, round_, oats, a, 4, 2, field="tolerance") == (
        "At most 5 per household for this item. That counts the extra units too."
    )
    place(rounds, round_, oats, a, 3, 2)
    assert queue(rounds, round_, oats) == [(a.id, 3, 2)]


def test_an_items_own_limit_wins_over_the_rounds(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats, max_per_household=10)
    rounds.item(round_, oats).max_per_household = 2
    db.session.commit()

    message = refused(rounds, round_, oats, rounds.households[0], 3, field="quantity")

    assert message == "At most 2 per household for this item."


@pytest.mark.parametrize(
    ("quantity", "tolerance", "field"), [(-1, 0, "quantity"), (1, -2, "tolerance")]
)
def test_negative_numbers_are_refused(rounds, quantity, tolerance, field):
    oats = rounds.product()
    round_ = rounds.round(oats)

    message = refused(rounds, round_, oats, rounds.households[0], quantity, tolerance, field=field)

    assert message == "Enter a whole number, 0 or more."
    assert count_rows(OrderRequest) == 0


def test_after_the_deadline_the_order_can_no_longer_change(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a = rounds.households[0]
    place(rounds, round_, oats, a, 2)

    message = refused(rounds, round_, oats, a, 5, now=round_.closes_at + timedelta(minutes=1))

    assert message.startswith("The deadline for this round passed at ")
    assert message.endswith("; your order can no longer change.")
    assert queue(rounds, round_, oats) == [(a.id, 2, 0)]


def test_a_closed_round_refuses_changes_and_keeps_the_queue(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a = rounds.households[0]
    place(rounds, round_, oats, a, 6)
    close_round(round_id=round_.id, by=None)
    db.session.commit()

    message = refused(rounds, round_, oats, a, 0)

    assert message == "This round has closed; your order can no longer change."
    assert queue(rounds, round_, oats) == [(a.id, 6, 0)]


def test_draft_and_cancelled_rounds_take_no_orders(rounds):
    oats = rounds.product()
    draft = rounds.round(oats, state=RoundState.DRAFT)
    cancelled = rounds.round(oats)
    cancel_round(round_id=cancelled.id, reason="The van broke down", by=rounds.coordinator)
    db.session.commit()
    a = rounds.households[0]

    assert refused(rounds, draft, oats, a, 1) == "This round is not open for orders yet."
    assert refused(rounds, cancelled, oats, a, 1) == (
        "This round was cancelled; nothing will be ordered."
    )
    assert count_rows(OrderRequest) == 0


def test_an_item_of_another_round_is_refused(rounds):
    oats, rice = rounds.product(), rounds.product()
    first = rounds.round(oats)
    second = rounds.round(rice)

    message = refusal_message(
        lambda: set_order(
            round_=first,
            item=rounds.item(second, rice),
            membership=rounds.households[0],
            quantity=1,
            tolerance=0,
        )
    )

    assert message == "That item is not in this round."
    assert count_rows(OrderRequest) == 0


def test_a_dropped_suppliers_items_cannot_be_ordered(rounds):
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats)
    for round_supplier in db.session.scalars(db.select(RoundSupplier)):
        round_supplier.dropped_at = utcnow()
    db.session.commit()

    message = refused(rounds, round_, oats, rounds.households[0], 1)

    assert message == "Porridge oats is not available in this round."


def test_a_household_of_another_coop_cannot_order(rounds, factory):
    oats = rounds.product()
    round_ = rounds.round(oats)
    outsider = factory.membership(coop=factory.coop(), role=Role.COORDINATOR)

    message = refused(rounds, round_, oats, outsider, 1)

    assert message == "Only the co-op's member households can order in its rounds."
    assert count_rows(OrderRequest) == 0


def test_a_refused_change_writes_nothing(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats, max_per_household=6)
    a, b = rounds.households[:2]
    place(rounds, round_, oats, a, 2, 1)
    place(rounds, round_, oats, b, 1)
    place(rounds, round_, oats, a, 4, 1)
    before = queue(rounds, round_, oats)

    refused(rounds, round_, oats, a, 6, 1)

    assert queue(rounds, round_, oats) == before


def test_committed_funds_count_open_orders_and_unsettled_allocations(rounds):
    # £12.00 a case of 6, no VAT, no markup: £2.00 a unit.
    oats = rounds.product(case_size=6, case_price_pence=1200)
    rice = rounds.product(case_size=2, case_price_pence=300, vat_bp=2000)  # £1.80 a unit
    open_round = rounds.round(oats)
    closed_round = rounds.round(rice)
    a = rounds.households[0]
    place(rounds, open_round, oats, a, 3, 2)  # tolerance is not committed
    place(rounds, closed_round, rice, a, 2)
    close_round(round_id=closed_round.id, by=None)
    db.session.commit()

    assert household_balance_pence(membership=a) == 0
    assert funds_of(membership=a).committed_pence == 3 * 200 + 2 * 180
    assert funds_of(membership=a).available_pence == -(3 * 200 + 2 * 180)


def test_settled_and_cancelled_rounds_commit_nothing(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a = rounds.households[0]
    place(rounds, round_, oats, a, 3)
    cancel_round(round_id=round_.id, reason="No delivery this week", by=rounds.coordinator)
    db.session.commit()

    assert funds_of(membership=a).committed_pence == 0


def test_an_order_change_waits_for_a_round_being_closed(rounds, database_uri):
    """Closing locks the round's row; an order change takes the same lock, shared."""
    if not database_uri.startswith("postgresql"):
        pytest.skip("SQLite has no row locks; PostgreSQL shows the lock")
    oats = rounds.product()
    round_ = rounds.round(oats)
    a = rounds.households[0]
    closer = create_engine(database_uri)
    try:
        with closer.connect() as connection:
            connection.execute(
                text("SELECT id FROM rounds WHERE id = :id FOR UPDATE"), {"id": round_.id}
            )
            db.session.execute(text("SET LOCAL lock_timeout = '300ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                place(rounds, round_, oats, a, 2)
            db.session.rollback()
            connection.rollback()
    finally:
        closer.dispose()
    place(rounds, round_, oats, a, 2)
    assert queue(rounds, round_, oats) == [(a.id, 2, 0)]
