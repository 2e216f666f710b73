"""A supplier's catalogue downloads as coop CSV, Foodsoft 5 or 4 CSV and an Excel workbook."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from support import text

from coop.domain.catalogue_csv import COLUMNS
from coop.domain.roles import Role
from coop.services.catalogue.export import product_rows
from imports.support import Shop, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def coordinator(client, auth, shop) -> Shop:
    auth.login_as(shop.coordinator)
    shop.add(
        code="RIC-5",
        name="Basmati rice",
        category="Rice",
        unit_label="1 kg bag",
        case_size=5,
        case_price_pence=1250,
        vat_bp=0,
        tag_bits=1 | 16,
        reference_price_pence=275,
        reference_price_source="Tesco.com",
        reference_price_date=date(2026, 3, 2),
    )
    shop.add(
        code="+44",
        name='=HYPERLINK("http://evil.example","Click")',
        category="Tins",
        case_price_pence=99999999,
        vat_bp=2000,
        deposit_pence=60,
        available=False,
    )
    return shop


def sheet_rows(data: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(data))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def test_the_supplier_page_links_each_download(client, coordinator):
    page = client.get(coordinator.url(""))

    body = text(page)
    assert "Download this catalogue:" in body
    for tail, label in (
        ("export.csv", "CSV"),
        ("export-foodsoft.csv", "Foodsoft 5 CSV"),
        ("export-foodsoft4.csv", "Foodsoft 4 CSV"),
        ("export.xlsx", "Excel (.xlsx)"),
    ):
        assert f'href="{coordinator.url(tail)}">{label}</a>' in page.get_data(as_text=True)


def test_the_workbook_has_the_columns_of_coops_csv_with_prices_as_numbers(client, coordinator):
    response = client.get(coordinator.url("export.xlsx"))

    assert response.status_code == 200
    assert response.content_type == XLSX
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="greens-wholesale-catalogue.xlsx"'
    )
    header, rice, tins = sheet_rows(response.data)
    assert header == list(COLUMNS)
    assert rice == [
        "RIC-5",
        "Basmati rice",
        None,
        "Rice",
        "vegan|gluten-free",
        "1 kg bag",
        5,
        12.5,
        0,
        0,
        None,
        None,
        2.75,
        datetime(2026, 3, 2),
        "Tesco.com",
        "yes",
    ]
    assert tins[:2] == ["+44", '=HYPERLINK("http://evil.example","Click")']
    assert tins[7:10] == [999999.99, 20, 0.6]
    assert tins[-1] == "no"


def test_the_workbook_keeps_text_as_text_and_money_exact(client, coordinator):
    data = client.get(coordinator.url("export.xlsx")).data
    book = load_workbook(io.BytesIO(data))
    cells = {cell.coordinate: cell for row in book.active.iter_rows() for cell in row}

    # A name that looks like a formula is a string cell, never run.
    assert cells["B3"].data_type == "s"
    assert cells["A3"].data_type == "s"
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    # Prices are the pence's exact decimal text, shown to two decimals.
    assert "<v>999999.99</v>" in sheet_xml
    assert cells["H2"].number_format == "0.00"
    assert cells["J3"].number_format == "0.00"
    assert cells["N2"].number_format == "yyyy-mm-dd"


def test_an_empty_catalogue_downloads_its_header(client, auth, shop):
    auth.login_as(shop.coordinator)

    assert sheet_rows(client.get(shop.url("export.xlsx")).data) == [list(COLUMNS)]


def test_another_coop_cannot_download_the_workbook(client, auth, factory, shop):
    other = factory.coop(name="Ribbleton Larder")
    auth.login_as(factory.member(other, Role.COORDINATOR))
    base = f"/coops/{other.slug}/admin/suppliers/{shop.supplier.id}"

    assert client.get(f"{base}/export.xlsx").status_code == 404
    assert client.get(f"{base}/export-foodsoft.csv").status_code == 404


@pytest.mark.parametrize("tail", ["export-foodsoft.csv", "export-foodsoft4.csv"])
def test_a_foodsoft_export_imports_back_as_the_same_products(client, coordinator, tail):
    coordinator.add(
        code="TIN-12",
        name="Chopped tomatoes",
        unit_label="400 g tin",
        case_size=12,
        case_price_pence=1000,  # 83.3333p a tin: written to Foodsoft's six decimals
        vat_bp=500,
        deposit_pence=5,
    )
    exported = client.get(coordinator.url(tail))
    assert exported.status_code == 200
    assert not exported.data.startswith(b"\xef\xbb\xbf")  # Foodsoft reads its header as is
    before = product_rows(supplier=coordinator.supplier)

    preview = upload(client, coordinator, exported.data, filename="foodsoft.csv")
    page = text(client.get(preview.headers["Location"]))

    assert "Foodsoft article CSV" in page
    assert "New products</dt><dd>0" in page and "Changed products</dt><dd>0" in page
    assert "Unchanged</dt><dd>3" in page
    assert product_rows(supplier=coordinator.supplier) == before


def test_the_foodsoft_4_export_puts_each_value_where_foodsoft_4_reads_it(client, coordinator):
    coordinator.add(
        code="TIN-12",
        name="Tins",
        unit_label="400 g tin",
        case_size=12,
        case_price_pence=1080,
        vat_bp=500,
        deposit_pence=5,
        category="Tins",
    )

    lines = client.get(coordinator.url("export-foodsoft4.csv")).get_data(as_text=True)
    row = next(line for line in lines.splitlines() if ";TIN-12;" in line).split(";")

    # Foodsoft 4 reads by position: order number 1, name 2, unit 6, price (net) per unit 7,
    # VAT 8, deposit 9, unit quantity 10, category 13 (app/lib/foodsoft_file.rb).
    assert (row[1], row[2], row[6], row[7], row[8], row[9], row[10], row[13]) == (
        "TIN-12",
        "Tins",
        "400 g tin",
        "0.90",
        "5",
        "0.05",
        "12",
        "Tins",
    )
