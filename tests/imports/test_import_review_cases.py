"""Price lists as co-ops really have them: what spreadsheets and Foodsoft leave in a file.

A workbook LibreOffice saved with an extent of rows only, a Foodsoft file
with a heading or total row, prices written with a no-break space before
the euro sign, a wholesaler's decimal commas to three places, and a heading
wrapped onto two lines in its cell.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from decimal import Decimal

import pytest
from support import count_rows, text

from coop.domain.catalogue_files import parse_table
from coop.domain.catalogue_files.mapped import ColumnMapping
from coop.domain.catalogue_files.tables import csv_table
from coop.extensions import db
from coop.models import Product, Supplier
from coop.services.catalogue.imports import apply_import, preview_import
from imports.fixtures.sheets import xlsx
from imports.support import upload

F4_HEADER = (
    "avail.;Order number;Name;Note;Manufacturer;Origin;Unit;Price (net);VAT;Deposit;"
    "Unit quantity;;;Category"
)
F5_HEADER = (
    "avail.;Order number;Name;orderable from supplier per (unit);Custom unit;Content;"
    "Minimum order quantity;billed per (unit);members can order per (amount);"
    "members can order per (unit);Price (net);per (price unit);VAT;Deposit;Note;Category;"
    "Origin;Manufacturer"
)


def _rows_only_extent(data: bytes) -> bytes:
    """The workbook as LibreOffice Calc has saved it: ``<dimension ref="1:5"/>``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as patched:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content, count = re.subn(
                    rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="1:3"/>', content
                )
                if count == 0:
                    content = content.replace(b"<sheetData", b'<dimension ref="1:3"/><sheetData', 1)
            patched.writestr(info, content)
    return out.getvalue()


def _preview(shop, data: bytes, filename: str, **options):
    result = preview_import(
        supplier=shop.supplier,
        data=data,
        filename=filename,
        mark_missing_unavailable=False,
        uploaded_by=shop.coordinator,
        **options,
    )
    db.session.commit()
    return result


def test_a_workbook_saved_with_an_extent_of_rows_only_imports(shop):
    # Foodsoft 4's own example .xlsx was saved by LibreOffice this way.
    header = F4_HEADER.split(";")
    rows = [
        [*header],
        [
            "",
            29932,
            "Walnoten",
            "bio",
            "Bomenbos",
            "NL",
            "kg",
            Decimal("2.34"),
            0,
            0,
            1,
            None,
            None,
            "Nuts",
        ],
        [
            "",
            177813,
            "Tomaten",
            "bio",
            "De Hof",
            "NL",
            "500 g",
            Decimal("1.2"),
            0,
            0,
            20,
            None,
            None,
            "Veg",
        ],
    ]
    data = _rows_only_extent(xlsx(rows))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="1:3"/>' in sheet

    seen = _preview(shop, data, "foodsoft_file_01.xlsx")
    assert seen.errors == []
    apply_import(import_id=seen.import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.commit()

    tomatoes = shop.product("177813")
    assert (tomatoes.unit_label, tomatoes.case_size, tomatoes.case_price_pence) == (
        "500 g",
        20,
        2400,
    )
    assert shop.product("29932").case_price_pence == 234


def test_a_foodsoft_row_without_name_number_or_price_is_skipped_as_foodsoft_skips_it(shop):
    text = "\n".join(
        [
            F4_HEADER,
            ";;;;;;;;;;;;;Vegetables",
            "Yes;V-1;Carrots;;;;1 kg;1.20;0;0;10;;;Vegetables",
            "Yes;;;;;;;;;;;;;",
            ";;;;;;;;;;;;;",
        ]
    )
    seen = _preview(shop, text.encode(), "articles.csv")

    assert seen.errors == []
    apply_import(import_id=seen.import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.commit()
    assert count_rows(Product, Product.supplier_id == shop.supplier.id) == 1
    assert shop.product("V-1").case_price_pence == 1200


def test_a_foodsoft_row_with_a_price_but_no_name_is_still_refused():
    parsed = parse_table(csv_table(F4_HEADER + "\nYes;V-1;;;;;1 kg;1.20;0;0;10;;;Veg\n"))

    assert [(error.line, error.message) for error in parsed.errors] == [(2, "The name is missing.")]


@pytest.mark.parametrize("price", ["1,20\u00a0€", "€\u00a01,20", "1,20 €", "1.20\u202f€"])
def test_a_price_with_a_no_break_space_before_the_euro_sign_is_read(price):
    foodsoft4 = parse_table(csv_table(f"{F4_HEADER}\nJa;M-1;Möhren;;;;kg;{price};0;0;5;;;Gemüse\n"))
    foodsoft5 = parse_table(
        csv_table(f"{F5_HEADER}\nYes;M-1;Möhren;kilogram;;;;;1;kilogram;{price};kilogram;0;0;;;;\n")
    )
    mapped = parse_table(
        csv_table(f"Artikelnr;Bezeichnung;Preis\nM-1;Möhren;{price}\n"),
        format="mapped",
        mapping=ColumnMapping({"code": "Artikelnr", "name": "Bezeichnung", "price": "Preis"}),
    )

    for parsed in (foodsoft4, foodsoft5, mapped):
        assert parsed.errors == []
    assert foodsoft4.rows[0].case_price_pence == 600
    assert foodsoft5.rows[0].case_price_pence == 120
    assert mapped.rows[0].case_price_pence == 120


MAPPING = ColumnMapping(
    {
        "code": "Artikelnr",
        "name": "Bezeichnung",
        "case_size": "Gebinde",
        "price": "Preis je Stück",
        "vat": "MwSt",
    },
    price_basis="unit",
)


def test_a_decimal_comma_to_three_places_below_one_is_pence_not_hundreds_of_pounds():
    parsed = parse_table(
        csv_table("Artikelnr;Bezeichnung;Gebinde;Preis je Stück;MwSt\nT-1;Teebeutel;40;0,125;0\n"),
        format="mapped",
        mapping=MAPPING,
    )

    assert parsed.errors == []
    assert parsed.rows[0].case_price_pence == 500  # 40 x 0.125


NOT_A_RATE = "is not a whole percentage or a UK VAT code (Z, R, S or E)"

# Twelve pounds fifty and twenty in Arabic-Indic digits.
ARABIC_PRICE = "\u0661\u0662.\u0665\u0660"
ARABIC_VAT = "\u0662\u0660"


@pytest.mark.parametrize(
    ("price", "vat", "message"),
    [
        (ARABIC_PRICE, "0", f"The price '{ARABIC_PRICE}' is not an amount of money."),
        ("1.25", "2_0", f"The VAT rate '2_0' {NOT_A_RATE}."),
        ("1.25", ARABIC_VAT, f"The VAT rate '{ARABIC_VAT}' {NOT_A_RATE}."),
    ],
)
def test_a_mapped_file_takes_only_ascii_digits_as_numbers(price, vat, message):
    parsed = parse_table(
        csv_table(f"Artikelnr;Bezeichnung;Gebinde;Preis je Stück;MwSt\nT-1;Tee;4;{price};{vat}\n"),
        format="mapped",
        mapping=MAPPING,
    )

    assert parsed.rows == []
    assert [(error.line, error.message) for error in parsed.errors] == [(2, message)]


def _as_a_browser_sends(value: str) -> str:
    """A form value as a browser posts it: every line break as CRLF."""
    return re.sub(r"\r\n|\r|\n", "\r\n", html.unescape(value))


def _option_values(page: str, select: str) -> list[str]:
    found = re.search(rf'<select[^>]*name="{select}"[^>]*>(.*?)</select>', page, re.S)
    assert found is not None, select
    return re.findall(r'<option[^>]*value="([^"]*)"', found.group(1))


def test_a_heading_wrapped_onto_two_lines_can_be_chosen_and_is_kept_for_next_week(
    client, auth, shop
):
    auth.login_as(shop.coordinator)
    header = ["Art.-Nr.", "Bezeichnung", "Gebinde", "Preis\n(netto)"]
    workbook = xlsx([header, ["W-1", "Haferflocken", 10, Decimal("12.5")]])
    response = upload(client, shop, workbook, filename="greens.xlsx")
    preview = response.headers["Location"]
    page = text(client.get(preview))

    prices = [value for value in _option_values(page, "column_price") if "Preis" in value]
    assert len(prices) == 1
    mapping = {
        "column_code": "Art.-Nr.",
        "column_name": "Bezeichnung",
        "column_case_size": "Gebinde",
        "column_price": _as_a_browser_sends(prices[0]),
        "price_basis": "case",
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
    }
    chosen = client.post(preview + "/mapping", data=mapping)
    assert chosen.status_code == 302, text(chosen)
    client.post(preview + "/confirm")
    assert shop.product("W-1").case_price_pence == 1250

    # Next week's list, with that heading on one line, imports in one step.
    header[3] = "Preis (netto)"
    again = upload(client, shop, xlsx([header, ["W-1", "Haferflocken", 10, 13]]), filename="b.xlsx")
    page = text(client.get(again.headers["Location"]))
    assert "Which column holds what" not in page
    client.post(again.headers["Location"] + "/confirm")
    assert shop.product("W-1").case_price_pence == 1300


def test_a_dutch_foodsoft_5_export_names_us_gallons_and_uk_quarts_as_foodsoft_does():
    dutch = F5_HEADER.replace("avail.", "leverb.")
    parsed = parse_table(
        csv_table(
            f"{dutch}\n"
            "Ja;V-1;Azijn;gallon (Amerikaans);;;;;1;gallon (Amerikaans);4.00;liter;0;0;;;;\n"
            "Ja;M-1;Melk;Krat;;4 quart (Engels);;;1;quart (Engels);1.00;pint (Engels);0;0;;;;\n"
        )
    )

    assert parsed.errors == []
    vinegar, milk = parsed.rows
    # 3.785412 litres x 4.00 = £15.14 a gallon; a crate of 4 quarts is 8 pints, £8.00.
    assert (vinegar.unit_label, vinegar.case_size, vinegar.case_price_pence) == ("gal", 1, 1514)
    assert (milk.unit_label, milk.case_size, milk.case_price_pence) == ("qt", 4, 800)


def test_a_new_supplier_is_said_to_be_created_only_when_it_is_kept(runner, shop, tmp_path):
    refused = tmp_path / "refused.csv"
    refused.write_text("code,name,case_price\nA-1,Apples,abc\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("code,name,case_price\nA-1,Apples,12.50\n", encoding="utf-8")

    def run(path, *options):
        return runner.invoke(
            args=[
                "import-catalogue",
                "--coop",
                shop.coop.slug,
                "--supplier",
                "Orchard",
                "--create-supplier",
                *options,
                str(path),
            ]
        )

    failed, tried, done = run(refused), run(good, "--dry-run"), run(good)

    assert failed.exit_code == 1
    assert "Created the supplier" not in failed.output
    assert "Nothing was imported: 1 row has errors." in failed.output
    assert tried.exit_code == 0, tried.output
    assert "Created the supplier" not in tried.output
    assert "The supplier Orchard would be created in Fishwick Food." in tried.output
    assert done.exit_code == 0, done.output
    assert "Created the supplier Orchard in Fishwick Food." in done.output
    assert db.session.scalars(db.select(Supplier.name).order_by(Supplier.name)).all() == [
        "Greens Wholesale",
        "Orchard",
    ]


VAT_CODE_MAPPING = ColumnMapping(
    {"code": "Code", "name": "Description", "case_size": "Pack", "price": "Price", "vat": "VAT"}
)


def test_a_wholesalers_vat_letters_import_as_the_uk_rates_they_stand_for(shop):
    # UK price lists and tills mark the rate with a letter: zero, reduced, standard, exempt.
    data = (
        b"Code,Description,Pack,Price,VAT\n"
        b"OAT-1,Porridge oats 1kg,6,7.20,Z\n"
        b"NAP-1,Nappies,1,9.00,r\n"
        b"SOAP-1,Hand soap,12,14.40, S \n"
        b"STAMP-1,Stamps,1,1.00,Exempt\n"
    )
    result = _preview(shop, data, "wholesale.csv", format="mapped", mapping=VAT_CODE_MAPPING)
    assert result.errors == []
    apply_import(import_id=result.import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.commit()

    codes = ("OAT-1", "NAP-1", "SOAP-1", "STAMP-1")
    assert {code: shop.product(code).vat_bp for code in codes} == {
        "OAT-1": 0,
        "NAP-1": 500,
        "SOAP-1": 2000,
        "STAMP-1": 0,
    }


def test_a_vat_letter_that_is_no_uk_code_names_its_row_and_imports_nothing(shop):
    data = b"Code,Description,Pack,Price,VAT\nOAT-1,Porridge oats,6,7.20,Z\nTEA-1,Tea,1,2.00,X\n"
    result = _preview(shop, data, "wholesale.csv", format="mapped", mapping=VAT_CODE_MAPPING)

    assert [(error.line, error.message) for error in result.errors] == [
        (3, f"The VAT rate 'X' {NOT_A_RATE}.")
    ]
    assert count_rows(Product, Product.supplier_id == shop.supplier.id) == 0
