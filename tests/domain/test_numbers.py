"""Whole numbers and amounts are read from ASCII digits only, within what the columns hold."""

from __future__ import annotations

import pytest

from coop.domain.catalogue import percent_to_bp
from coop.domain.money import MAX_PENCE, parse_pence
from coop.domain.numbers import MAX_WHOLE_NUMBER, whole_number


@pytest.mark.parametrize(
    ("typed", "read"),
    [("12", 12), (" 7 ", 7), ("0", 0), (str(MAX_WHOLE_NUMBER), MAX_WHOLE_NUMBER)],
)
def test_ascii_whole_numbers_are_read(typed, read):
    assert whole_number(typed) == read


@pytest.mark.parametrize(
    "typed",
    ["²", "١٢", "\uff11\uff12", "-1", "1.5", "", None, str(MAX_WHOLE_NUMBER + 1), "9" * 5000],
)
def test_anything_else_is_no_whole_number(typed):
    assert whole_number(typed) is None


@pytest.mark.parametrize("typed", ["١٢", "²", "\uff11\uff12.50"])
def test_amounts_in_other_digits_are_refused(typed):
    with pytest.raises(ValueError, match="Enter an amount in pounds and pence"):
        parse_pence(typed)


@pytest.mark.parametrize("typed", ["1000000.01", "1" + "0" * 30, "9" * 1_000_000])
def test_an_amount_past_the_ceiling_is_refused_in_words(typed):
    with pytest.raises(ValueError, match=r"^Enter an amount of at most £1,000,000\.$"):
        parse_pence(typed, maximum=MAX_PENCE)


def test_the_ceiling_itself_is_an_amount():
    assert parse_pence("1,000,000", maximum=MAX_PENCE) == MAX_PENCE
    assert parse_pence("-1000000", allow_negative=True, maximum=MAX_PENCE) == -MAX_PENCE


@pytest.mark.parametrize("typed", ["١٢", "²", "1" * 1_000_000])
def test_percentages_in_other_digits_or_of_any_length_are_refused(typed):
    with pytest.raises(ValueError, match="Enter a percentage"):
        percent_to_bp(typed)
