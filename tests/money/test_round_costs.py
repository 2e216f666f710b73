"""A round's shared costs and council subsidies, until settlement, and the settlement preview."""

from __future__ import annotations

from datetime import date

import pytest
from support import count_rows, refusal_message

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import BillLine, Posting, RoundCost, RoundSubsidy, SplitBasis, SupportRecord
from coop.services.money.costs import (
    add_round_cost,
    apply_subsidy,
    delivery_offers,
    preview_settlement,
    remove_round_cost,
    remove_subsidy,
    round_costs,
    subsidy_records,
)
from coop.services.money.settlement import settle_round
from money.treasury_support import received_round, settled_round, subsidy_record


def add_cost(round_, amount_pence=600, basis=SplitBasis.EQUAL, supplier_id=None, name="Hall"):
    cost = add_round_cost(
        round_=round_, name=name, amount_pence=amount_pence, basis=basis, supplier_id=supplier_id
    )
    db.session.commit()
    return cost


def test_a_cost_is_shared_by_its_basis_in_the_preview(rounds):
    round_ = received_round(rounds, 4, 2)
    add_cost(round_, amount_pence=301, basis=SplitBasis.BY_UNITS)

    preview = preview_settlement(round_=round_, coop=rounds.coop)

    by_name = {share.name: share for share in preview.households}
    assert by_name["Household 1"].costs_pence == 201
    assert by_name["Household 2"].costs_pence == 100
    assert by_name["Household 1"].total_pence == 800 + 201
    assert preview.costs_pence == 301
    assert preview.balances


def test_the_preview_writes_nothing(rounds):
    round_ = received_round(rounds, 6)
    add_cost(round_)

    preview_settlement(round_=round_, coop=rounds.coop)
    db.session.commit()

    assert count_rows(Posting) == 0
    assert count_rows(BillLine) == 0
    assert db.session.get(type(round_), round_.id).state is RoundState.RECEIVED


def test_a_suppliers_delivery_charge_is_offered_until_it_is_added(rounds):
    rounds.supplier.delivery_charge_pence = 850
    round_ = received_round(rounds, 6)

    offers = delivery_offers(round_=round_, costs=round_costs(round_=round_))
    assert [(offer.name, offer.amount_pence) for offer in offers] == [
        ("Delivery from Northern Wholefoods", 850)
    ]

    add_cost(round_, amount_pence=850, supplier_id=rounds.supplier.id, name=offers[0].name)
    assert delivery_offers(round_=round_, costs=round_costs(round_=round_)) == []


def test_a_suppliers_delivery_becomes_what_the_co_op_owes_it(rounds):
    round_ = received_round(rounds, 3, 3)
    add_cost(round_, amount_pence=501, supplier_id=rounds.supplier.id, name="Delivery")

    preview = preview_settlement(round_=round_, coop=rounds.coop)

    assert [(s.name, s.goods_pence, s.costs_pence) for s in preview.suppliers] == [
        ("Northern Wholefoods", 1200, 501)
    ]
    assert sorted(share.costs_pence for share in preview.households) == [250, 251]


@pytest.mark.parametrize(
    ("name", "amount", "field", "message"),
    [
        ("  ", 500, "name", "Name the cost, such as Delivery or Hall hire."),
        ("Hall", 0, "amount", "A shared cost must be more than £0.00."),
        ("x" * 121, 500, "name", "Use at most 120 characters."),
    ],
)
def test_a_cost_without_a_name_or_amount_is_refused(rounds, name, amount, field, message):
    round_ = received_round(rounds, 6)

    refused = refusal_message(
        lambda: add_round_cost(
            round_=round_, name=name, amount_pence=amount, basis=SplitBasis.EQUAL, supplier_id=None
        ),
        field=field,
    )

    assert refused == message
    assert count_rows(RoundCost) == 0


def test_a_cost_of_a_supplier_outside_the_round_is_refused(rounds):
    from coop.models import Supplier

    other = Supplier(coop=rounds.coop, name="Hill Farm")
    db.session.add(other)
    db.session.commit()
    round_ = received_round(rounds, 6)

    refused = refusal_message(
        lambda: add_round_cost(
            round_=round_, name="Van", amount_pence=500, basis="equal", supplier_id=other.id
        ),
        field="supplier",
    )

    assert refused == "Choose one of the round's suppliers, or none for the whole round."


def test_costs_cannot_change_once_the_round_is_settled(rounds):
    round_ = received_round(rounds, 6)
    cost = add_cost(round_)
    settle_round(round_id=round_.id, by=None)
    db.session.commit()

    adding = refusal_message(
        lambda: add_round_cost(
            round_=round_, name="Late", amount_pence=100, basis="equal", supplier_id=None
        )
    )
    removing = refusal_message(lambda: remove_round_cost(round_=round_, cost=cost))

    assert adding == removing
    assert adding.startswith("The round is settled: its costs and subsidies can no longer change.")
    assert count_rows(RoundCost) == 1


def test_costs_can_be_added_while_the_round_is_still_open(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)

    add_cost(round_, name="Hall hire")

    assert [cost.name for cost in round_costs(round_=round_)] == ["Hall hire"]


def test_a_removed_cost_is_gone(rounds):
    round_ = received_round(rounds, 6)
    cost = add_cost(round_)

    assert remove_round_cost(round_=round_, cost=cost) == "Hall"
    db.session.commit()

    assert count_rows(RoundCost) == 0


def test_a_cost_a_subsidy_pays_cannot_be_removed_before_the_subsidy(rounds):
    record = subsidy_record(rounds)
    round_ = received_round(rounds, 6)
    cost = add_cost(round_)
    apply_subsidy(
        round_=round_,
        coop=rounds.coop,
        support_record_id=record.id,
        cost_id=cost.id,
        percent_bp=0,
        cap_pence=None,
    )
    db.session.commit()

    refused = refusal_message(lambda: remove_round_cost(round_=round_, cost=cost))

    assert refused == "A council subsidy pays Hall: remove the subsidy first, then the cost."
    assert count_rows(RoundCost) == 1


def test_a_subsidy_paying_a_cost_reaches_the_preview(rounds):
    record = subsidy_record(rounds)
    round_ = received_round(rounds, 3, 3)
    cost = add_cost(round_, amount_pence=600)
    apply_subsidy(
        round_=round_,
        coop=rounds.coop,
        support_record_id=record.id,
        cost_id=cost.id,
        percent_bp=0,
        cap_pence=500,
    )
    db.session.commit()

    preview = preview_settlement(round_=round_, coop=rounds.coop)

    assert preview.subsidy_pence == 500
    assert [share.total_pence for share in preview.households] == [600 + 300 - 250] * 2
    assert preview.balances


def test_a_percentage_off_goods_is_capped(rounds):
    record = subsidy_record(rounds)
    round_ = received_round(rounds, 6)
    apply_subsidy(
        round_=round_,
        coop=rounds.coop,
        support_record_id=record.id,
        cost_id=None,
        percent_bp=5000,
        cap_pence=400,
    )
    db.session.commit()

    preview = preview_settlement(round_=round_, coop=rounds.coop)

    assert preview.subsidy_pence == 400
    assert preview.households[0].total_pence == 1200 - 400


def test_only_subsidies_from_the_co_ops_own_council_can_be_applied(rounds, factory):
    record = subsidy_record(rounds)
    elsewhere = factory.council(name="Another Council")
    foreign = SupportRecord(
        council_id=elsewhere.id,
        coop_id=rounds.coop.id,
        programme="Not ours",
        kind="subsidy",
        value_pence=100,
        awarded_on=date(2025, 1, 1),
    )
    grant = SupportRecord(
        council_id=record.council_id,
        coop_id=rounds.coop.id,
        programme="A grant",
        kind="grant",
        value_pence=100,
        awarded_on=date(2025, 1, 1),
    )
    db.session.add_all([foreign, grant])
    db.session.commit()
    round_ = received_round(rounds, 6)

    assert [r.programme for r in subsidy_records(coop=rounds.coop)] == ["Healthy Start top-up"]
    for record_id in (foreign.id, grant.id, None):
        refused = refusal_message(
            lambda record_id=record_id: apply_subsidy(
                round_=round_,
                coop=rounds.coop,
                support_record_id=record_id,
                cost_id=None,
                percent_bp=1000,
                cap_pence=None,
            ),
            field="record",
        )
        assert refused == (
            "Choose a subsidy your council has awarded the co-op and that is in force "
            "for this round."
        )
    assert count_rows(RoundSubsidy) == 0


def test_a_subsidy_needs_a_percentage_or_a_cost_of_this_round(rounds):
    record = subsidy_record(rounds)
    round_ = received_round(rounds, 6)
    other_round = received_round(rounds, 6)
    other_cost = add_cost(other_round)

    def apply(**target):
        return lambda: apply_subsidy(
            round_=round_, coop=rounds.coop, support_record_id=record.id, cap_pence=None, **target
        )

    assert refusal_message(apply(cost_id=None, percent_bp=0), field="percent") == (
        "Enter a percentage above 0 and at most 100, such as 10."
    )
    assert refusal_message(apply(cost_id=other_cost.id, percent_bp=0), field="pays") == (
        "Choose one of this round's shared costs."
    )
    assert count_rows(RoundSubsidy) == 0


def test_a_subsidy_can_be_taken_off_before_settlement_only(rounds):
    record = subsidy_record(rounds)
    round_ = received_round(rounds, 6)
    subsidy = apply_subsidy(
        round_=round_,
        coop=rounds.coop,
        support_record_id=record.id,
        cost_id=None,
        percent_bp=1000,
        cap_pence=None,
    )
    db.session.commit()
    remove_subsidy(round_=round_, subsidy_id=subsidy.id)
    db.session.commit()
    assert count_rows(RoundSubsidy) == 0

    settled = settled_round(rounds, 6)
    applied = RoundSubsidy(round_id=settled.id, support_record_id=record.id, percent_bp=1000)
    db.session.add(applied)
    db.session.commit()

    refused = refusal_message(lambda: remove_subsidy(round_=settled, subsidy_id=applied.id))

    assert refused.startswith("The round is settled")
    assert count_rows(RoundSubsidy) == 1
