"""Settling many generated rounds: every penny adds up, and a failure leaves nothing behind."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import event, func, select
from support import count_rows

from coop.domain.catalogue import member_unit_price_pence
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    Allocation,
    BillLine,
    BillLineKind,
    LedgerTransaction,
    Posting,
    Round,
    RoundCost,
    RoundItem,
    RoundSubsidy,
    SplitBasis,
    Supplier,
    SupportKind,
    SupportRecord,
)
from coop.services.money.settlement import settle_round
from money.support import receive_as_ordered, transaction_sums


def build_random_round(rounds, factory, seed: int) -> Round:
    """Return a received round with random prices, orders, costs and subsidies."""
    rng = random.Random(seed)
    rounds.coop.markup_bp = rng.choice([0, 250, 500, 1234])
    grower = Supplier(coop=rounds.coop, name=f"Grower {seed}")
    db.session.add(grower)
    db.session.commit()
    products = [
        rounds.product(
            supplier=rng.choice([rounds.supplier, grower]),
            case_size=rng.randint(1, 12),
            case_price_pence=rng.randint(0, 9999),
            vat_bp=rng.choice([0, 500, 2000]),
            deposit_pence=rng.choice([0, 0, 15]),
            reference_price_pence=rng.choice([None, rng.randint(10, 900)]),
        )
        for _ in range(rng.randint(1, 6))
    ]
    round_ = rounds.round(
        *products,
        policy=rng.choice(["first_come", "fair_share"]),
        fill_percent=rng.choice([100, 100, 50]),
    )
    for product in products:
        for household in rng.sample(rounds.households, rng.randint(0, len(rounds.households))):
            rounds.ask(round_, product, household, rng.randint(1, 9), rng.randint(0, 3))
    receive_as_ordered(round_)
    # A manual change: someone gets less, so the item has surplus.
    allocation = db.session.scalars(
        select(Allocation).where(Allocation.round_id == round_.id, Allocation.computed_units > 0)
    ).first()
    if allocation is not None and rng.random() < 0.5:
        allocation.manual_units = allocation.computed_units - 1
        allocation.manual_reason = "Dented tin"
    costs = [
        RoundCost(
            round_id=round_.id,
            name=f"Cost {n}",
            amount_pence=rng.randint(0, 2500),
            basis=rng.choice(list(SplitBasis)),
            supplier_id=rng.choice([None, rounds.supplier.id, grower.id]),
        )
        for n in range(rng.randint(0, 3))
    ]
    db.session.add_all(costs)
    db.session.flush()
    council = factory.council()
    record = SupportRecord(
        council_id=council.id,
        coop_id=rounds.coop.id,
        programme="Household Support Fund",
        kind=SupportKind.SUBSIDY,
        value_pence=100_000,
        awarded_on=date(2026, 4, 1),
    )
    db.session.add(record)
    db.session.flush()
    if costs and rng.random() < 0.5:
        db.session.add(
            RoundSubsidy(
                round_id=round_.id,
                support_record_id=record.id,
                round_cost_id=costs[0].id,
                cap_pence=rng.choice([None, rng.randint(0, 1000)]),
            )
        )
    if rng.random() < 0.5:
        db.session.add(
            RoundSubsidy(
                round_id=round_.id,
                support_record_id=record.id,
                percent_bp=rng.randint(1, 5000),
                cap_pence=rng.choice([None, rng.randint(0, 3000)]),
            )
        )
    db.session.commit()
    return round_


def postings_by_kind(round_id: int) -> dict[AccountKind, int]:
    rows = db.session.execute(
        select(Account.kind, func.sum(Posting.amount_pence))
        .join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(LedgerTransaction.round_id == round_id)
        .group_by(Account.kind)
    )
    return defaultdict(int, rows.all())


@pytest.mark.parametrize("seed", range(16))
def test_any_settled_round_adds_up_to_the_penny(rounds, factory, seed):
    round_ = build_random_round(rounds, factory, seed)

    result = settle_round(round_id=round_.id, by=None)
    db.session.commit()

    assert transaction_sums(round_.id) in ([0], [])
    posted = postings_by_kind(round_.id)
    charged = -posted[AccountKind.HOUSEHOLD]
    subsidy = -posted[AccountKind.COUNCIL_SUPPORT]
    costs = db.session.scalar(
        select(func.coalesce(func.sum(RoundCost.amount_pence), 0)).where(
            RoundCost.round_id == round_.id
        )
    )
    assert charged == result.charged_pence
    assert charged + subsidy == result.supplier_pence + costs + result.fund_result_pence
    # Each household's bill lines add up to what the ledger charged it.
    bills = dict(
        db.session.execute(
            select(BillLine.membership_id, func.sum(BillLine.amount_pence))
            .where(BillLine.round_id == round_.id)
            .group_by(BillLine.membership_id)
        ).all()
    )
    charges = dict(
        db.session.execute(
            select(Account.membership_id, -func.sum(Posting.amount_pence))
            .join(Account, Account.id == Posting.account_id)
            .where(Account.kind == AccountKind.HOUSEHOLD)
            .group_by(Account.membership_id)
        ).all()
    )
    assert {h: p for h, p in bills.items() if p} == {h: p for h, p in charges.items() if p}
    # Each goods line is its units at the item's price each (plus deposits).
    for item in db.session.scalars(select(RoundItem).where(RoundItem.round_id == round_.id)):
        each = member_unit_price_pence(
            case_price_pence=item.applied_case_price_pence,
            case_size=item.case_size,
            vat_bp=item.vat_bp,
            markup_bp=round_.markup_bp,
        )
        lines = db.session.execute(
            select(BillLine.units, BillLine.amount_pence, BillLine.deposit_pence).where(
                BillLine.round_item_id == item.id, BillLine.kind == BillLineKind.GOODS
            )
        ).all()
        for line in lines:
            assert line.amount_pence - line.deposit_pence == line.units * each


def test_a_failure_in_the_middle_of_settling_leaves_nothing_posted(rounds, app):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 6)
    receive_as_ordered(round_)

    def fail_on_bill_lines(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO BILL_LINES"):
            raise RuntimeError("the disk is full")

    event.listen(db.engine, "before_cursor_execute", fail_on_bill_lines)
    try:
        with pytest.raises(RuntimeError):
            settle_round(round_id=round_.id, by=None)
    finally:
        event.remove(db.engine, "before_cursor_execute", fail_on_bill_lines)
    db.session.rollback()

    assert count_rows(Posting) == 0
    assert count_rows(LedgerTransaction) == 0
    assert db.session.get(Round, round_.id).state is RoundState.RECEIVED
