"""A household's statement, available funds, savings and bills, as the selectors give them."""

from __future__ import annotations

from sqlalchemy import select

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    LedgerTransaction,
    RoundItem,
    SplitBasis,
    Supplier,
    SupplierKind,
    TransactionKind,
)
from coop.services.money.bills import bill_for, household_for, round_bills
from coop.services.money.ledger import (
    household_balance_pence,
    reverse_transaction,
)
from coop.services.money.statements import savings_of, statement_for
from coop.services.money.treasury import Carrier, correct_bill
from coop.services.rounds.closing import close_round
from coop.services.rounds.ordering import funds_of
from money.statement_support import add_cost, add_subsidy, pay, settle


def test_a_household_with_no_money_yet_has_an_empty_statement(rounds):
    statement = statement_for(membership=rounds.households[0])

    assert statement.funds.balance_pence == 0
    assert statement.entries == []
    assert statement.funds.available_pence == 0
    assert statement.savings.reference_pence == statement.savings.paid_pence == 0


def test_the_statement_shows_each_transaction_newest_first_with_the_balance_it_left(rounds):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    a, b = rounds.households[:2]
    first = rounds.round(oats, title="March order")
    rounds.ask(first, oats, a, 1)
    rounds.ask(first, oats, b, 1)
    settle(first)
    pay(a, 2000)
    second = rounds.round(oats, title="April order")
    rounds.ask(second, oats, a, 2)
    settle(second)

    statement = statement_for(membership=a)

    assert [
        (e.kind, e.round_title, e.amount_pence, e.balance_after_pence) for e in statement.entries
    ] == [
        (TransactionKind.SETTLEMENT, "April order", -1000, 500),
        (TransactionKind.PAYMENT, None, 2000, 1500),
        (TransactionKind.SETTLEMENT, "March order", -500, -500),
    ]
    assert statement.funds.balance_pence == household_balance_pence(membership=a) == 500
    assert all(entry.has_bill for entry in statement.entries if entry.round_id)


def test_a_reversal_appears_on_the_statement_and_marks_what_it_undid(rounds):
    a = rounds.households[0]
    pay(a, 1500, memo="Cash, wrongly entered")
    payment = db.session.scalars(select(LedgerTransaction)).one()
    reverse_transaction(transaction=payment, reason="typed twice", by=rounds.coordinator)
    db.session.commit()

    newest, oldest = statement_for(membership=a).entries

    assert (newest.kind, newest.amount_pence, newest.balance_after_pence) == (
        TransactionKind.REVERSAL,
        -1500,
        0,
    )
    assert newest.reverses_id == oldest.transaction_id
    assert oldest.reversed_by_id == newest.transaction_id


def test_available_funds_are_the_balance_less_open_orders_and_unsettled_rounds(rounds):
    oats = rounds.product(case_size=6, case_price_pence=1200)  # 200p a unit
    a, b = rounds.households[:2]
    pay(a, 2000)
    closed = rounds.round(oats, title="Closed, not settled")
    rounds.ask(closed, oats, a, 3)
    rounds.ask(closed, oats, b, 3)
    close_round(round_id=closed.id, by=None)
    db.session.commit()
    open_ = rounds.round(oats, title="Still open")
    rounds.ask(open_, oats, a, 2)

    statement = statement_for(membership=a)

    assert [due.title for due in statement.funds.rounds_due] == [
        "Closed, not settled",
        "Still open",
    ]
    assert statement.funds.committed_pence == 600 + 400
    assert statement.funds.available_pence == funds_of(membership=a).available_pence == 2000 - 1000


def test_savings_count_lines_with_a_reference_price_and_keep_surplus_food_apart(rounds):
    surplus = Supplier(coop=rounds.coop, name="FareShare Lancashire", kind=SupplierKind.SURPLUS)
    db.session.add(surplus)
    db.session.commit()
    rice = rounds.product(case_size=2, case_price_pence=300, reference_price_pence=250)
    beans = rounds.product(case_size=2, case_price_pence=200)  # no reference price
    bread = rounds.product(
        case_size=2, case_price_pence=0, reference_price_pence=120, supplier=surplus
    )
    round_ = rounds.round(rice, beans, bread)
    a = rounds.households[0]
    for product in (rice, beans, bread):
        rounds.ask(round_, product, a, 2)
    settle(round_)

    savings = savings_of(membership=a)

    assert (savings.reference_pence, savings.paid_pence) == (500, 300)
    assert (savings.saved_pence, savings.saved_bp) == (200, 4000)
    assert (savings.priced_lines, savings.unpriced_lines) == (1, 1)
    assert (savings.surplus_lines, savings.surplus_units, savings.surplus_reference_pence) == (
        1,
        2,
        240,
    )


def test_a_saving_is_given_to_a_tenth_of_a_percent(rounds):
    rice = rounds.product(case_size=3, case_price_pence=1000, reference_price_pence=400)
    round_ = rounds.round(rice)
    rounds.ask(round_, rice, rounds.households[0], 3)
    settle(round_)

    savings = savings_of(membership=rounds.households[0])

    # 1200p at the supermarket, 999p here (three at 333p): 16.75% saved, shown as 16.8%.
    assert (savings.saved_pence, savings.saved_bp) == (201, 1680)


def _round_with_everything(rounds, factory):  # type: ignore[no-untyped-def]
    rounds.coop.markup_bp = 250
    db.session.commit()
    oats = rounds.product(case_size=3, case_price_pence=1001, vat_bp=2000, deposit_pence=10)
    soap = rounds.product(case_size=4, case_price_pence=999, vat_bp=500)
    round_ = rounds.round(oats, soap)
    a, b, c = rounds.households[:3]
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, oats, b, 1)
    rounds.ask(round_, oats, c, 1)
    rounds.ask(round_, soap, a, 3)
    rounds.ask(round_, soap, c, 1)
    delivery = add_cost(round_, "Delivery", 701, SplitBasis.BY_VALUE, supplier=rounds.supplier)
    add_cost(round_, "Hall hire", 1000, SplitBasis.EQUAL)
    add_cost(round_, "Bags", 99, SplitBasis.BY_UNITS)
    add_subsidy(round_, factory, cost=delivery, cap_pence=500)
    add_subsidy(round_, factory, percent_bp=1000, cap_pence=300)
    settle(round_)
    return round_


def test_every_bill_adds_up_to_what_the_ledger_charged(rounds, factory):
    round_ = _round_with_everything(rounds, factory)

    for household in rounds.households[:3]:
        bill = bill_for(round_=round_, membership=household)
        assert (
            bill.total_pence == bill.charged_pence == -household_balance_pence(membership=household)
        )
        for line in bill.goods:
            assert line.amount_pence == (
                line.net_pence + line.vat_pence + line.markup_pence + line.deposit_pence
            )
    bill = bill_for(round_=round_, membership=rounds.households[0])
    assert [share.name for share in bill.costs] == ["Delivery", "Hall hire", "Bags"]
    assert [share.households for share in bill.costs] == [3, 3, 3]
    assert {credit.programme for credit in bill.subsidies} == {"Healthy Start Preston"}
    assert all(credit.amount_pence < 0 for credit in bill.subsidies)


def test_a_round_wide_cost_attributed_to_several_suppliers_is_one_line_of_the_bill(rounds):
    other = Supplier(coop=rounds.coop, name="Growers' Co-op")
    db.session.add(other)
    db.session.commit()
    oats = rounds.product(case_size=1, case_price_pence=500)
    kale = rounds.product(case_size=1, case_price_pence=300, supplier=other)
    round_ = rounds.round(oats, kale)
    a = rounds.households[0]
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, kale, a, 1)
    add_cost(round_, "Hall hire", 1001, SplitBasis.EQUAL)
    settle(round_)

    bill = bill_for(round_=round_, membership=a)

    assert [(share.name, share.amount_pence) for share in bill.costs] == [("Hall hire", 1001)]
    assert bill.total_pence == 800 + 1001 == bill.charged_pence


def test_a_fixed_contribution_bill_values_the_goods_and_charges_the_agreed_amount(rounds):
    rounds.coop.contribution_pence = 1000
    db.session.commit()
    oats = rounds.product(case_size=2, case_price_pence=1500)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, oats, b, 1)
    settle(round_)

    bill = bill_for(round_=round_, membership=a)

    assert bill.fixed
    assert (bill.goods_pence, bill.goods_value_pence) == (0, 750)
    assert bill.total_pence == bill.charged_pence == 1000


def test_a_correction_and_a_reversal_after_settlement_keep_the_bill_equal_to_the_ledger(rounds):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, oats, b, 1)
    settle(round_)
    correct_bill(
        round_=round_,
        membership=a,
        round_item_id=None,
        amount_pence=-150,
        carrier=Carrier.FUND,
        reason="Bag of oats arrived split",
        by=rounds.coordinator,
    )
    settlement = db.session.scalars(
        select(LedgerTransaction).where(LedgerTransaction.kind == TransactionKind.SETTLEMENT)
    ).one()
    reverse_transaction(transaction=settlement, reason="settled by mistake", by=rounds.coordinator)
    db.session.commit()

    bill = bill_for(round_=round_, membership=a)

    assert [line.description for line in bill.corrections] == [
        "Correction: Bag of oats arrived split"
    ]
    assert [line.amount_pence for line in bill.reversals] == [-500]
    assert bill.total_pence == bill.charged_pence == -150
    assert bill.charged_pence == -household_balance_pence(membership=a)


def test_there_is_no_bill_before_settlement_or_for_a_household_that_received_nothing(rounds):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 2)

    assert bill_for(round_=round_, membership=a) is None
    settle(round_)
    assert bill_for(round_=round_, membership=b) is None
    assert bill_for(round_=round_, membership=a) is not None
    assert db.session.get(RoundItem, rounds.item(round_, oats).id).round.state is RoundState.SETTLED


def test_a_household_of_another_coop_has_no_bill_and_is_not_found_here(rounds, factory):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 2)
    settle(round_)
    elsewhere = factory.coop(name="Ribbleton Pantry")
    stranger = factory.membership(coop=elsewhere)

    assert bill_for(round_=round_, membership=stranger) is None
    assert household_for(coop=rounds.coop, membership_id=stranger.id) is None
    assert household_for(coop=elsewhere, membership_id=stranger.id) == stranger


def test_the_round_bills_give_every_household_total_by_name(rounds, factory):
    round_ = _round_with_everything(rounds, factory)

    summaries = round_bills(round_=round_)

    assert [summary.name for summary in summaries] == ["Household 1", "Household 2", "Household 3"]
    for summary in summaries:
        assert summary.reversed_pence == 0
        assert summary.charged_pence == (
            summary.goods_pence + summary.costs_pence + summary.subsidy_pence
        )
    assert sum(summary.charged_pence for summary in summaries) == -sum(
        household_balance_pence(membership=household) for household in rounds.households
    )
