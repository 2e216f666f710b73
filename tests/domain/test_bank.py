"""Bank details are read strictly, and payment references catch the slips of typing them."""

from __future__ import annotations

import string

import pytest

from coop.domain.bank import (
    ACCOUNT_NUMBER_MESSAGE,
    BANK_REFERENCE_MAX_LENGTH,
    CHECK_MISMATCH,
    CONFUSABLE,
    ROLL_NUMBER_MESSAGE,
    SORT_CODE_MESSAGE,
    format_sort_code,
    parse_account_number,
    parse_roll_number,
    parse_sort_code,
    payment_reference,
    read_reference,
    reference_prefix,
    show_reference,
)

# --- sort codes, account numbers, roll numbers ------------------------------------------------


@pytest.mark.parametrize("typed", ["12-34-56", "12 34 56", "123456", " 123456 "])
def test_a_sort_code_is_read_with_hyphens_spaces_or_neither(typed):
    assert parse_sort_code(typed) == "123456"
    assert format_sort_code(parse_sort_code(typed)) == "12-34-56"


@pytest.mark.parametrize(
    "typed",
    ["12345", "1234567", "12-34 56", "12--34-56", "12/34/56", "ab-cd-ef", "١٢٣٤٥٦", "", "12-3456"],
)
def test_anything_else_is_no_sort_code(typed):
    with pytest.raises(ValueError, match=SORT_CODE_MESSAGE):
        parse_sort_code(typed)


@pytest.mark.parametrize("typed", ["12345678", "1234 5678", " 12345678 "])
def test_an_account_number_is_eight_digits(typed):
    assert parse_account_number(typed) == "12345678"


@pytest.mark.parametrize(
    "typed",
    ["1234567", "123456789", "1234567a", "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", ""],
)
def test_anything_else_is_no_account_number(typed):
    with pytest.raises(ValueError, match=ACCOUNT_NUMBER_MESSAGE):
        parse_account_number(typed)


def test_a_roll_number_is_optional_and_kept_as_the_building_society_writes_it():
    assert parse_roll_number("") == ""
    assert parse_roll_number("  1234/5678.90 ") == "1234/5678.90"
    assert parse_roll_number("A/C  12-34") == "A/C 12-34"
    for typed in ["x" * 19, "12<script>", "-1234", "1234\u00a0£"]:
        with pytest.raises(ValueError, match="roll number"):
            parse_roll_number(typed)
    assert "18 characters" in ROLL_NUMBER_MESSAGE


# --- payment references ----------------------------------------------------------------------


def test_a_co_op_s_short_code_is_the_first_four_letters_of_its_address():
    assert reference_prefix("fishwick") == "FISH"
    assert reference_prefix("co-op-a") == "COOP"
    assert reference_prefix("ab") == "AB"
    assert reference_prefix("42-1") == "CO"


def test_a_reference_is_short_letters_and_digits_and_shown_with_hyphens():
    reference = payment_reference(prefix="FISH", number=42)

    assert reference.isascii() and reference.isalnum() and reference == reference.upper()
    assert reference.startswith("FISH0042")
    assert len(reference) == 9
    assert show_reference(reference) == f"FISH-0042-{reference[-1]}"
    assert len(payment_reference(prefix="FISH", number=2**31 - 1)) <= BANK_REFERENCE_MAX_LENGTH


def test_references_of_different_households_differ():
    references = {payment_reference(prefix="FISH", number=n) for n in range(1, 3000)}
    assert len(references) == 2999


@pytest.mark.parametrize(
    "typed",
    ["{shown}", "{bare}", "{bare_lower}", " {spaced} ", "{shown_lower}", "{dotted}"],
)
def test_a_reference_is_read_in_any_case_with_or_without_spaces_and_hyphens(typed):
    reference = payment_reference(prefix="FISH", number=42)
    shown = show_reference(reference)
    text = typed.format(
        shown=shown,
        bare=reference,
        bare_lower=reference.lower(),
        spaced=shown.replace("-", " "),
        shown_lower=shown.lower(),
        dotted=shown.replace("-", "."),
    )

    read = read_reference(text, prefix="FISH")

    assert (read.number, read.reference) == (42, reference)


PREFIXES = ("FISH", "RIB", "CO", "Z")


def _all_references() -> list[tuple[str, str]]:
    return [
        (prefix, payment_reference(prefix=prefix, number=number))
        for prefix in PREFIXES
        for number in (*range(1, 120), 4_242, 99_999, 1_234_567, 2**31 - 1)
    ]


def _refused(text: str, prefix: str) -> bool:
    try:
        read_reference(text, prefix=prefix)
    except ValueError:
        return True
    return False


def test_the_check_character_catches_every_one_character_typo():
    for prefix, reference in _all_references():
        for position, original in enumerate(reference):
            for typo in string.ascii_uppercase + string.digits:
                # An O typed for a 0 (or I for 1...) after the short code is read as the digit.
                if typo == original or (
                    position >= len(prefix) and typo.translate(CONFUSABLE) == original
                ):
                    continue
                typed = reference[:position] + typo + reference[position + 1 :]
                assert _refused(typed, prefix), f"{typed} (for {reference}) was accepted"


def test_the_check_character_catches_every_swap_of_two_neighbours():
    for prefix, reference in _all_references():
        for position in range(len(reference) - 1):
            a, b = reference[position], reference[position + 1]
            if a == b:
                continue
            typed = reference[:position] + b + a + reference[position + 2 :]
            assert _refused(typed, prefix), f"{typed} (for {reference}) was accepted"


def test_a_digit_too_many_or_too_few_is_caught():
    reference = payment_reference(prefix="FISH", number=42)
    with pytest.raises(ValueError, match=CHECK_MISMATCH):
        read_reference("FISH0" + reference[4:], prefix="FISH")
    with pytest.raises(ValueError, match="not a payment reference"):
        read_reference("FISH042" + reference[-1], prefix="FISH")


def test_letters_that_look_like_digits_are_read_as_the_digits():
    reference = payment_reference(prefix="FISH", number=1050)
    typed = "fish-1o5o-" + reference[-1]

    assert read_reference(typed, prefix="FISH").number == 1050


def test_another_co_op_s_reference_is_refused_saying_whose_references_these_are():
    reference = payment_reference(prefix="RIBB", number=42)
    with pytest.raises(ValueError, match="they start with FISH, like FISH-0042-"):
        read_reference(reference, prefix="FISH")


@pytest.mark.parametrize(
    "typed", ["", "FISH", "0042", "FISH-42", "FISH-0042-K-1", "FI$H00427", "\uff26ISH00427"]
)
def test_what_is_not_shaped_like_a_reference_is_refused_with_an_example(typed):
    with pytest.raises(ValueError, match=r"payment reference.*FISH-0042-"):
        read_reference(typed, prefix="FISH")
