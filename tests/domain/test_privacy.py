"""Small-number suppression: what councils may see of household counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.domain.privacy import (
    MIN_THRESHOLD,
    Hidden,
    display_count,
    effective_threshold,
    suppress_count,
    suppress_table,
)

counts = st.integers(min_value=0, max_value=500)
thresholds = st.integers(min_value=0, max_value=30)


@given(count=counts, threshold=thresholds)
def test_a_count_is_hidden_exactly_when_it_is_between_one_and_k_minus_one(count, threshold):
    k = max(threshold, MIN_THRESHOLD)
    shown = suppress_count(count, threshold)
    if 1 <= count < k:
        assert shown is None
    else:
        assert shown == count


@given(threshold=thresholds)
def test_the_threshold_is_never_below_five(threshold):
    assert effective_threshold(threshold) >= 5
    assert suppress_count(4, threshold) is None


@pytest.mark.parametrize(
    ("count", "threshold", "text"),
    [
        (0, 10, "0"),
        (1, 10, "fewer than 10"),
        (3, 10, "fewer than 10"),
        (9, 10, "fewer than 10"),
        (10, 10, "10"),
        (250, 10, "250"),
        (4, 3, "fewer than 5"),
        (5, 3, "5"),
        (6, 7, "fewer than 7"),
    ],
)
def test_display_count_shows_small_numbers_as_fewer_than_k(count, threshold, text):
    assert display_count(count, threshold) == text


def test_a_negative_count_is_a_programming_error():
    with pytest.raises(ValueError, match="negative"):
        suppress_count(-1, 10)


def _texts(counts_, threshold=10):
    table = suppress_table(counts_, threshold)
    return [cell.text for cell in table.cells], table.total.text


def test_one_small_cell_beside_a_shown_total_takes_the_next_smallest_cell_with_it():
    assert _texts([3, 50, 12]) == (["fewer than 10", "50", "not shown"], "65")


def test_two_small_cells_that_add_up_to_k_need_no_secondary_suppression():
    assert _texts([4, 6, 40]) == (["fewer than 10", "fewer than 10", "40"], "50")


def test_small_cells_that_add_up_to_less_than_k_hide_another_cell():
    # Knowing that two hidden cells add up to 2 would reveal both are 1.
    assert _texts([1, 1, 50, 30]) == (["fewer than 10", "fewer than 10", "50", "not shown"], "82")


def test_a_small_total_is_hidden_and_protects_its_cells():
    assert _texts([3, 0, 2]) == (["fewer than 10", "0", "fewer than 10"], "fewer than 10")


def test_zero_cells_are_shown_and_never_used_to_protect_others():
    assert _texts([3, 0, 20]) == (["fewer than 10", "0", "not shown"], "23")


def test_ties_for_secondary_suppression_go_to_the_earlier_cell():
    assert _texts([12, 12, 2]) == (["not shown", "12", "fewer than 10"], "26")


def test_nothing_is_hidden_when_every_count_is_large_enough():
    table = suppress_table([10, 11, 0], 10)
    assert [cell.value for cell in table.cells] == [10, 11, 0]
    assert table.total.value == 21
    assert not table.any_hidden


def test_an_empty_table_has_a_zero_total():
    assert _texts([]) == ([], "0")


@given(cells=st.lists(counts, max_size=8), threshold=thresholds)
def test_no_hidden_cell_can_be_recovered_from_the_total(cells, threshold):
    k = effective_threshold(threshold)
    table = suppress_table(cells, threshold)
    hidden = [count for count, cell in zip(cells, table.cells, strict=True) if cell.hidden]
    shown = [cell.value for cell in table.cells if not cell.hidden]
    assert all(count > 0 for count in hidden), "zeros are never hidden"
    if table.total.hidden or not hidden:
        return
    unexplained = table.total.value - sum(shown)
    assert unexplained == sum(hidden)
    assert len(hidden) >= 2
    assert unexplained >= k, "the hidden cells together must not be a small number"
    assert all(count < unexplained for count in hidden)


@given(cells=st.lists(counts, max_size=8), threshold=thresholds)
def test_every_small_cell_and_only_small_cells_read_fewer_than_k(cells, threshold):
    k = effective_threshold(threshold)
    table = suppress_table(cells, threshold)
    for count, cell in zip(cells, table.cells, strict=True):
        assert (cell.hidden is Hidden.SMALL) == (1 <= count < k)
        if cell.hidden is None:
            assert cell.value == count
            assert cell.text == str(count)
        else:
            assert cell.value is None
            assert str(count) != cell.text
    total = sum(cells)
    assert (table.total.hidden is Hidden.SMALL) == (1 <= total < k)


@given(cells=st.lists(counts, max_size=8), threshold=thresholds)
def test_secondary_suppression_happens_only_to_protect_a_small_cell(cells, threshold):
    table = suppress_table(cells, threshold)
    if table.any_secondary:
        assert any(cell.hidden is Hidden.SMALL for cell in table.cells)
        assert table.total.hidden is None
