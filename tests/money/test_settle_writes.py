"""Settling writes every bill line in one statement, whatever the item names hold."""

from __future__ import annotations

from sqlalchemy import select

from coop.extensions import db
from coop.models import BillLine, BillLineKind, RoundCost, SplitBasis
from coop.services.money.settlement import settle_round
from money.support import receive_as_ordered, transaction_sums

AWKWARD = 'Mum\'s "best" jam, {strawberry} \\ 50% NULL, ½ price'


def test_a_name_with_quotes_braces_and_backslashes_reaches_the_bill_unchanged(rounds):
    jam = rounds.product(name=AWKWARD, unit_label='1 "jar"', case_size=2, case_price_pence=500)
    tea = rounds.product(name="Tea", reference_price_pence=180, case_size=2, case_price_pence=300)
    round_ = rounds.round(jam, tea)
    household = rounds.households[0]
    rounds.ask(round_, jam, household, 2)
    rounds.ask(round_, tea, household, 2)
    receive_as_ordered(round_)

    settle_round(round_id=round_.id, by=None)
    db.session.commit()

    lines = db.session.execute(
        select(BillLine.description, BillLine.units, BillLine.reference_pence)
        .where(BillLine.membership_id == household.id)
        .order_by(BillLine.description)
    ).all()
    assert lines == [(f'{AWKWARD} (1 "jar")', 2, None), ("Tea (500 g bag)", 2, 360)]


def test_all_of_a_rounds_bill_lines_are_written_in_one_insert(rounds, count_queries):
    products = [rounds.product(case_size=1) for _ in range(3)]
    round_ = rounds.round(*products)
    for household in rounds.households:
        for product in products:
            rounds.ask(round_, product, household, 1)
    receive_as_ordered(round_)
    db.session.add(
        RoundCost(round_id=round_.id, name="Hall", amount_pence=999, basis=SplitBasis.EQUAL)
    )
    db.session.commit()

    with count_queries() as statements:
        settle_round(round_id=round_.id, by=None)
        db.session.commit()

    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO BILL_LINES")]
    assert len(inserts) == 1
    kinds = db.session.scalars(select(BillLine.kind)).all()
    assert kinds.count(BillLineKind.GOODS) == 3 * len(rounds.households)
    assert kinds.count(BillLineKind.COST) == len(rounds.households)
    assert transaction_sums() == [0]
