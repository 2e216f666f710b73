"""Settling a round: every household's charge to the penny, and every penny accounted for."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.domain.catalogue import member_unit_price_pence
from coop.domain.settlement import BY_UNITS, BY_VALUE, EQUAL, Cost, Line, Subsidy, settle

A, B, C = 1, 2, 3
WHOLESALER, GROWER = 10, 20


def oats(**changes) -> Line:
    values = {
        "item": 100,
        "supplier": WHOLESALER,
        "case_price_pence": 1000,
        "case_size": 3,
        "vat_bp": 0,
        "units_received": 3,
        "shares": {A: 1, B: 1, C: 1},
    }
    values.update(changes)
    return Line(**values)


def test_each_household_pays_its_units_at_the_price_each_and_the_fund_takes_the_rounding():
    # £10 for 3 units: 333.33p exactly, 333p each; the fund pays the penny the rounding lost.
    settlement = settle([oats()])

    assert [line.total_pence for line in settlement.goods] == [333, 333, 333]
    assert settlement.supplier_totals == {WHOLESALER: 1000}
    assert settlement.markup_pence == settlement.fund_result_pence == -1
    # The net and VAT parts are what the units cost; the markup part holds the rounding.
    assert [(g.net_pence, g.vat_pence, g.markup_pence) for g in settlement.goods] == [
        (334, 0, -1),
        (333, 0, 0),
        (333, 0, 0),
    ]


def test_a_price_each_rounded_up_leaves_the_difference_in_the_fund():
    # £14.39 for 25 units: 57.56p exactly, 58p each; 9 and 16 units are 522p and 928p.
    rice = oats(case_price_pence=1439, case_size=25, units_received=25, shares={A: 9, B: 16})

    settlement = settle([rice])

    assert settlement.household_totals() == {A: 522, B: 928}
    assert settlement.supplier_totals == {WHOLESALER: 1439}
    assert settlement.fund_result_pence == 11


def test_a_markup_with_two_decimals_is_not_truncated():
    # 2.5% on £10.00 is exactly £10.25.
    settlement = settle([oats(case_size=1, units_received=1, shares={A: 1})], markup_bp=250)

    (line,) = settlement.goods
    assert (line.net_pence, line.vat_pence, line.markup_pence) == (1000, 0, 25)
    assert settlement.markup_pence == 25
    assert settlement.fund_result_pence == 25


def test_vat_and_markup_show_as_their_own_parts_of_the_charge():
    settlement = settle([oats(vat_bp=2000, shares={A: 2, B: 1})], markup_bp=1000)

    charges = {line.household: line for line in settlement.goods}
    # Exact: 1000 net, 200 VAT, 120 markup for 3 units = 1320; A gets 2/3.
    assert charges[A].total_pence == 880
    assert (charges[A].net_pence, charges[A].vat_pence, charges[A].markup_pence) == (667, 133, 80)
    assert sum(line.total_pence for line in settlement.goods) == 1320


def test_surplus_units_are_the_funds_cost():
    settlement = settle([oats(shares={A: 2})])

    assert settlement.household_totals() == {A: 666}
    assert settlement.surplus_cost_pence == 333
    assert settlement.fund_result_pence == -333 - 1  # the surplus, and the rounding


def test_deposits_pass_through_at_cost():
    settlement = settle([oats(deposit_pence=15, shares={A: 3})], markup_bp=1000)

    assert settlement.goods[0].deposit_pence == 45
    assert settlement.supplier_totals[WHOLESALER] == 1045


@pytest.mark.parametrize(
    ("basis", "expected"),
    [(EQUAL, {A: 334, B: 333, C: 333}), (BY_VALUE, {A: 500, B: 500, C: 0}), (BY_UNITS, {})],
)
def test_shared_costs_split_by_their_basis(basis, expected):
    lines = [
        oats(shares={A: 1, B: 1}, units_received=2),
        oats(item=101, case_price_pence=0, shares={C: 1}, units_received=1),
    ]
    settlement = settle(lines, costs=[Cost(key=1, amount_pence=1000, basis=basis)])

    shares = {cost.household: cost.pence for cost in settlement.costs}
    if basis == BY_UNITS:
        assert sorted(shares.values()) == [333, 333, 334]
    else:
        assert {h: p for h, p in shares.items() if p} == {h: p for h, p in expected.items() if p}
    assert sum(shares.values()) == 1000


def test_a_suppliers_delivery_is_shared_by_the_households_that_bought_from_it():
    lines = [
        oats(shares={A: 3}),
        oats(item=200, supplier=GROWER, shares={B: 3}),
    ]
    settlement = settle(lines, costs=[Cost(key=1, amount_pence=600, supplier=GROWER)])

    assert [(cost.household, cost.supplier, cost.pence) for cost in settlement.costs] == [
        (B, GROWER, 600)
    ]


def test_a_round_wide_cost_is_attributed_to_suppliers_by_what_each_household_bought():
    lines = [
        oats(shares={A: 3}),
        oats(item=200, supplier=GROWER, case_price_pence=3000, shares={A: 3}),
    ]
    settlement = settle(lines, costs=[Cost(key=1, amount_pence=100)])

    assert {cost.supplier: cost.pence for cost in settlement.costs} == {
        WHOLESALER: 25,
        GROWER: 75,
    }


def test_a_cost_nobody_received_from_is_absorbed_by_the_fund():
    settlement = settle([oats()], costs=[Cost(key=1, amount_pence=500, supplier=GROWER)])

    assert settlement.costs == []
    assert settlement.absorbed_costs_pence == 500
    assert settlement.fund_result_pence == -500 - 1  # the cost, and the rounding


def test_a_subsidy_pays_a_named_cost_up_to_its_cap():
    settlement = settle(
        [oats()],
        costs=[Cost(key=1, amount_pence=900)],
        subsidies=[Subsidy(key=7, cost=1, cap_pence=600)],
    )

    assert [credit.pence for credit in settlement.subsidies] == [200, 200, 200]
    assert settlement.household_totals() == {A: 333 + 100, B: 333 + 100, C: 333 + 100}


def test_a_percentage_off_goods_is_rounded_once_and_capped():
    settlement = settle([oats()], subsidies=[Subsidy(key=7, percent_bp=1000)])

    assert settlement.subsidy_pence == 100
    capped = settle([oats()], subsidies=[Subsidy(key=7, percent_bp=5000, cap_pence=90)])
    assert capped.subsidy_pence == 90


def test_fixed_contributions_charge_everyone_the_same_and_the_fund_takes_the_rest():
    settlement = settle([oats()], contribution_pence=500)

    assert settlement.household_totals() == {A: 500, B: 500, C: 500}
    assert settlement.fund_result_pence == 500


@pytest.mark.parametrize(
    "line",
    [
        oats(case_size=0),
        oats(units_received=2),  # three units given out
        oats(shares={A: -1}),
    ],
)
def test_impossible_rounds_are_refused(line):
    with pytest.raises(ValueError):
        settle([line])


def test_unknown_split_basis_is_refused():
    with pytest.raises(ValueError):
        settle([oats()], costs=[Cost(key=1, amount_pence=5, basis="by_age")])


# --- the invariants, for any round ------------------------------------------------------

households = st.integers(1, 6)


@st.composite
def lines(draw):
    count = draw(st.integers(1, 5))
    result = []
    for item in range(count):
        case_size = draw(st.integers(1, 12))
        received = draw(st.integers(0, 3 * case_size))
        shares: dict[int, int] = {}
        left = received
        for household in draw(st.lists(households, unique=True, max_size=4)):
            units = draw(st.integers(0, left))
            shares[household] = units
            left -= units
        result.append(
            Line(
                item=item,
                supplier=draw(st.sampled_from([WHOLESALER, GROWER])),
                case_price_pence=draw(st.integers(0, 50_000)),
                case_size=case_size,
                vat_bp=draw(st.sampled_from([0, 500, 2000])),
                units_received=received,
                shares=shares,
                deposit_pence=draw(st.sampled_from([0, 0, 10])),
            )
        )
    return result


costs = st.lists(
    st.builds(
        Cost,
        key=st.integers(1, 3),
        amount_pence=st.integers(0, 5000),
        basis=st.sampled_from([EQUAL, BY_VALUE, BY_UNITS]),
        supplier=st.sampled_from([None, WHOLESALER, GROWER]),
    ),
    max_size=3,
    unique_by=lambda cost: cost.key,
)
subsidies = st.lists(
    st.one_of(
        st.builds(Subsidy, key=st.just(1), cost=st.integers(1, 3), cap_pence=st.integers(0, 900)),
        st.builds(Subsidy, key=st.just(2), percent_bp=st.integers(0, 10_000)),
    ),
    max_size=2,
    unique_by=lambda subsidy: subsidy.key,
)


@settings(max_examples=300)
@given(
    round_lines=lines(),
    markup=st.integers(0, 3000),
    round_costs=costs,
    round_subsidies=subsidies,
    fixed=st.one_of(st.none(), st.integers(0, 3000)),
)
def test_charges_and_subsidy_equal_suppliers_costs_and_the_funds_result(
    round_lines, markup, round_costs, round_subsidies, fixed
):
    settlement = settle(
        round_lines,
        markup_bp=markup,
        costs=round_costs,
        subsidies=round_subsidies,
        contribution_pence=fixed,
    )

    charged = sum(settlement.household_totals().values())
    assert charged + settlement.subsidy_pence == (
        sum(settlement.supplier_totals.values())
        + sum(settlement.cost_totals.values())
        + settlement.fund_result_pence
    )
    if fixed is None:
        assert settlement.fund_result_pence == (
            settlement.markup_pence
            - settlement.surplus_cost_pence
            - settlement.absorbed_costs_pence
        )
        assert all(total >= 0 for total in settlement.household_totals().values())
    for line in round_lines:
        each = member_unit_price_pence(
            case_price_pence=line.case_price_pence,
            case_size=line.case_size,
            vat_bp=line.vat_bp,
            markup_bp=markup,
        )
        for charge in settlement.goods:
            if charge.item == line.item:
                assert charge.total_pence - charge.deposit_pence == charge.units * each
                assert charge.net_pence + charge.vat_pence + charge.markup_pence == (
                    charge.units * each
                )
