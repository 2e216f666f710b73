"""A household's units and an item's applied case price read the same in Python and in SQL."""

from __future__ import annotations

from sqlalchemy import select

from coop.extensions import db
from coop.models import Allocation, RoundItem
from rounds.receiving_support import close


def test_a_share_set_by_hand_is_the_units_both_in_python_and_in_a_query(rounds):
    product = rounds.product(case_size=4)
    round_ = rounds.round(product)
    first, second = rounds.households[:2]
    rounds.ask(round_, product, first, 2)
    rounds.ask(round_, product, second, 2)
    close(round_)
    allocations = db.session.scalars(select(Allocation).order_by(Allocation.id)).all()
    allocations[0].manual_units, allocations[0].manual_reason = 0, "Dropped on the floor"
    db.session.commit()

    queried = dict(db.session.execute(select(Allocation.id, Allocation.units)).all())
    assert queried == {a.id: a.units for a in allocations}
    assert sorted(queried.values()) == [0, 2]
    assert db.session.scalar(select(Allocation.id).where(Allocation.units == 0)) == (
        allocations[0].id
    )


def test_the_invoiced_case_price_applies_once_received_both_in_python_and_in_a_query(rounds):
    cheap, dear = rounds.product(case_price_pence=600), rounds.product(case_price_pence=900)
    round_ = rounds.round(cheap, dear)
    invoiced = rounds.item(round_, dear)
    invoiced.received_case_price_pence = 1000
    db.session.commit()

    queried = dict(
        db.session.execute(
            select(RoundItem.id, RoundItem.applied_case_price_pence).where(
                RoundItem.round_id == round_.id
            )
        ).all()
    )
    assert queried == {rounds.item(round_, cheap).id: 600, invoiced.id: 1000}
    assert invoiced.applied_case_price_pence == 1000
    assert rounds.item(round_, cheap).applied_case_price_pence == 600
