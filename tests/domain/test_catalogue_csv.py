"""Reading and writing catalogue CSV: both formats, every message, and the round trip."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.domain.catalogue import VAT_RATES_BP
from coop.domain.catalogue_csv import (
    COLUMNS,
    MAX_CASE_SIZE,
    MAX_PENCE,
    OWN,
    PRODUCT_FIELDS,
    FileProblem,
    ProductRow,
    RowError,
    decode,
    describe_errors,
    parse_catalogue,
    write_catalogue,
)
from coop.domain.money import plain_pounds

FULL_HEADER = ",".join(COLUMNS)


def own(*rows: str, header: str = FULL_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def own_row(**cells: str) -> str:
    """A row of the full own format: a good product unless *cells* say otherwise."""
    values = {"code": "R1", "name": "Rice", "case_price": "9.45", **cells}
    return ",".join(values.get(column, "") for column in COLUMNS)


def only_error(text: str) -> str:
    parsed = parse_catalogue(text)
    assert parsed.rows == []
    assert len(parsed.errors) == 1, parsed.errors
    return parsed.errors[0].message


# --- the format ------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_the_own_format_reads_with_either_delimiter(delimiter):
    text = "\n".join(
        [
            "code,name,tags,unit,case_size,case_price,vat_rate,reference_price,"
            "reference_price_date,reference_price_source,available",
            "R1,Basmati rice,vegan|Gluten free,1 kg bag,5,£9.45,20%,2.75,2026-03-02,Tesco,no",
        ]
    ).replace(",", delimiter)

    parsed = parse_catalogue(text)

    assert parsed.format == OWN
    assert parsed.rows == [
        ProductRow(
            line=2,
            code="R1",
            name="Basmati rice",
            tag_bits=1 | 16,
            unit_label="1 kg bag",
            case_size=5,
            case_price_pence=945,
            vat_bp=2000,
            reference_price_pence=275,
            reference_price_date=date(2026, 3, 2),
            reference_price_source="Tesco",
            available=False,
        )
    ]


def test_columns_may_come_in_any_order_and_in_any_case_and_unknown_ones_are_ignored():
    parsed = parse_catalogue("Case_Price,Shelf,NAME,Code\n1.00,top,Rice,R1\n")

    assert parsed.rows == [ProductRow(line=2, code="R1", name="Rice", case_price_pence=100)]
    assert parsed.provided == {"code", "name", "case_price_pence"}


def test_blank_cells_take_the_defaults():
    (row,) = parse_catalogue(own(own_row())).rows

    assert (row.unit_label, row.case_size, row.vat_bp, row.deposit_pence) == ("each", 1, 0, 0)
    assert row.available and row.reference_price_pence is None
    assert parse_catalogue(own(own_row())).provided == set(PRODUCT_FIELDS)


def test_a_byte_order_mark_is_no_part_of_the_first_column():
    parsed = parse_catalogue(decode(("\ufeff" + own(own_row())).encode("utf-8")))

    assert parsed.rows[0].code == "R1"


def test_rows_are_named_by_the_line_they_start_on():
    text = own(
        own_row(code="A", description='"Two\nlines"'),
        "",
        own_row(code="B", name=""),
        own_row(code="C"),
    )

    parsed = parse_catalogue(text)

    assert [row.line for row in parsed.rows] == [2, 6]
    assert parsed.errors == [RowError(5, "The name is missing.")]


def test_blank_rows_are_skipped():
    parsed = parse_catalogue(own(own_row(), ",,,", own_row(code="R2")))

    assert [row.code for row in parsed.rows] == ["R1", "R2"]


def test_errors_are_described_in_line_order():
    errors = [RowError(9, "The name is missing."), RowError(3, "The code is missing.")]

    assert describe_errors(errors) == [
        "Line 3: The code is missing.",
        "Line 9: The name is missing.",
    ]


# --- every message --------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"name": ""}, "The name is missing."),
        ({"code": ""}, "The code is missing."),
        ({"code": "X" * 41}, "The code is longer than 40 characters."),
        ({"name": "X" * 201}, "The name is longer than 200 characters."),
        ({"case_price": ""}, "The case price is missing."),
        ({"case_price": "abc"}, "The case price 'abc' is not a number."),
        ({"case_price": "1.234"}, "The case price '1.234' is not a number."),
        ({"case_price": "-1.00"}, "The case price cannot be negative."),
        ({"case_price": "1000000.01"}, "The case price '1000000.01' is more than £1,000,000."),
        ({"deposit": "ten"}, "The deposit 'ten' is not a number."),
        ({"deposit": "-0.10"}, "The deposit cannot be negative."),
        ({"reference_price": "-2"}, "The reference price cannot be negative."),
        ({"vat_rate": "7"}, "The VAT rate '7' is not a UK rate (0, 5 or 20%)."),
        ({"vat_rate": "standard"}, "The VAT rate 'standard' is not a UK rate (0, 5 or 20%)."),
        ({"case_size": "0"}, "The case size must be at least 1."),
        ({"case_size": "2.5"}, "The case size '2.5' is not a whole number."),
        ({"case_size": "-3"}, "The case size '-3' is not a whole number."),
        ({"case_size": "100001"}, "The case size '100001' is more than 100,000."),
        ({"available": "maybe"}, "Available must be yes or no, not 'maybe'."),
        (
            {"tags": "vegan|spicy"},
            "Unknown tag 'spicy'; use vegan, vegetarian, halal, kosher, "
            "gluten-free, organic, fairtrade, local.",
        ),
        (
            {"reference_price_date": "02/03/2026"},
            "The date '02/03/2026' is not a date like 2026-03-31.",
        ),
        ({"category": "X" * 81}, "Category is longer than 80 characters."),
        ({"unit": "X" * 61}, "Unit is longer than 60 characters."),
        ({"origin": "X" * 81}, "Origin is longer than 80 characters."),
        ({"manufacturer": "X" * 121}, "Manufacturer is longer than 120 characters."),
        (
            {"reference_price_source": "X" * 201},
            "Reference_price_source is longer than 200 characters.",
        ),
        ({"description": "X" * 2001}, "Description is longer than 2000 characters."),
    ],
)
def test_each_bad_cell_of_the_own_format_is_named(cells, message):
    assert only_error(own(own_row(**cells))) == message


def test_every_problem_of_a_row_is_given_together():
    message = only_error(own(own_row(name="", case_price="abc", vat_rate="7")))

    assert message == (
        "The name is missing; the case price 'abc' is not a number; "
        "the VAT rate '7' is not a UK rate (0, 5 or 20%)."
    )


def test_a_code_used_twice_is_named_with_its_first_line_whatever_its_case():
    parsed = parse_catalogue(own(own_row(code="r1"), own_row(code="R2"), own_row(code="R1")))

    assert [row.code for row in parsed.rows] == ["r1", "R2"]
    assert parsed.errors == [RowError(4, "The code 'R1' is already used on line 2.")]


def test_the_limits_are_accepted_and_one_more_is_not():
    (row,) = parse_catalogue(
        own(own_row(case_size=str(MAX_CASE_SIZE), case_price=plain_pounds(MAX_PENCE)))
    ).rows

    assert (row.case_size, row.case_price_pence) == (MAX_CASE_SIZE, MAX_PENCE)


# --- files that cannot be read ----------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(FileProblem) as caught:
        decode("code,name,case_price\nR1,Café,1\n".encode("latin-1"))

    assert str(caught.value) == (
        "The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8' and try again."
    )


@pytest.mark.parametrize("text", ["", "\n\nR1,Rice", "\ufeff", "   \n"])
def test_an_empty_file_is_refused(text):
    with pytest.raises(FileProblem) as caught:
        parse_catalogue(text)

    assert str(caught.value) == (
        "The file is empty: it needs a header row and one row per product."
    )


def test_a_header_without_a_required_column_names_it():
    with pytest.raises(FileProblem) as caught:
        parse_catalogue("code,name,price\nR1,Rice,1\n")

    assert str(caught.value) == (
        "The header row lacks the column case_price. The first row must name the columns: "
        + ",".join(COLUMNS)
        + "."
    )


def test_a_header_without_several_required_columns_names_them_all():
    with pytest.raises(FileProblem) as caught:
        parse_catalogue("sku;title\nR1;Rice\n")

    assert str(caught.value).startswith("The header row lacks the columns code, name, case_price.")


def test_a_line_the_csv_reader_cannot_read_is_named():
    with pytest.raises(FileProblem) as caught:
        parse_catalogue(own(own_row(), own_row(code="R2", description="x" * 200_000)))

    assert str(caught.value).startswith("Line 3 cannot be read as CSV: field larger than")


# --- writing ---------------------------------------------------------------------


def test_a_written_file_has_the_header_and_money_in_pounds():
    text = write_catalogue(
        [
            ProductRow(
                line=0,
                code="R1",
                name="Rice, basmati",
                tag_bits=1 | 32,
                case_price_pence=945,
                vat_bp=500,
                deposit_pence=5,
            )
        ]
    )

    assert text == (
        FULL_HEADER + "\r\n" + 'R1,"Rice, basmati",,,vegan|organic,each,1,9.45,5,0.05,,,,,,yes\r\n'
    )


#: Starts a spreadsheet would take for a formula, and apostrophes a file might put before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'", "'=", "''+", "'\t", "=-@")


def clean_text(max_size: int, *, min_size: int = 0, newlines: bool = False):
    alphabet = st.characters(
        exclude_categories=("Cs", "Cc"), include_characters="\r\n" if newlines else ""
    )
    text = st.text(alphabet, max_size=max_size).map(str.strip)
    # Often begin like a formula; a file trims the ends of a cell, so text ends without spaces.
    starts = st.sampled_from(("",) * 4 + FORMULA_STARTS)
    return (
        st.tuples(starts, text)
        .map("".join)
        .filter(lambda value: min_size <= len(value) <= max_size and value == value.rstrip())
    )


money = st.integers(min_value=0, max_value=MAX_PENCE)
product_rows = st.builds(
    ProductRow,
    line=st.just(0),
    code=clean_text(40, min_size=1),
    name=clean_text(200, min_size=1),
    description=clean_text(300, newlines=True),
    category=clean_text(80),
    tag_bits=st.integers(min_value=0, max_value=255),
    unit_label=clean_text(60, min_size=1),
    case_size=st.integers(min_value=1, max_value=MAX_CASE_SIZE),
    case_price_pence=money,
    vat_bp=st.sampled_from(VAT_RATES_BP),
    deposit_pence=money,
    origin=clean_text(80),
    manufacturer=clean_text(120),
    reference_price_pence=st.none() | money,
    reference_price_date=st.none() | st.dates(),
    reference_price_source=clean_text(200),
    available=st.booleans(),
)


def line_breaks(value: str) -> int:
    """Count the line breaks the CSV reader counts: \\n, \\r and \\r\\n."""
    return value.count("\n") + value.count("\r") - value.count("\r\n")


def numbered(rows: list[ProductRow]) -> list[ProductRow]:
    """Give each row the line of the written file it starts on."""
    line, result = 2, []
    for row in rows:
        result.append(ProductRow(**{**row.values(), "line": line}))
        line += 1 + sum(line_breaks(str(value)) for value in row.values().values())
    return result


@settings(max_examples=150, deadline=None)
@given(st.lists(product_rows, max_size=8, unique_by=lambda row: row.code.lower()))
def test_reading_back_a_written_catalogue_gives_the_same_rows(rows):
    rows = numbered(rows)

    parsed = parse_catalogue(write_catalogue(rows))

    assert parsed.errors == []
    assert parsed.rows == rows


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK(""http://x"")'),
        ("+44 1772", "'+44 1772"),
        ("-5 kg", "'-5 kg"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'=already protected", "''=already protected"),
        ("Rice = grain", "Rice = grain"),
        ("'quoted'", "'quoted'"),
    ],
)
def test_text_a_spreadsheet_would_run_is_written_after_an_apostrophe(typed, written):
    row = ProductRow(
        line=2,
        code=typed,
        name=typed,
        description=typed,
        category=typed,
        unit_label=typed,
        case_price_pence=100,
        origin=typed,
        manufacturer=typed,
        reference_price_source=typed,
    )

    text = write_catalogue([row])

    cells = text.splitlines()[1].split(",")
    for column in ("code", "name", "description", "category", "unit", "origin", "manufacturer"):
        assert cells[COLUMNS.index(column)] in (written, f'"{written}"')
    assert parse_catalogue(text).rows == [row]


def test_reading_takes_one_apostrophe_off_text_that_starts_like_a_formula():
    (row,) = parse_catalogue(
        own(own_row(code="'-R1", name="'=Rice", category="'Dry goods", origin="''+India"))
    ).rows

    assert (row.code, row.name, row.category, row.origin) == (
        "-R1",
        "=Rice",
        "'Dry goods",
        "'+India",
    )
