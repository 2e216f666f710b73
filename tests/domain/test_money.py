"""Money as integer pence: parsing what people type, formatting, and exact splitting."""

from __future__ import annotations

import re
from fractions import Fraction
from math import ceil, floor

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coop.domain.money import format_pence, parse_pence, plain_pounds, round_half_up, split_pence

# --- parse_pence ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("12", 1200),
        ("12.3", 1230),
        ("12.30", 1230),
        ("£12.30", 1230),
        ("1,234.50", 123450),
        ("£1,234,567.89", 123456789),
        ("1.2", 120),
        ("£1.20", 120),
        ("0", 0),
        (".5", 50),
        ("  7.05 ", 705),
    ],
)
def test_amounts_people_type_are_read_as_pence(typed, pence):
    assert parse_pence(typed) == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.234", "Use at most two digits after the decimal point, such as 12.50."),
        ("12.345", "Use at most two digits after the decimal point, such as 12.50."),
        ("abc", "Enter an amount in pounds and pence, such as 12.50."),
        ("12p", "Enter an amount in pounds and pence, such as 12.50."),
        ("1,23.00", "Enter an amount in pounds and pence, such as 12.50."),
        ("£", "Enter an amount in pounds and pence, such as 12.50."),
        ("", "Enter an amount, such as 12.50."),
        ("   ", "Enter an amount, such as 12.50."),
        ("-1", "The amount cannot be negative."),
        ("-£0.05", "The amount cannot be negative."),
    ],
)
def test_bad_amounts_are_refused_with_a_message_for_people(typed, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_pence(typed)


@pytest.mark.parametrize(("typed", "pence"), [("-1", -100), ("-£0.05", -5), ("£-2.50", -250)])
def test_negative_amounts_where_allowed(typed, pence):
    assert parse_pence(typed, allow_negative=True) == pence


# --- format_pence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(123456, "£1,234.56"), (-5, "-£0.05"), (0, "£0.00"), (100, "£1.00"), (7, "£0.07")],
)
def test_pence_are_shown_as_pounds(pence, shown):
    assert format_pence(pence) == shown


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_what_is_shown_reads_back_as_the_same_pence(pence):
    assert parse_pence(format_pence(pence), allow_negative=True) == pence


# --- plain_pounds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pence", "shown"),
    [
        (1234, "12.34"),
        (-5, "-0.05"),
        (-1234, "-12.34"),
        (-100, "-1.00"),
        (0, "0.00"),
        (7, "0.07"),
        (123456789, "1234567.89"),
    ],
)
def test_pence_are_written_as_plain_pounds(pence, shown):
    assert plain_pounds(pence) == shown


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_plain_pounds_read_back_as_the_same_pence(pence):
    assert parse_pence(plain_pounds(pence), allow_negative=True) == pence


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_plain_pounds_are_a_bare_decimal_with_two_places(pence):
    assert re.fullmatch(r"-?(0|[1-9]\d*)\.\d\d", plain_pounds(pence))
    assert plain_pounds(pence).startswith("-") == (pence < 0)


# --- round_half_up -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "pence"),
    [
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(-1, 2), -1),
        (Fraction(1049, 1000), 1),
        (Fraction(2, 3), 1),
        (Fraction(1, 3), 0),
    ],
)
def test_rounding_halves_away_from_zero(value, pence):
    assert round_half_up(value) == pence


# --- split_pence -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (6, [4, 4, 1], [3, 3, 0]),  # DESIGN.md's fair share: ties go to the earlier party
        (10, [0, 1, 1], [0, 5, 5]),
        (5, [1, 1], [3, 2]),
        (1, [1, 3], [0, 1]),
        (0, [1, 2], [0, 0]),
        (0, [0, 0], [0, 0]),
        (7, [Fraction(1, 3), Fraction(2, 3)], [2, 5]),
        (1000, [250, 250, 500], [250, 250, 500]),
    ],
)
def test_split_examples(total, weights, parts):
    assert split_pence(total, weights) == parts


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([], "the list of weights is empty"),
        ([1, -1], "Weights cannot be negative."),
        ([0, 0], "every weight is zero"),
    ],
)
def test_weights_that_cannot_split_are_refused(weights, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        split_pence(5, weights)


# Exact fractions of thirty weights are slow on a busy machine; time is not what these test.
unhurried = settings(deadline=None)
totals = st.integers(min_value=-(10**9), max_value=10**9)
weights = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**6),
        st.fractions(min_value=0, max_value=1000, max_denominator=50),
    ),
    min_size=1,
    max_size=30,
)


def exact_shares(total: int, weights: list) -> list[Fraction]:
    weight_sum = sum(Fraction(w) for w in weights)
    return [Fraction(w) * total / weight_sum for w in weights]


@unhurried
@given(totals, weights)
def test_the_parts_add_up_to_the_total(total, weights):
    assume(any(weights))

    assert sum(split_pence(total, weights)) == total


@unhurried
@given(totals, weights)
def test_each_part_is_the_floor_or_the_ceiling_of_its_share(total, weights):
    assume(any(weights))

    for part, share in zip(split_pence(total, weights), exact_shares(total, weights), strict=True):
        assert part in (floor(share), ceil(share))


@unhurried
@given(st.integers(min_value=0, max_value=10**9), weights)
def test_the_spare_pennies_go_to_the_largest_remainders_then_to_the_lower_index(total, weights):
    assume(any(weights))
    parts = split_pence(total, weights)
    shares = exact_shares(total, weights)
    remainders = [share - floor(share) for share in shares]
    rounded_up = [part > floor(share) for part, share in zip(parts, shares, strict=True)]

    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            if rounded_up[j] and not rounded_up[i] and remainders[i] > 0:
                # j got a penny i did not: j's remainder must be strictly larger.
                assert remainders[j] > remainders[i]
            if rounded_up[i] and not rounded_up[j] and remainders[j] > 0:
                assert remainders[i] >= remainders[j]


@unhurried
@given(totals, weights)
def test_a_zero_weight_gets_nothing(total, weights):
    assume(any(weights))

    for part, weight in zip(split_pence(total, weights), weights, strict=True):
        if weight == 0:
            assert part == 0


@unhurried
@given(totals, weights)
def test_a_negative_total_splits_as_the_mirror_of_the_positive_one(total, weights):
    assume(any(weights))

    assert split_pence(-total, weights) == [-part for part in split_pence(total, weights)]


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=30))
def test_all_zero_weights_cannot_take_a_non_zero_total(total, count):
    with pytest.raises(ValueError):
        split_pence(total, [0] * count)


@unhurried
@given(totals, weights, st.integers(min_value=0, max_value=29))
def test_any_negative_weight_is_refused(total, weights, index):
    weights[index % len(weights)] = -1

    with pytest.raises(ValueError, match=r"^Weights cannot be negative\.$"):
        split_pence(total, weights)
