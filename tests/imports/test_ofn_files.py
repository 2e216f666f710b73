"""Open Food Network's product import imports one variant as one product, sold on its own.

The fixture is in OFN's product list template layout (``producer,sku,name,
display_name,category,description,units,unit_type,variant_unit_name,price,
on_hand,available_on,on_demand,shipping_category,tax_category``): OFN has
no cases, so each variant is a case of one at its own price.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import count_rows

from coop.domain.catalogue_files import OFN, detect_format, parse_table
from coop.domain.catalogue_files.tables import csv_table
from coop.extensions import db
from coop.models import Product
from coop.services.catalogue.import_results import RowsRefused
from coop.services.catalogue.imports import apply_import, preview_import
from coop.services.catalogue.spreadsheets import read_upload
from imports.fixtures.sheets import xlsx

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = (FIXTURES / "ofn_products.csv").read_text(encoding="utf-8")
HEADER = TEMPLATE.splitlines()[0]


def read(text: str):
    table = csv_table(text)
    assert detect_format(table) == OFN
    return parse_table(table)


def test_each_variant_is_a_case_of_one_at_its_price_with_units_and_unit_type():
    parsed = read(TEMPLATE)

    assert [
        (row.code, row.name, row.unit_label, row.case_size, row.case_price_pence)
        for row in parsed.rows
    ] == [
        ("HF-POT", "Potatoes", "2.5 kg", 1, 340),
        ("HF-HON", "Honey - Wildflower", "340 g", 1, 513),
        ("Kale 1 bunch", "Kale", "1 bunch", 1, 150),
        ("HF-MLK", "Milk", "1 l", 1, 110),
    ]
    assert parsed.errors == []
    potatoes = parsed.rows[0]
    assert (potatoes.manufacturer, potatoes.category, potatoes.description) == (
        "Hill Farm",
        "Vegetables",
        "Maris Piper",
    )
    assert potatoes.vat_bp == 0


def test_a_variant_is_available_on_demand_or_with_stock():
    parsed = read(TEMPLATE)

    # Potatoes 12 on hand; honey none but on demand; kale none; milk's stock not given.
    assert [row.available for row in parsed.rows] == [True, True, False, True]


def test_a_price_with_a_fraction_of_a_penny_is_rounded_and_says_so():
    parsed = read(TEMPLATE)

    assert parsed.notes == {3: "price 5.125 rounded to £5.13"}


def test_columns_coop_does_not_keep_are_listed():
    assert read(TEMPLATE).unkept == ("available_on", "shipping_category", "tax_category")


def test_a_european_spreadsheets_decimal_comma_is_pence_not_pounds():
    parsed = read(HEADER.replace(",", ";") + "\nHill Farm;HF-EGG;Eggs;;Eggs;;6;;eggs;3,40;5;;;;\n")

    assert [(row.unit_label, row.case_price_pence) for row in parsed.rows] == [("6 eggs", 340)]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("1,,bunch,١٢,,,,,", "The price '١٢' is not an amount of money."),
        ("1,,bunch,-1,,,,,", "The price '-1' is not an amount of money."),
        ("1,,bunch,,,,,,", "The price is missing."),
        ("0,kg,,1.00,,,,,", "Units '0' is not a number above 0."),
        (
            "1,crate,,1.00,,,,,",
            "Unit_type 'crate' is not one of OFN's units (mg, g, kg, oz, lb, t, ml, cl, dl, l, "
            "kl, gal).",
        ),
        ("1,,,1.00,,,,,", "The row needs a unit_type or a variant_unit_name."),
        ("1,,bunch,1.00,some,,,,", "On_hand 'some' is not a number."),
    ],
)
def test_each_bad_cell_refuses_its_row_with_the_reason(cells, message):
    parsed = read(f"{HEADER}\nHill Farm,HF-X,Chard,,Veg,,{cells}\n")

    assert [(error.line, error.message) for error in parsed.errors] == [(2, message)]
    assert parsed.rows == []


def test_an_ofn_workbook_reads_as_the_csv_does():
    rows = [line.split(",") for line in TEMPLATE.splitlines()]

    from_csv = read(TEMPLATE)
    from_xlsx = parse_table(read_upload(xlsx(rows)))

    assert from_xlsx.rows == from_csv.rows


def test_an_ofn_file_with_a_refused_row_imports_nothing(shop):
    data = (TEMPLATE + "Hill Farm,HF-BAD,Beets,,Veg,,1,kg,,abc,,,,Default,\n").encode()
    seen = preview_import(
        supplier=shop.supplier,
        data=data,
        filename="products.csv",
        mark_missing_unavailable=False,
        uploaded_by=shop.coordinator,
    )
    db.session.commit()

    assert [(error.line, error.message) for error in seen.errors] == [
        (6, "The price 'abc' is not an amount of money.")
    ]
    assert len(seen.additions) == 4
    with pytest.raises(RowsRefused):
        apply_import(import_id=seen.import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.rollback()
    assert count_rows(Product, Product.supplier_id == shop.supplier.id) == 0
