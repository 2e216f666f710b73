"""Catalogue rules: member prices, VAT and percentages, tags and order days."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.domain.catalogue import (
    ALL_TAG_BITS,
    VAT_RATES_BP,
    ProductDetails,
    Tag,
    bits_to_days,
    bits_to_tags,
    bp_to_percent,
    changed_price,
    days_to_bits,
    line_pence,
    member_price_pence,
    member_unit_price,
    member_unit_price_pence,
    percent_to_bp,
    prices_fingerprint,
    signed_percent,
    tags_to_bits,
    vat_label,
)

# --- member prices -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_price_pence", "case_size", "vat_bp", "markup_bp", "exact", "shown"),
    [
        # 1200 / 6 = 200p, plus 20% VAT = 240p, plus 2.5% markup = 246p.
        (1200, 6, 2000, 250, Fraction(246), 246),
        # 1000 / 3 x 1.05 x 1.025 = 358.75p exactly: never truncated, shown as 359p.
        (1000, 3, 500, 250, Fraction(1435, 4), 359),
        # 100 / 3 = 33.33p, no VAT or markup: shown as 33p.
        (100, 3, 0, 0, Fraction(100, 3), 33),
        # A markup with two decimals: 1000 x 1.0125 = 1012.5p, shown as 1013p (half up).
        (1000, 1, 0, 125, Fraction(2025, 2), 1013),
        (0, 12, 2000, 1000, Fraction(0), 0),
    ],
)
def test_the_member_price_of_a_unit_is_exact(
    case_price_pence, case_size, vat_bp, markup_bp, exact, shown
):
    prices = {
        "case_price_pence": case_price_pence,
        "case_size": case_size,
        "vat_bp": vat_bp,
        "markup_bp": markup_bp,
    }

    assert member_unit_price(**prices) == exact
    assert member_unit_price_pence(**prices) == shown


def test_nine_at_a_price_each_of_58p_cost_522p_though_the_exact_price_is_57_56p():
    rice = {"case_price_pence": 1439, "case_size": 25, "vat_bp": 0, "markup_bp": 0}

    assert member_unit_price(**rice) == Fraction(5756, 100)
    assert member_unit_price_pence(**rice) == 58
    assert line_pence(**rice, units=9) == 522


def test_a_products_member_price_comes_from_its_case_price_size_and_vat():
    product = ProductDetails(
        code="R1", name="Rice", case_price_pence=1200, case_size=6, vat_bp=2000
    )

    assert member_price_pence(product, markup_bp=250) == 246


def test_the_markup_defaults_to_none():
    assert member_unit_price(case_price_pence=600, case_size=6, vat_bp=0) == 100


@pytest.mark.parametrize(
    "prices",
    [
        {"case_price_pence": 100, "case_size": 0, "vat_bp": 0},
        {"case_price_pence": -1, "case_size": 1, "vat_bp": 0},
        {"case_price_pence": 100, "case_size": 1, "vat_bp": -500},
        {"case_price_pence": 100, "case_size": 1, "vat_bp": 0, "markup_bp": -1},
    ],
)
def test_impossible_prices_are_refused(prices):
    with pytest.raises(ValueError):
        member_unit_price(**prices)


@given(
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=1, max_value=1000),
    st.sampled_from(VAT_RATES_BP),
    st.integers(min_value=0, max_value=10_000),
)
def test_a_whole_case_at_member_prices_is_the_case_price_with_vat_and_markup(
    case_price_pence, case_size, vat_bp, markup_bp
):
    unit = member_unit_price(
        case_price_pence=case_price_pence, case_size=case_size, vat_bp=vat_bp, markup_bp=markup_bp
    )

    assert unit * case_size == (
        case_price_pence * Fraction(10_000 + vat_bp, 10_000) * Fraction(10_000 + markup_bp, 10_000)
    )
    shown = member_unit_price_pence(
        case_price_pence=case_price_pence, case_size=case_size, vat_bp=vat_bp, markup_bp=markup_bp
    )
    assert abs(shown - unit) <= Fraction(1, 2)


# --- VAT and percentages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("bp", "label"), [(0, "0%"), (500, "5%"), (2000, "20%"), (1750, "17.5%"), (250, "2.5%")]
)
def test_vat_labels(bp, label):
    assert vat_label(bp) == label


@pytest.mark.parametrize(
    ("typed", "bp"),
    [("2.5", 250), ("20", 2000), ("20%", 2000), (" 2.55 % ", 255), ("0", 0), ("100", 10000)],
)
def test_percentages_people_type_are_read_as_basis_points(typed, bp):
    assert percent_to_bp(typed) == bp


@pytest.mark.parametrize("typed", ["2.555", "abc", "", "-1", "2,5", "%"])
def test_bad_percentages_are_refused(typed):
    with pytest.raises(ValueError, match="at most two decimals"):
        percent_to_bp(typed)


@given(st.integers(min_value=0, max_value=10**6))
def test_a_percentage_shown_reads_back_as_the_same_basis_points(bp):
    assert percent_to_bp(bp_to_percent(bp)) == bp


@pytest.mark.parametrize(("bp", "shown"), [(250, "2.5"), (2000, "20"), (5, "0.05"), (0, "0")])
def test_basis_points_are_shown_without_trailing_zeros(bp, shown):
    assert bp_to_percent(bp) == shown


# --- tags ----------------------------------------------------------------------------------


@given(st.sets(st.sampled_from(list(Tag))))
def test_tags_survive_packing_into_bits(tags):
    assert set(bits_to_tags(tags_to_bits(tags))) == tags


@given(st.integers(min_value=0, max_value=ALL_TAG_BITS))
def test_bits_survive_unpacking_into_tags(bits):
    assert tags_to_bits(bits_to_tags(bits)) == bits


def test_each_tag_has_its_own_bit():
    assert sorted(tag.bit for tag in Tag) == [1 << n for n in range(len(Tag))]
    assert ALL_TAG_BITS == 255


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("vegan", Tag.VEGAN),
        ("Gluten free", Tag.GLUTEN_FREE),
        ("gluten-free", Tag.GLUTEN_FREE),
        ("GLUTEN_FREE", Tag.GLUTEN_FREE),
        (" Fairtrade ", Tag.FAIRTRADE),
    ],
)
def test_tags_are_found_by_slug_or_label(text, tag):
    assert Tag.from_text(text) is tag


def test_an_unknown_tag_names_the_known_ones():
    with pytest.raises(ValueError, match="Unknown tag 'spicy'; use vegan, vegetarian"):
        Tag.from_text("spicy")


# --- order days ------------------------------------------------------------------------------


@given(st.sets(st.integers(min_value=0, max_value=6)))
def test_order_days_survive_packing_into_bits(days):
    assert bits_to_days(days_to_bits(days)) == sorted(days)


@given(st.integers(min_value=0, max_value=127))
def test_day_bits_survive_unpacking(bits):
    assert days_to_bits(bits_to_days(bits)) == bits


def test_monday_is_the_lowest_bit_and_sunday_the_highest():
    assert days_to_bits([0]) == 1
    assert days_to_bits([6]) == 64


@pytest.mark.parametrize("day", [-1, 7])
def test_a_day_outside_the_week_is_refused(day):
    with pytest.raises(ValueError, match="a number from 0"):
        days_to_bits([day])


# --- what a line costs, and moving prices in bulk ----------------------------------------

prices = st.fixed_dictionaries(
    {
        "case_price_pence": st.integers(0, 100_000),
        "case_size": st.integers(1, 100),
        "vat_bp": st.sampled_from(VAT_RATES_BP),
        "markup_bp": st.integers(0, 5_000),
    }
)


@given(price=prices, units=st.integers(0, 500))
def test_a_line_is_its_units_times_the_price_each(price, units):
    exact = member_unit_price(**price) * units
    line = line_pence(**price, units=units)
    assert line == units * member_unit_price_pence(**price)
    assert abs(line - exact) <= Fraction(units, 2)
    assert line_pence(**price, units=0) == 0


@given(price=prices, first=st.integers(0, 200), second=st.integers(0, 200))
def test_more_units_never_cost_less_and_two_lines_differ_from_one_by_a_penny_at_most(
    price, first, second
):
    together = line_pence(**price, units=first + second)
    apart = line_pence(**price, units=first) + line_pence(**price, units=second)
    assert line_pence(**price, units=first) <= line_pence(**price, units=first + 1)
    assert abs(together - apart) <= 1


@given(pence=st.integers(0, 10_000_000), change_bp=st.integers(-10_000, 10_000))
def test_a_bulk_change_moves_a_price_by_its_percentage_rounded_half_up(pence, change_bp):
    moved = changed_price(pence, change_bp)
    exact = Fraction(pence * (10_000 + change_bp), 10_000)
    assert exact - Fraction(1, 2) < moved <= exact + Fraction(1, 2)
    assert changed_price(pence, 0) == pence
    assert changed_price(pence, -10_000) == 0
    assert changed_price(pence, change_bp) <= changed_price(pence, min(change_bp + 1, 10_000))


@pytest.mark.parametrize(("bp", "shown"), [(1000, "+10%"), (-250, "-2.5%"), (0, "0%")])
def test_a_change_is_shown_with_its_sign(bp, shown):
    assert signed_percent(bp) == shown


@given(prices=st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 100_000)), min_size=1))
def test_a_price_fingerprint_ignores_order_but_not_a_moved_price(prices):
    assert prices_fingerprint(prices) == prices_fingerprint(list(reversed(prices)))
    (product, pence), *rest = prices
    assert prices_fingerprint([(product, pence + 1), *rest]) != prices_fingerprint(prices)
