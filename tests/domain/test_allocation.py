"""Case rounding and allocation: DESIGN.md's worked examples and the invariants behind them."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coop.domain.allocation import (
    FAIR_SHARE,
    FIRST_COME,
    Request,
    allocate,
    case_progress,
    cases_needed,
)

# --- worked examples (DESIGN.md) -------------------------------------------------------

A, B, C = 1, 2, 3


def test_an_increase_joins_the_back_of_the_queue():
    # A asks 2(3), B asks 2(0), then A changes to 4(1): A keeps 2(1) at the front
    # and the increase of 2 joins the back.
    queue = [Request(A, 2, 1, seq=0), Request(B, 2, 0, seq=1), Request(A, 2, 0, seq=2)]

    assert cases_needed(6, 1, 5) == 1
    assert allocate(queue, 5) == {A: 3, B: 2}


SHORT_CASE = [Request(A, 4, 0, seq=0), Request(B, 4, 0, seq=1), Request(C, 1, 2, seq=2)]


def test_first_come_serves_the_queue_in_order():
    assert cases_needed(9, 2, 6) == 1
    assert allocate(SHORT_CASE, 6, policy=FIRST_COME) == {A: 4, B: 2, C: 0}


def test_fair_share_splits_in_proportion_with_ties_to_earlier_requests():
    assert allocate(SHORT_CASE, 6, policy=FAIR_SHARE) == {A: 3, B: 3, C: 0}


def test_a_lower_fill_threshold_orders_the_extra_case_and_tolerance_takes_it():
    assert cases_needed(9, 2, 6, fill_percent=80) == 2
    assert allocate(SHORT_CASE, 6, fill_percent=80) == {A: 4, B: 4, C: 3}  # one unit surplus


# --- case rounding --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "tolerance", "case_size", "fill", "cases"),
    [
        (0, 0, 6, 100, 0),
        (0, 100, 6, 100, 0),  # tolerance alone never makes a case
        (6, 0, 6, 100, 1),
        (7, 4, 6, 100, 1),
        (7, 5, 6, 100, 2),
        (10, 0, 6, 60, 2),  # remainder 4 reaches ceil(3.6) = 4
        (9, 0, 6, 60, 1),
        (1, 0, 1, 100, 1),
    ],
)
def test_cases_needed(quantity, tolerance, case_size, fill, cases):
    assert cases_needed(quantity, tolerance, case_size, fill) == cases


@pytest.mark.parametrize(
    "call",
    [
        lambda: cases_needed(-1, 0, 6),
        lambda: cases_needed(1, -1, 6),
        lambda: cases_needed(1, 0, 0),
        lambda: cases_needed(1, 0, 6, fill_percent=0),
        lambda: allocate([Request(A, -1)], 6),
        lambda: allocate([Request(A, 1, -1)], 6),
        lambda: allocate([Request(A, 1)], 0),
        lambda: allocate([Request(A, 1)], 6, policy="lottery"),
        lambda: allocate([Request(A, 1)], 6, units=-1),
    ],
)
def test_bad_arguments_are_refused(call):
    with pytest.raises(ValueError):
        call()


def test_every_household_appears_even_with_nothing():
    assert allocate([Request(A, 1), Request(B, 0, 3)], 6) == {A: 0, B: 0}


def test_after_delivery_a_shortfall_is_shared_by_the_same_policy():
    queue = [Request(A, 3, seq=0), Request(B, 3, seq=1)]

    assert allocate(queue, 6, units=4, policy=FIRST_COME) == {A: 3, B: 1}
    assert allocate(queue, 6, units=4, policy=FAIR_SHARE) == {A: 2, B: 2}


def test_fair_share_gives_spare_units_to_tolerance_in_proportion():
    queue = [Request(A, 2, 4, seq=0), Request(B, 2, 2, seq=1)]

    assert allocate(queue, 6, units=7, policy=FAIR_SHARE) == {A: 4, B: 3}


def test_equal_seq_keeps_the_order_of_the_list():
    queue = [Request(B, 2, seq=5), Request(A, 2, seq=5)]

    assert allocate(queue, 3, units=3) == {B: 2, A: 1}


# --- invariants ------------------------------------------------------------------------

requests_strategy = st.lists(
    st.builds(
        Request,
        household=st.integers(1, 6),
        quantity=st.integers(0, 12),
        tolerance=st.integers(0, 6),
        seq=st.integers(0, 20),
    ),
    max_size=12,
)


@given(
    requests=requests_strategy,
    case_size=st.integers(1, 12),
    policy=st.sampled_from([FIRST_COME, FAIR_SHARE]),
    units=st.none() | st.integers(0, 80),
    fill=st.integers(1, 100),
)
def test_allocation_invariants(requests, case_size, policy, units, fill):
    result = allocate(requests, case_size, policy=policy, units=units, fill_percent=fill)

    firm = sum(r.quantity for r in requests)
    tolerance = sum(r.tolerance for r in requests)
    available = (
        units if units is not None else cases_needed(firm, tolerance, case_size, fill) * case_size
    )
    assert set(result) == {r.household for r in requests}
    assert all(value >= 0 for value in result.values())
    assert sum(result.values()) <= available
    for household, value in result.items():
        mine = [r for r in requests if r.household == household]
        assert value <= sum(r.quantity + r.tolerance for r in mine)
    # Nothing is left over while someone still wants units.
    assert sum(result.values()) == min(available, firm + tolerance)


@given(requests=requests_strategy, case_size=st.integers(1, 12), units=st.integers(0, 80))
def test_firm_demand_is_served_before_any_tolerance(requests, case_size, units):
    for policy in (FIRST_COME, FAIR_SHARE):
        result = allocate(requests, case_size, policy=policy, units=units)
        firm = sum(r.quantity for r in requests)
        if units <= firm:
            # Nobody gets more than their firm quantity while firm demand is unmet.
            for household, value in result.items():
                assert value <= sum(r.quantity for r in requests if r.household == household)


@given(
    quantity=st.integers(0, 200),
    tolerance=st.integers(0, 50),
    case_size=st.integers(1, 24),
    fill=st.integers(1, 100),
)
def test_cases_cover_firm_demand_in_whole_cases_and_never_tolerance_alone(
    quantity, tolerance, case_size, fill
):
    cases = cases_needed(quantity, tolerance, case_size, fill)

    assert quantity // case_size <= cases <= quantity // case_size + 1
    if quantity == 0:
        assert cases == 0
    if cases * case_size > quantity:
        # The extra case is worth ordering: firm remainder plus tolerance reach the threshold.
        assert quantity % case_size + tolerance >= -(-case_size * fill // 100)


# --- fair share by household ------------------------------------------------------------


def test_a_household_that_raised_its_order_gets_what_asking_once_would_give():
    raised = [Request(A, 4, seq=0), Request(B, 6, seq=1), Request(A, 2, seq=2)]
    at_once = [Request(A, 6, seq=0), Request(B, 6, seq=1)]

    # 7 units for 6 and 6: exact shares 3.5 each, the spare unit to A's earlier first request.
    assert allocate(at_once, 1, policy=FAIR_SHARE, units=7) == {A: 4, B: 3}
    assert allocate(raised, 1, policy=FAIR_SHARE, units=7) == {A: 4, B: 3}


def test_fair_share_ties_go_to_the_household_whose_first_request_is_earlier():
    queue = [Request(B, 1, seq=0), Request(A, 2, seq=1), Request(B, 1, seq=2)]

    assert allocate(queue, 1, policy=FAIR_SHARE, units=3) == {B: 2, A: 1}


def test_fair_share_gives_tolerance_by_household_up_to_its_total_tolerance():
    # Firm 2 + 2; 4 spare units for tolerances 1 + 2 (A) and 3 (B): 2 each.
    queue = [Request(A, 2, 1, seq=0), Request(B, 2, 3, seq=1), Request(A, 0, 2, seq=2)]

    assert allocate(queue, 1, policy=FAIR_SHARE, units=8) == {A: 4, B: 4}


# A queue in which households appear several times, as increases make them.
households_strategy = st.lists(
    st.tuples(st.integers(1, 4), st.integers(0, 9), st.integers(0, 4)), min_size=1, max_size=10
).map(lambda rows: [Request(*row, seq=seq) for seq, row in enumerate(rows)])


def _totals(requests: list[Request]) -> dict[int, tuple[int, int]]:
    totals: dict[int, tuple[int, int]] = {}
    for r in requests:
        firm, extra = totals.get(r.household, (0, 0))
        totals[r.household] = (firm + r.quantity, extra + r.tolerance)
    return totals


@given(requests=households_strategy, units=st.integers(0, 60))
def test_fair_share_gives_out_every_unit_someone_wants(requests, units):
    result = allocate(requests, 1, policy=FAIR_SHARE, units=units)

    wanted = sum(r.quantity + r.tolerance for r in requests)
    assert sum(result.values()) == min(units, wanted)


@given(requests=households_strategy, units=st.integers(0, 60))
def test_fair_share_gives_each_household_the_floor_or_ceiling_of_its_exact_share(requests, units):
    result = allocate(requests, 1, policy=FAIR_SHARE, units=units)

    totals = _totals(requests)
    firm = sum(quantity for quantity, _ in totals.values())
    tolerance = sum(extra for _, extra in totals.values())
    for household, (quantity, extra) in totals.items():
        if units <= firm:
            if not firm:
                continue
            share, weight, base = units, quantity, 0
        elif units - firm < tolerance:
            share, weight, base = units - firm, extra, quantity
        else:
            assert result[household] == quantity + extra
            continue
        total = firm if units <= firm else tolerance
        floor, remainder = divmod(share * weight, total)
        assert result[household] - base in ({floor, floor + 1} if remainder else {floor})


@given(
    requests=households_strategy,
    units=st.integers(0, 60),
    raiser=st.integers(1, 4),
    more=st.integers(1, 6),
)
@example(
    # Shared per request, B's raise from 5 to 6 lowered it from 3 units to 2.
    requests=[
        Request(1, 2, seq=0),
        Request(2, 5, seq=1),
        Request(1, 1, seq=2),
        Request(1, 8, seq=3),
    ],
    units=8,
    raiser=2,
    more=1,
)
@settings(max_examples=500)
def test_raising_an_order_never_lowers_a_households_share(requests, units, raiser, more):
    # An increase joins the back of the queue as a new request.
    raised = [*requests, Request(raiser, more, 0, seq=len(requests))]

    before = allocate(requests, 1, policy=FAIR_SHARE, units=units).get(raiser, 0)
    after = allocate(raised, 1, policy=FAIR_SHARE, units=units)[raiser]

    assert after >= before


@given(
    shares=st.lists(st.integers(1, 10), min_size=2, max_size=6),
    units=st.integers(0, 60),
)
def test_fair_share_gives_each_request_the_floor_or_ceiling_of_its_share(shares, units):
    requests = [Request(i, q, seq=i) for i, q in enumerate(shares)]
    firm = sum(shares)
    if units > firm:
        units = firm
    result = allocate(requests, 1, policy=FAIR_SHARE, units=units)

    for i, quantity in enumerate(shares):
        floor, remainder = divmod(quantity * units, firm)
        assert result[i] in ({floor, floor + 1} if remainder else {floor})


# --- the case indicator ------------------------------------------------------------------


def test_the_indicator_says_how_many_more_the_case_needs():
    assert case_progress(4, 0, 6).message == "4 of 6 in this case; 2 more needed"


def test_the_indicator_says_when_the_case_is_full():
    assert case_progress(6, 0, 6).message == "Case full"
    assert case_progress(12, 3, 6).message == "2 cases full"


def test_the_indicator_counts_full_cases_before_the_one_filling():
    assert case_progress(8, 0, 6).message == "1 full, then 2 of 6 in this case; 4 more needed"


def test_the_indicator_says_when_tolerance_will_fill_the_case():
    progress = case_progress(4, 2, 6)

    assert progress.partial_will_fill
    assert progress.message.endswith("(extras people offered fill it, so it will be ordered)")


def test_the_indicator_says_when_a_lower_threshold_orders_a_part_filled_case():
    progress = case_progress(4, 0, 6, fill_percent=50)

    assert progress.partial_will_fill
    assert progress.message.endswith("(it will be ordered; the co-op takes what nobody does)")


def test_the_indicator_before_anyone_orders():
    assert case_progress(0, 3, 6).message == "No orders yet; a case holds 6."


@given(
    quantity=st.integers(0, 500),
    tolerance=st.integers(0, 100),
    case_size=st.integers(1, 48),
    fill=st.integers(1, 100),
)
def test_the_indicator_agrees_with_case_rounding(quantity, tolerance, case_size, fill):
    progress = case_progress(quantity, tolerance, case_size, fill)

    assert progress.cases == cases_needed(quantity, tolerance, case_size, fill)
    assert progress.full_cases * case_size + progress.in_case == quantity
    assert 0 <= progress.needed < case_size
