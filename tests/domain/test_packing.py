"""Splitting an item's units between the cases that arrived, share by share."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coop.domain.packing import split_cases

shares_st = st.lists(
    st.tuples(st.sampled_from("ABCDEFGH"), st.integers(min_value=0, max_value=30)), max_size=8
)


@given(shares=shares_st, case_size=st.integers(1, 24), available=st.integers(0, 200))
def test_the_cases_hold_exactly_what_arrived_each_full_but_the_last(shares, case_size, available):
    cases = split_cases(shares, case_size, available)

    assert sum(case.size for case in cases) == available
    assert all(case.size == case_size for case in cases[:-1])
    assert all(0 < case.size <= case_size for case in cases)
    assert [case.number for case in cases] == list(range(1, len(cases) + 1))
    for case in cases:
        assert sum(units for _, units in case.shares) + case.stock == case.size


@given(
    shares=st.lists(
        st.tuples(st.sampled_from("ABCDEFGH"), st.integers(min_value=0, max_value=30)),
        max_size=8,
        unique_by=lambda share: share[0],
    ),
    case_size=st.integers(1, 24),
    available=st.integers(0, 200),
)
def test_households_get_their_shares_in_order_until_the_units_run_out(shares, case_size, available):
    cases = split_cases(shares, case_size, available)

    left, expected = available, {}
    for name, units in shares:
        take = min(units, left)
        left -= take
        if take:
            expected[name] = take
    packed: dict[str, int] = {}
    for case in cases:
        for name, units in case.shares:
            packed[name] = packed.get(name, 0) + units
    assert packed == expected
    assert list(packed) == list(expected), "households are packed in the order given"
    assert sum(case.stock for case in cases) == left


def test_a_share_that_does_not_fit_continues_in_the_next_case():
    cases = split_cases([("A", 4), ("B", 3), ("C", 2)], 6, 12)

    assert [(case.shares, case.stock) for case in cases] == [
        ([("A", 4), ("B", 2)], 0),
        ([("B", 1), ("C", 2)], 3),
    ]
