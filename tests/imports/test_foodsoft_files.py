"""Foodsoft's article files import with the unit, case size and case price Foodsoft gives.

Each fixture under ``fixtures/`` is in a layout Foodsoft reads or writes.
The comment above each expectation works out what Foodsoft itself makes of
the row, from its code (foodcoops/foodsoft): Foodsoft 4 (`app/lib/
foodsoft_file.rb` before the unit model) keeps the price per unit and the
unit quantity as the case; Foodsoft 5 (`lib/foodsoft_file.rb`,
`Supplier#sync_from_file`, `PriceCalculation`) stores the price per
supplier order unit, price_file x the price units in one supplier order
unit, and members order group_order_granularity x group_order_unit. Coop's
member unit, case size and case price in pence must be the same article.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import count_rows

from coop.domain.catalogue_csv import PRODUCT_FIELDS, ProductRow
from coop.domain.catalogue_files import FOODSOFT, detect_format, parse_table, write_foodsoft
from coop.domain.catalogue_files.foodsoft import PROVIDED
from coop.domain.catalogue_files.tables import csv_table
from coop.extensions import db
from coop.models import Product
from coop.services.catalogue.import_results import RowsRefused
from coop.services.catalogue.imports import apply_import, preview_import

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, **options):
    table = csv_table((FIXTURES / name).read_text(encoding="utf-8"))
    assert detect_format(table) == FOODSOFT
    return parse_table(table, **options)


def articles(parsed) -> dict[str, tuple[str, int, int]]:
    """Each row as (member unit, case size, case price in pence), by code."""
    return {row.code: (row.unit_label, row.case_size, row.case_price_pence) for row in parsed.rows}


def by_code(parsed, code: str) -> ProductRow:
    return next(row for row in parsed.rows if row.code == code)


# --- Foodsoft's own example files -----------------------------------------------------


def test_foodsofts_example_layout_is_a_unit_price_and_a_case_of_the_first_ratio():
    parsed = read("foodsoft_spec_layout.csv", vat_map={6: 5})

    # No supplier order unit, group order unit or price unit: Foodsoft's own import
    # spec expects [unit, unit_quantity, price] == ['500 g', 20, 1.2] for Tomaten,
    # so 1.20 a 500 g unit and a case of 20: 20 x 1.20 = £24.00.
    # Hazelnuts "kg", no ratio: unit quantity 1, £7.15.
    # Sunflower seeds "250g", "12 Piece", 1.385: 12 x 1.385 = £16.62.
    # Pear juice "6x200ml", "4 Piece", 2.04: 4 x 2.04 = £8.16, deposit 0.60 a unit.
    assert articles(parsed) == {
        "177813": ("500 g", 20, 2400),
        "4410": ("kg", 1, 715),
        "5120": ("250g", 12, 1662),
        "2207": ("6x200ml", 4, 816),
    }
    assert parsed.errors == []
    tomatoes = by_code(parsed, "177813")
    assert (tomatoes.name, tomatoes.description, tomatoes.category) == (
        "Tomaten",
        "bio",
        "Vegetables",
    )
    assert (tomatoes.origin, tomatoes.manufacturer, tomatoes.vat_bp) == ("Best, NL", "De Kas", 500)
    assert by_code(parsed, "2207").deposit_pence == 60
    assert by_code(parsed, "2207").available is False
    assert parsed.notes[2].startswith("1.20 per 500 g x 20 = £24.00 a case")


def test_the_conversion_is_shown_and_a_fraction_of_a_penny_says_it_was_rounded():
    header = (FIXTURES / "foodsoft4_export.csv").read_text(encoding="utf-8").splitlines()[0]
    parsed = parse_table(csv_table(header + "\nYes;X1;Oat drink;;;;1 l;1.1234;0;0;6;;;Drinks\n"))

    # 6 x 1.1234 = 6.7404, rounded once, half up, to £6.74.
    assert articles(parsed) == {"X1": ("1 l", 6, 674)}
    assert parsed.notes == {2: "1.1234 per 1 l x 6 = £6.74 a case, rounded once to the penny"}


@pytest.mark.parametrize(
    ("price", "ratio", "message"),
    [
        ("\u0661.\u0662", "20 Piece", "The price '\u0661.\u0662' is not a number."),
        ("1.2", "٢٠ Piece", "The content '٢٠ Piece' is not a number and a unit."),
        ("1.2", "²0 Piece", "The content '²0 Piece' is not a number and a unit."),
    ],
)
def test_numbers_are_ascii_digits_only(price, ratio, message):
    header = (FIXTURES / "foodsoft_spec_layout.csv").read_text(encoding="utf-8").split("\n")[0]
    parsed = parse_table(
        csv_table(f"{header}\nYes;1;Tomatoes;;500 g;{ratio};;;1;;{price};;0;0;;;;\n")
    )

    assert [(error.line, error.message) for error in parsed.errors] == [(2, message)]


# --- Foodsoft 4 ----------------------------------------------------------------------


def test_a_foodsoft_4_export_is_price_per_unit_times_unit_quantity():
    parsed = read("foodsoft4_export.csv")

    # Foodsoft 4 keeps "Price (net)" and "Deposit" per unit and "Unit quantity" is
    # the case: RIC-1 10 x 2.35 = £23.50; OAT-2 6 x 1.12 = £6.72, 0.25 deposit a
    # unit; LEN-3 12 x 1.20 = £14.40; SOA-4 a case of one bar at £2.50, no deposit.
    assert articles(parsed) == {
        "RIC-1": ("1 kg", 10, 2350),
        "OAT-2": ("1 l", 6, 672),
        "LEN-3": ("500 g", 12, 1440),
        "SOA-4": ("bar", 1, 250),
    }
    oat = by_code(parsed, "OAT-2")
    assert (oat.vat_bp, oat.deposit_pence, oat.description, oat.manufacturer) == (
        2000,
        25,
        "unsweetened",
        "Oatly",
    )
    assert [row.available for row in parsed.rows] == [True, True, False, True]
    assert by_code(parsed, "SOA-4").deposit_pence == 0
    assert parsed.foreign_vat_rates == ()
    assert parsed.provided == frozenset(PROVIDED)


@pytest.mark.parametrize(
    ("name", "expected", "deposits", "foreign"),
    [
        # 10 x 1,89 = £18.90; 6 x 1,45 = £8.70 with 0,15 deposit a bottle.
        (
            "foodsoft4_german.csv",
            {"D-100": ("1 kg", 10, 1890), "D-200": ("0,7 l", 6, 870)},
            [0, 15],
            (7, 19),
        ),
        # 8 x 2.10 = £16.80; 12 x 0.95 = £11.40 with 0.10 deposit a litre.
        (
            "foodsoft4_dutch.csv",
            {"N-1": ("500 g", 8, 1680), "N-2": ("1 l", 12, 1140)},
            [0, 10],
            (9,),
        ),
    ],
)
def test_german_and_dutch_headers_read_by_position_with_ja_nein_and_nee(
    name, expected, deposits, foreign
):
    parsed = read(name)

    assert articles(parsed) == expected
    assert [row.available for row in parsed.rows] == [True, False]
    assert [row.deposit_pence for row in parsed.rows] == deposits
    assert parsed.foreign_vat_rates == foreign


def test_the_older_fixed_column_layout_reads_whatever_its_header_says():
    parsed = read("foodsoft_fixed_columns.csv", vat_map={9: 5})

    # Foodsoft 4 reads this by position; "x" in the status column is no longer listed.
    # 7701: 1 x 9.80; 7702: 15 x 1.45 = £21.75; 7703: 10 x 2.00 = £20.00.
    assert articles(parsed) == {
        "7701": ("kg", 1, 980),
        "7702": ("200 g", 15, 2175),
        "7703": ("250 g", 10, 2000),
    }
    assert [row.available for row in parsed.rows] == [True, True, False]
    assert by_code(parsed, "7701").manufacturer == "Het Notenhuis"
    assert by_code(parsed, "7701").category == "Noten"
    assert {row.vat_bp for row in parsed.rows} == {500}


# --- Foodsoft 5 ----------------------------------------------------------------------


def test_a_foodsoft_5_export_with_real_units_gives_foodsofts_member_unit_and_case():
    parsed = read("foodsoft5_export.csv", vat_map={7: 5, 19: 20})

    # RB-25: per kilogram, members order 500 gram: 1 kg holds 2 units, 1 x 3.20 = £3.20.
    # EG-10: a Box of "10 Piece", price 0.36 per Piece: Foodsoft stores 3.60 a Box;
    #   members order 1 Piece, so a case of 10 at £3.60.
    # JU-6: a Box of 6 Piece of 1 litre each (chained: 6 litres), 1.15 per litre:
    #   6 x 1.15 = £6.90 a Box; the 0.90 deposit a Box is 0.15 a bottle.
    # PO-25: a Sack of 25 kilogram at 0.87 per kilogram = £21.75; 500 gram a time:
    #   50 units a Sack.
    # HO-1: one Piece of 0.454 kilogram at 6.50 per Piece.
    assert articles(parsed) == {
        "RB-25": ("500 g", 2, 320),
        "EG-10": ("Piece", 10, 360),
        "JU-6": ("Piece", 6, 690),
        "PO-25": ("500 g", 50, 2175),
        "HO-1": ("Piece", 1, 650),
    }
    assert parsed.errors == []
    assert by_code(parsed, "JU-6").deposit_pence == 15
    assert by_code(parsed, "JU-6").vat_bp == 2000
    assert by_code(parsed, "RB-25").vat_bp == 500
    assert by_code(parsed, "HO-1").available is False
    assert by_code(parsed, "PO-25").description == "Maris Piper"


def test_a_minimum_order_quantity_and_billing_unit_are_listed_as_not_kept():
    parsed = read("foodsoft5_export.csv", vat_map={7: 5, 19: 20})

    assert "Minimum order quantity" in parsed.unkept
    assert "billed per (unit)" in parsed.unkept
    # The last column is headed with the exporting Foodsoft's address and holds its ids.
    assert "Foodsoft's article id" in parsed.unkept
    assert not any(column.startswith("https://") for column in parsed.unkept)


def test_a_german_foodsoft_5_export_reads_its_unit_names():
    parsed = read("foodsoft5_german.csv", vat_map={7: 5, 19: 20})

    # H-5: per Kilogramm, members order 250 Gramm: 4 units at £2.40.
    # W-12: a Kiste of 12 Stück of 0,75 Liter (9 litres) at 8,00 per Liter = £72.00,
    #   a case of 12 bottles; the 1,80 deposit a Kiste is 0.15 a bottle.
    assert articles(parsed) == {"H-5": ("250 g", 4, 240), "W-12": ("Stück", 12, 7200)}
    assert by_code(parsed, "W-12").deposit_pence == 15
    assert [row.available for row in parsed.rows] == [True, False]
    assert {row.vat_bp for row in parsed.rows} == {500, 2000}


def test_foreign_vat_rates_are_listed_once_and_mapped_by_the_vat_map():
    unmapped = read("foodsoft5_export.csv")

    assert unmapped.foreign_vat_rates == (7, 19)
    assert unmapped.errors == []
    assert by_code(unmapped, "JU-6").vat_bp == 0
    assert "VAT 19% is not a UK rate" in unmapped.notes[4]

    half = read("foodsoft5_export.csv", vat_map={7: 5})
    assert half.foreign_vat_rates == (19,)

    mapped = read("foodsoft5_export.csv", vat_map={7: 5, 19: 20})
    assert mapped.foreign_vat_rates == ()
    assert not any("VAT" in note for note in mapped.notes.values())


def test_a_unit_foodsoft_cannot_convert_refuses_its_row_with_the_reason():
    parsed = read("foodsoft5_unconvertible.csv")

    # Foodsoft raises UnsupportedUnitConversionError: a crate has no ratio to kilograms.
    assert [(error.line, error.message) for error in parsed.errors] == [
        (
            2,
            "The price is per kg, which cannot be converted to the supplier's unit (crate); "
            "give the content of one crate in kg.",
        )
    ]
    assert articles(parsed) == {"PE-1": ("500 g", 2, 240)}


def test_a_gallon_or_quart_converts_as_foodsoft_converts_it():
    header = (FIXTURES / "foodsoft5_unconvertible.csv").read_text(encoding="utf-8").split("\n")[0]
    parsed = parse_table(
        csv_table(
            header + "\n"
            "Yes;V-1;Vinegar;gallon (US);;;;;1;gallon (US);4.00;litre;0;0;;;;\n"
            "Yes;M-1;Milk;Crate;;4 quart (UK);;;1;quart (UK);1.00;pint (UK);0;0;;;;\n"
        )
    )

    # A US gallon is 3.785412 litres: 3.785412 x 4.00 = 15.141648, £15.14 a gallon.
    # A UK quart is 2 UK pints (Foodsoft converts through the quart ratio's base
    # unit): a crate of 4 quarts is 8 pints, 8 x 1.00 = £8.00, a case of 4 quarts.
    assert parsed.errors == []
    assert articles(parsed) == {"V-1": ("gal", 1, 1514), "M-1": ("qt", 4, 800)}


# --- Writing Foodsoft's layout --------------------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20).map(
    str.strip
)


@st.composite
def product_rows(draw) -> list[ProductRow]:
    count = draw(st.integers(min_value=1, max_value=4))
    codes = draw(
        st.lists(
            text.filter(bool).map(lambda value: value[:40]),
            min_size=count,
            max_size=count,
            unique_by=str.lower,
        )
    )
    return [
        ProductRow(
            line=0,
            code=code,
            name=draw(text.filter(bool)),
            description=draw(text),
            category=draw(text),
            unit_label=draw(text.filter(bool)),
            case_size=draw(st.integers(min_value=1, max_value=100_000)),
            case_price_pence=draw(st.integers(min_value=0, max_value=10**8)),
            vat_bp=draw(st.sampled_from((0, 500, 2000))),
            deposit_pence=draw(st.integers(min_value=0, max_value=10_000)),
            origin=draw(text),
            manufacturer=draw(text),
            available=draw(st.booleans()),
        )
        for code in codes
    ]


def carried(row: ProductRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in PRODUCT_FIELDS if name in PROVIDED}


@given(product_rows())
def test_an_export_in_foodsofts_layout_reads_back_unchanged(rows):
    parsed = parse_table(csv_table(write_foodsoft(rows)))

    assert parsed.errors == []
    assert parsed.foreign_vat_rates == ()
    assert [carried(row) for row in parsed.rows] == [carried(row) for row in rows]


@pytest.mark.parametrize(
    ("case_size", "case_pence"), [(100_000, 1), (99_999, 12_345), (3, 1000), (7, 1), (1, 99)]
)
def test_a_unit_price_that_is_not_whole_pence_still_reads_back_to_the_case_price(
    case_size, case_pence
):
    row = ProductRow(
        line=0,
        code="A",
        name="Rice",
        unit_label="each",
        case_size=case_size,
        case_price_pence=case_pence,
    )

    (again,) = parse_table(csv_table(write_foodsoft([row]))).rows

    assert (again.case_size, again.case_price_pence) == (case_size, case_pence)


# --- Through the import service -------------------------------------------------------


def preview(shop, name: str, **options):
    result = preview_import(
        supplier=shop.supplier,
        data=(FIXTURES / name).read_bytes(),
        filename=name,
        mark_missing_unavailable=False,
        uploaded_by=shop.coordinator,
        **options,
    )
    db.session.commit()
    return result


def test_a_foodsoft_5_export_imports_the_articles_foodsoft_gives(shop):
    seen = preview(shop, "foodsoft5_export.csv", vat_map={7: 5, 19: 20})
    apply_import(import_id=seen.import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.commit()

    juice = shop.product("JU-6")
    assert (juice.unit_label, juice.case_size, juice.case_price_pence) == ("Piece", 6, 690)
    assert (juice.deposit_pence, juice.vat_bp) == (15, 2000)
    assert count_rows(Product, Product.supplier_id == shop.supplier.id) == 5


def test_a_file_with_one_refused_row_writes_nothing(shop):
    seen = preview(shop, "foodsoft5_unconvertible.csv")

    assert [error.line for error in seen.errors] == [2]
    assert "cannot be converted to the supplier's unit (crate)" in seen.errors[0].message
    with pytest.raises(RowsRefused) as refused:
        apply_import(import_id=seen.import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.rollback()

    assert [error.line for error in refused.value.rows] == [2]
    assert count_rows(Product, Product.supplier_id == shop.supplier.id) == 0
