"""CSV files for spreadsheets: one dialect, formula cells made harmless, numbers left numbers."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.domain.money import plain_pounds
from coop.domain.spreadsheets import (
    csv_line,
    csv_text,
    file_slug,
    protect_formula,
    unprotect_formula,
)


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1772", "'+44 1772"),
        ("-5 kg", "'-5 kg"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'=already protected", "''=already protected"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("-1e5", "'-1e5"),
        ("Rice = grain", "Rice = grain"),
        ("'quoted'", "'quoted'"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(typed, written):
    assert protect_formula(typed) == written


@pytest.mark.parametrize("number", ["-12.34", "-0.05", "-3", "12.34", "0"])
def test_plain_numbers_stay_numbers(number):
    assert protect_formula(number) == number


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_a_negative_amount_is_written_as_a_number(pence):
    (row,) = read(csv_line([plain_pounds(pence)]))

    assert row == [plain_pounds(pence)]


@given(st.text())
def test_reading_back_takes_off_what_protecting_put_on(text):
    assert unprotect_formula(protect_formula(text)) == text


def test_every_line_ends_in_crlf_and_awkward_cells_are_quoted():
    text = csv_text(["a", "b"], [["x,y", 'say "hi"'], ["two\nlines", "lone\rreturn"]])

    assert text == 'a,b\r\n"x,y","say ""hi"""\r\n"two\nlines","lone\rreturn"\r\n'


def test_whole_numbers_and_empty_cells_are_written_as_they_are():
    assert csv_line([-5, 0, None, "", 7]) == "-5,0,,,7\r\n"


def test_cells_of_other_types_are_written_as_protected_text():
    class Odd:
        def __str__(self) -> str:
            return "=HYPERLINK(1)"

    assert csv_line([Odd()]) == "'=HYPERLINK(1)\r\n"


def test_the_header_is_protected_too():
    assert csv_text(["=x", "name"], []) == "'=x,name\r\n"


@given(st.lists(st.lists(st.text() | st.integers(), min_size=1, max_size=4), max_size=5))
def test_a_written_file_reads_back_to_the_protected_cells(rows):
    text = csv_text(["one"], rows)

    assert read(text)[1:] == [
        [protect_formula(cell) if isinstance(cell, str) else str(cell) for cell in row]
        for row in rows
    ]


# --- file names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Northern Wholefoods", "northern-wholefoods"),
        ("Fresh & Co. Ltd", "fresh-co-ltd"),
        ("Crème Brûlée Bakery", "creme-brulee-bakery"),
        ("  --Weekly order #12--  ", "weekly-order-12"),
        ("★★★", ""),
    ],
)
def test_a_file_name_slug_keeps_ascii_letters_and_digits(text, slug):
    assert file_slug(text) == slug


def test_a_file_name_slug_is_cut_to_its_limit_without_a_trailing_hyphen():
    assert file_slug("abcd efgh", limit=5) == "abcd"
    assert len(file_slug("x" * 80)) == 50


@given(st.text())
def test_a_file_name_slug_is_safe_in_a_header(text):
    assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", file_slug(text, limit=60))
