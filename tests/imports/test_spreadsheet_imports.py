"""A price list imports the same from CSV, .xlsx and .ods, and a bad workbook is refused.

Workbooks are built by `imports.fixtures.sheets`: .xlsx through openpyxl,
.ods as a minimal OpenDocument zip, each read back by calamine as an
upload is.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from support import count_rows

from coop.domain.catalogue_csv import FileProblem
from coop.extensions import db
from coop.models import CatalogueImport, Product
from coop.services.catalogue.import_results import RowsRefused
from coop.services.catalogue.imports import apply_import, preview_import
from coop.services.catalogue.spreadsheets import read_file
from coop.services.errors import ServiceError
from imports.fixtures.sheets import Formula, ods, xlsx

FIXTURES = Path(__file__).parent / "fixtures"
PRICE_LIST = (FIXTURES / "foodsoft4_export.csv").read_text(encoding="utf-8").splitlines()
HEADER = PRICE_LIST[0].split(";")
NUMBERS = range(7, 11)  # price, VAT, deposit, unit quantity


def _cell(position: int, text: str) -> str | int | Decimal | None:
    if not text:
        return None
    if position in NUMBERS:
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else number
    return text


# The rows of fixtures/foodsoft4_export.csv as a spreadsheet holds them: numbers as numbers.
ROWS = [[_cell(i, text) for i, text in enumerate(line.split(";"))] for line in PRICE_LIST[1:]]
TITLE = [["Greens Wholesale: price list, November"], ["Prices ex VAT"]]


def preview(shop, data: bytes, filename: str):
    result = preview_import(
        supplier=shop.supplier,
        data=data,
        filename=filename,
        mark_missing_unavailable=False,
        uploaded_by=shop.coordinator,
    )
    db.session.commit()
    return result


def imported(shop, data: bytes, filename: str) -> list[dict[str, object]]:
    seen = preview(shop, data, filename)
    assert seen.errors == []
    apply_import(import_id=seen.import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.commit()
    products = db.session.scalars(
        db.select(Product).where(Product.supplier_id == shop.supplier.id).order_by(Product.code)
    ).all()
    values = [
        {
            name: getattr(product, name)
            for name in (
                "code",
                "name",
                "description",
                "category",
                "unit_label",
                "case_size",
                "case_price_pence",
                "vat_bp",
                "deposit_pence",
                "origin",
                "manufacturer",
                "available",
            )
        }
        for product in products
    ]
    db.session.execute(db.delete(Product).where(Product.supplier_id == shop.supplier.id))
    db.session.execute(db.delete(CatalogueImport))
    db.session.commit()
    return values


def test_the_same_price_list_as_csv_xlsx_and_ods_imports_to_identical_products(shop):
    from_csv = imported(shop, (FIXTURES / "foodsoft4_export.csv").read_bytes(), "prices.csv")
    from_xlsx = imported(shop, xlsx([HEADER, *ROWS]), "prices.xlsx")
    from_ods = imported(shop, ods([HEADER, *ROWS]), "prices.ods")

    assert from_xlsx == from_csv
    assert from_ods == from_csv
    oat = next(product for product in from_csv if product["code"] == "OAT-2")
    # Foodsoft 4: 6 x 1.12 = £6.72 a case, the 0.25 deposit per unit.
    assert (oat["unit_label"], oat["case_size"], oat["case_price_pence"]) == ("1 l", 6, 672)
    assert (oat["deposit_pence"], oat["vat_bp"]) == (25, 2000)


@pytest.mark.parametrize("build", [xlsx, ods], ids=["xlsx", "ods"])
def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_sheet_numbers(build):
    upload = read_file(build([*TITLE, HEADER, *ROWS]))

    assert upload.table.header_line == 3
    assert upload.table.header[:3] == ["avail.", "Order number", "Name"]
    assert [line for line, _ in upload.table.rows] == [4, 5, 6, 7]
    # A cell of 1.2 is "1.2", never 1.19999...; 10.0 is "10".
    assert upload.table.rows[2][1][7] == "1.2"
    assert upload.table.rows[0][1][10] == "10"


@pytest.mark.parametrize("build", [xlsx, ods], ids=["xlsx", "ods"])
def test_a_formula_evaluating_to_an_error_refuses_its_row_naming_the_cell(shop, build):
    broken = [*ROWS[:2], [*ROWS[2][:7], Formula("1/0", "#DIV/0!"), *ROWS[2][8:]], ROWS[3]]
    seen = preview(shop, build([HEADER, *broken]), "prices")

    assert [(error.line, error.message) for error in seen.errors] == [
        (
            4,
            "Cell H4 holds a formula error #DIV/0!. Correct the formula in the spreadsheet "
            "and upload it again.",
        )
    ]
    with pytest.raises(RowsRefused):
        apply_import(import_id=seen.import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.rollback()
    assert count_rows(Product, Product.supplier_id == shop.supplier.id) == 0


def test_merged_header_cells_are_refused_naming_them(shop):
    data = xlsx([[*HEADER[:2], None, *HEADER[3:]], *ROWS], merged=["B1:C1"])

    with pytest.raises(ServiceError) as refused:
        preview(shop, data, "prices.xlsx")
    db.session.rollback()

    assert str(refused.value).startswith(
        "The header row (row 1) has merged cells (B1:C1), which leave columns without a "
        "heading. Unmerge them"
    )
    assert refused.value.field == "file"
    assert count_rows(CatalogueImport) == 0


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html><html><body><table><tr><td>Rice</td></tr></table></body></html>",
        b'\xef\xbb\xbf  <table border="1"><tr><td>Order number</td></tr></table>',
        b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>',
    ],
)
def test_a_web_page_saved_as_xlsx_is_refused_with_what_to_do(page):
    with pytest.raises(FileProblem) as refused:
        read_file(page)

    assert str(refused.value).startswith(
        "The file is a web page (HTML), not a spreadsheet, even if its name ends in .xlsx"
    )
    assert "save it as .xlsx or CSV" in str(refused.value)


def zip_bomb() -> bytes:
    """A workbook's entries and one sheet of 20 MB of zeros, packed to a few kilobytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return out.getvalue()


def test_a_zip_bomb_saved_as_xlsx_is_refused_before_it_is_unpacked(shop):
    data = zip_bomb()
    assert len(data) < 100_000

    with pytest.raises(ServiceError) as refused:
        preview(shop, data, "prices.xlsx")
    db.session.rollback()

    assert str(refused.value).startswith(
        "Part of the spreadsheet (xl/worksheets/sheet1.xml) would unpack to 20 MB from "
    )
    assert "more than 100 times its packed size as only a zip bomb does, so it was not" in str(
        refused.value
    )
    assert count_rows(CatalogueImport) == 0


def test_a_zip_of_too_many_entries_is_refused_unopened():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(10_001):
            archive.writestr(f"xl/media/{number}.bin", b"")

    with pytest.raises(FileProblem) as refused:
        read_file(out.getvalue())

    assert str(refused.value).startswith(
        "The spreadsheet holds 10,003 parts, more than the 10,000 a price list could need, "
        "so it was not opened."
    )


def test_a_zip_declaring_more_than_100_mb_is_refused_unopened():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(3):
            archive.writestr(f"xl/media/{number}.bin", bytes(range(256)) * 160_000)  # 41 MB each

    with pytest.raises(FileProblem) as refused:
        read_file(out.getvalue())

    assert str(refused.value).startswith(
        "The spreadsheet would unpack to more than 100 MB, far more than a price list needs"
    )
