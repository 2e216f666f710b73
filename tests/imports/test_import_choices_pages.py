"""The choices on an import's preview: mapping a wholesaler's columns, foreign VAT rates, sheets."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from support import count_rows, layout_problems, text

from coop.extensions import db
from coop.models import Product, Supplier
from imports.support import FOODSOFT_HEADER, csv_lines, upload

# A wholesaler's own price list: none of coop's, Foodsoft's or Open Food Network's headers.
WHOLESALER = csv_lines(
    "Item No,Description,Pack,Qty per case,Trade price,VAT %,Dept",
    "W-100,Porridge oats,1 kg bag,10,12.50,0,Cereals",
    "W-200,Sunflower oil,1 l bottle,6,9.00,0,Oils",
    "W-300,Dish soap,500 ml bottle,12,14.40,20,Household",
)
NEXT_WEEK = csv_lines(
    "Item No,Description,Pack,Qty per case,Trade price,VAT %,Dept",
    "W-100,Porridge oats,1 kg bag,10,12.95,0,Cereals",
    "W-200,Sunflower oil,1 l bottle,6,9.00,0,Oils",
    "W-300,Dish soap,500 ml bottle,12,14.40,20,Household",
)
MAPPING = {
    "column_code": "Item No",
    "column_name": "Description",
    "column_unit": "Pack",
    "column_case_size": "Qty per case",
    "column_price": "Trade price",
    "column_vat": "VAT %",
    "column_category": "Dept",
    "price_basis": "case",
}


@pytest.fixture
def coordinator(client, auth, shop):
    auth.login_as(shop.coordinator)
    return shop


def preview_url(response) -> str:
    assert response.status_code == 302, text(response)
    return response.headers["Location"]


def choose(client, preview: str, step: str, data: dict[str, str]):
    return client.post(f"{preview}/{step}", data=data)


def test_unknown_columns_import_after_one_mapping_and_next_time_without_asking(client, coordinator):
    preview = preview_url(upload(client, coordinator, WHOLESALER, filename="greens.csv"))
    page = text(client.get(preview))

    assert "Which column holds what" in page
    assert "Nothing can be imported until coop knows which column holds what" in page
    assert "Confirm the import" not in page
    assert "Porridge oats" in page  # the file's first rows, as they are
    assert not layout_problems(page)

    response = choose(client, preview, "mapping", MAPPING)
    assert response.status_code == 302
    page = text(client.get(preview))
    assert "New products</dt><dd>3" in page
    assert "Confirm the import" in page

    page = text(client.post(preview + "/confirm", follow_redirects=True))
    assert "3 added, 0 changed" in page
    oats = coordinator.product("W-100")
    assert (oats.name, oats.unit_label, oats.case_size, oats.case_price_pence) == (
        "Porridge oats",
        "1 kg bag",
        10,
        1250,
    )
    assert (oats.category, coordinator.product("W-300").vat_bp) == ("Cereals", 2000)
    saved = json.loads(db.session.get_one(Supplier, coordinator.supplier.id).column_mapping)
    assert saved["columns"]["code"] == "Item No"

    again = preview_url(upload(client, coordinator, NEXT_WEEK, filename="greens-next.csv"))
    page = text(client.get(again))
    assert "Which column holds what" not in page
    assert "column mapping" in page
    assert "Changed products</dt><dd>1" in page
    client.post(again + "/confirm")
    assert coordinator.product("W-100").case_price_pence == 1295


def test_a_mapping_without_a_price_column_is_refused_at_the_field(client, coordinator):
    preview = preview_url(upload(client, coordinator, WHOLESALER))

    response = choose(client, preview, "mapping", {**MAPPING, "column_price": ""})

    assert response.status_code == 400
    page = text(response)
    assert 'id="column_price-error"' in page
    assert count_rows(Product) == 0
    assert client.post(preview + "/confirm").status_code in (302, 400)
    assert count_rows(Product) == 0


def test_a_unit_price_mapping_multiplies_by_the_case_size(client, coordinator):
    per_unit = csv_lines("Ref,Product,Each,Case qty,Unit price", "P1,Lentils,500 g,12,1.25")
    preview = preview_url(upload(client, coordinator, per_unit))
    mapping = {
        "column_code": "Ref",
        "column_name": "Product",
        "column_unit": "Each",
        "column_case_size": "Case qty",
        "column_price": "Unit price",
        "price_basis": "unit",
    }
    assert choose(client, preview, "mapping", mapping).status_code == 302
    client.post(preview + "/confirm")

    lentils = coordinator.product("P1")
    assert (lentils.case_size, lentils.case_price_pence) == (12, 1500)


FOREIGN_VAT = csv_lines(
    FOODSOFT_HEADER,
    "Yes;T-1;Tomaten;;500 g;20 Piece;;;1;;1.2;;7;0;;Gemüse;;",
    "Yes;S-1;Seife;;1 Stück;10 Piece;;;1;;2.00;;19;0;;Haushalt;;",
    "Yes;K-1;Kaffee;;250 g;8 Piece;;;1;;3.10;;19;0;;Getränke;;",
)


def test_foreign_vat_rates_are_listed_once_and_mapped_for_the_whole_file(client, coordinator):
    preview = preview_url(upload(client, coordinator, FOREIGN_VAT))
    page = text(client.get(preview))

    assert page.count("7% in the file is") == 1 and page.count("19% in the file is") == 1
    assert "Confirm the import" not in page
    assert "1.20 per 500 g x 20 = £24.00 a case" in page

    refused = choose(client, preview, "vat", {"rate_7": "5", "rate_19": ""})
    assert refused.status_code == 400
    assert "Choose the UK rate that 19% is." in text(refused)

    assert choose(client, preview, "vat", {"rate_7": "5", "rate_19": "20"}).status_code == 302
    page = text(client.get(preview))
    assert "Confirm the import" in page
    client.post(preview + "/confirm")

    tomatoes, soap, coffee = (coordinator.product(code) for code in ("T-1", "S-1", "K-1"))
    assert (tomatoes.vat_bp, tomatoes.case_size, tomatoes.case_price_pence) == (500, 20, 2400)
    assert (soap.vat_bp, coffee.vat_bp) == (2000, 2000)


def test_confirming_before_the_vat_rates_are_mapped_writes_nothing(client, coordinator):
    preview = preview_url(upload(client, coordinator, FOREIGN_VAT))

    page = text(client.post(preview + "/confirm", follow_redirects=True))

    assert "Say which UK VAT rate" in page
    assert count_rows(Product) == 0


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbooks_other_sheet_can_be_chosen(client, coordinator):
    header = ["code", "name", "unit", "case_size", "case_price", "vat_rate"]
    data = workbook(
        ("Notes", [["Price list, week 12"], ["Prices before VAT"]]),
        ("Prices", [header, ["R-1", "Rice", "1 kg bag", 10, 18.4, 0]]),
    )
    preview = preview_url(upload(client, coordinator, data, filename="prices.xlsx"))
    page = text(client.get(preview))
    assert "Read this sheet" in page

    assert choose(client, preview, "sheet", {"sheet": "Prices"}).status_code == 302
    page = text(client.get(preview))
    assert "New products</dt><dd>1" in page
    client.post(preview + "/confirm")

    assert coordinator.product("R-1").case_price_pence == 1840
