"""Settling a received round posts one balanced transaction and every household's bill."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from support import count_rows, refusal_message

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    AccountKind,
    BillLine,
    BillLineKind,
    LedgerTransaction,
    Posting,
    Round,
    RoundCost,
    RoundSubsidy,
    SplitBasis,
    Supplier,
    SupplierKind,
    SupportKind,
    SupportRecord,
)
from coop.services.money.ledger import balances, household_balance_pence
from coop.services.money.settlement import settle_round
from money.support import receive_as_ordered, transaction_sums


def settle(round_, by=None):
    result = settle_round(round_id=round_.id, by=by)
    db.session.commit()
    return result


def bill_total(round_, household) -> int:
    return db.session.scalar(
        select(func.sum(BillLine.amount_pence)).where(
            BillLine.round_id == round_.id, BillLine.membership_id == household.id
        )
    )


def test_each_household_is_charged_its_units_at_the_price_each(rounds):
    oats = rounds.product(case_size=3, case_price_pence=1000)
    round_ = rounds.round(oats)
    a, b, c = rounds.households[:3]
    for household in (a, b, c):
        rounds.ask(round_, oats, household, 1)
    receive_as_ordered(round_)

    result = settle(round_, by=rounds.coordinator)

    # 333.33p exactly, 333p each: the fund pays the penny the households do not.
    assert [bill_total(round_, h) for h in (a, b, c)] == [333, 333, 333]
    assert household_balance_pence(membership=a) == -333
    assert result.supplier_pence == 1000
    assert result.fund_result_pence == -1
    assert transaction_sums() == [0]
    assert db.session.get(Round, round_.id).state is RoundState.SETTLED


def test_shared_costs_and_a_subsidy_reach_the_bill_and_the_ledger(rounds, factory):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, oats, b, 1)
    receive_as_ordered(round_)
    delivery = RoundCost(
        round_id=round_.id,
        name="Delivery",
        amount_pence=301,
        basis=SplitBasis.EQUAL,
        supplier_id=rounds.supplier.id,
    )
    council = factory.council()
    record = SupportRecord(
        council_id=council.id,
        coop_id=rounds.coop.id,
        programme="UKSPF",
        kind=SupportKind.SUBSIDY,
        value_pence=10_000,
        awarded_on=date(2026, 1, 1),
    )
    db.session.add_all([delivery, record])
    db.session.flush()
    db.session.add(
        RoundSubsidy(
            round_id=round_.id,
            support_record_id=record.id,
            round_cost_id=delivery.id,
            cap_pence=200,
        )
    )
    db.session.commit()

    result = settle(round_)

    assert bill_total(round_, a) == 500 + 151 - 100
    assert bill_total(round_, b) == 500 + 150 - 100
    kinds = set(db.session.scalars(select(BillLine.kind).where(BillLine.membership_id == a.id)))
    assert kinds == {BillLineKind.GOODS, BillLineKind.COST, BillLineKind.SUBSIDY}
    by_kind = {
        balance.kind: balance.balance_pence
        for balance in balances(coop=rounds.coop)
        if balance.kind in (AccountKind.COUNCIL_SUPPORT, AccountKind.SUPPLIER)
    }
    assert by_kind == {AccountKind.COUNCIL_SUPPORT: -200, AccountKind.SUPPLIER: 1301}
    assert result.charged_pence + result.subsidy_pence == (
        result.supplier_pence + result.costs_pence + result.fund_result_pence
    )
    assert transaction_sums() == [0]


def test_settling_twice_is_refused_and_posts_nothing_more(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 6)
    receive_as_ordered(round_)
    settle(round_)

    message = refusal_message(lambda: settle_round(round_id=round_.id, by=None))

    assert message == "The round is already settled."
    assert count_rows(LedgerTransaction) == 1


def test_an_unreceived_round_cannot_be_settled(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)

    message = refusal_message(lambda: settle_round(round_id=round_.id, by=None))

    assert "Only a received round can be settled" in message
    assert count_rows(Posting) == 0


def test_fixed_contributions_charge_everyone_the_agreed_amount(rounds):
    rounds.coop.contribution_pence = 1000
    oats = rounds.product(case_size=2, case_price_pence=1500)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, oats, b, 1)
    receive_as_ordered(round_)

    result = settle(round_)

    assert bill_total(round_, a) == bill_total(round_, b) == 1000
    assert result.fund_result_pence == 500
    assert transaction_sums() == [0]


def test_a_round_of_nothing_but_free_surplus_food_settles_and_bills_what_was_shared(rounds):
    surplus = Supplier(coop=rounds.coop, name="FareShare Lancashire", kind=SupplierKind.SURPLUS)
    db.session.add(surplus)
    db.session.commit()
    bread = rounds.product(
        case_size=2, case_price_pence=0, reference_price_pence=120, supplier=surplus
    )
    round_ = rounds.round(bread)
    a, b = rounds.households[:2]
    rounds.ask(round_, bread, a, 2)
    rounds.ask(round_, bread, b, 2)
    receive_as_ordered(round_)

    result = settle(round_, by=rounds.coordinator)

    assert db.session.get(Round, round_.id).state is RoundState.SETTLED
    transaction = db.session.get(LedgerTransaction, result.transaction_id)
    assert transaction.postings == []
    lines = db.session.scalars(
        select(BillLine).where(BillLine.round_id == round_.id, BillLine.kind == BillLineKind.GOODS)
    ).all()
    assert sorted((line.membership_id, line.units, line.amount_pence) for line in lines) == sorted(
        [(a.id, 2, 0), (b.id, 2, 0)]
    )
    assert household_balance_pence(membership=a) == 0
