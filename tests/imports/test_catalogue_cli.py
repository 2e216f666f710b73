"""``flask --app coop import-catalogue`` and ``export-catalogue``: the stable command line.

Each test runs the command as a script would and checks what it printed,
its exit status and what is in the catalogue afterwards.
"""

from __future__ import annotations

import io
import os
import pty
from contextlib import redirect_stdout
from datetime import date
from decimal import Decimal

import click
import pytest
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from support import count_rows

from coop.cli import export_catalogue_command
from coop.domain.catalogue_files.mapped import ColumnMapping
from coop.extensions import db
from coop.models import CatalogueImport, Product, Supplier
from coop.services.catalogue.export import export_catalogue
from imports.support import OWN_HEADER, Shop, csv_lines

WHOLESALER_HEADER = ["Item no.", "Description", "Pack", "Units per case", "Case £", "VAT %"]


@pytest.fixture
def write(tmp_path):
    def write(content: str | bytes, name: str = "prices.csv") -> str:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return str(path)

    return write


def workbook(*rows: list[object], title: str = "Prices") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_(runner, shop: Shop, path: str, *options: str, supplier: str | None = None):
    return runner.invoke(
        args=[
            "import-catalogue",
            "--coop",
            shop.coop.slug,
            "--supplier",
            supplier or shop.supplier.name,
            *options,
            path,
        ]
    )


def export(runner, shop: Shop, *options: str, supplier: str | None = None):
    return runner.invoke(
        args=[
            "export-catalogue",
            "--coop",
            shop.coop.slug,
            "--supplier",
            supplier or shop.supplier.name,
            *options,
        ]
    )


def stock(shop: Shop) -> None:
    shop.add(
        code="RIC-5",
        name="Basmati rice",
        category="Rice",
        unit_label="1 kg bag",
        case_size=5,
        case_price_pence=1250,
        tag_bits=1 | 16,
        origin="India",
        manufacturer="Tilda",
    )
    shop.add(
        code="TOM-400",
        name="Chopped tomatoes",
        category="Tins",
        unit_label="400 g tin",
        case_size=24,
        case_price_pence=1080,
        vat_bp=2000,
        deposit_pence=60,
        description="Italian; in juice",
    )
    shop.add(code="OLD-1", name="Old stock", case_price_pence=333, available=False)


def catalogue(shop: Shop) -> list[dict[str, object]]:
    db.session.expire_all()
    products = db.session.scalars(
        db.select(Product).where(Product.supplier_id == shop.supplier.id).order_by(Product.code)
    )
    return [
        {
            name: getattr(product, name)
            for name in (
                "code",
                "name",
                "description",
                "category",
                "tag_bits",
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


# --- import -----------------------------------------------------------------


def test_a_spreadsheet_is_read_by_its_content_whatever_its_name(runner, shop, write):
    data = workbook(
        ["Greens Wholesale price list, November"],
        ["code", "name", "unit", "case_size", "case_price", "vat_rate", "category"],
        ["RIC-5", "Basmati rice", "1 kg bag", 5, 9.95, 0, "Rice"],
        ["TOM-400", "Chopped tomatoes", "400 g tin", 24, 1.2, 20, "Tins"],
    )

    result = import_(runner, shop, write(data, "prices.txt"))

    assert result.exit_code == 0, result.output
    assert "prices.txt: Excel workbook (.xlsx), sheet 'Prices', coop CSV, 2 rows." in result.output
    assert "Imported into Greens Wholesale: 2 added, 0 changed" in result.output
    assert shop.product("RIC-5").case_price_pence == 995
    # 1.2 in a cell is 120p, never 119.
    assert shop.product("TOM-400").case_price_pence == 120
    assert shop.product("TOM-400").vat_bp == 2000


def test_a_chosen_sheet_is_read(runner, shop, write):
    book = Workbook()
    book.active.append(["notes"])
    second = book.create_sheet("November")
    second.append(["code", "name", "case_price"])
    second.append(["RIC-5", "Basmati rice", 9.95])
    out = io.BytesIO()
    book.save(out)

    result = import_(runner, shop, write(out.getvalue(), "prices.xlsx"), "--sheet", "November")

    assert result.exit_code == 0, result.output
    assert shop.product("RIC-5").case_price_pence == 995


def test_refused_rows_are_listed_by_line_and_nothing_is_written(runner, shop, write):
    data = workbook(
        ["code", "name", "unit", "case_size", "case_price", "vat_rate", "category"],
        ["RIC-5", "Basmati rice", "1 kg bag", 5, 9.95, 0, "Rice"],
        ["TOM-400", None, "400 g tin", 24, 10.8, 0, "Tins"],
        ["OAT-1", "Oats", "1 kg bag", 6, "lots", 0, "Grains"],
    )

    result = import_(runner, shop, write(data, "prices.xlsx"))

    assert result.exit_code == 1
    assert "Line 3: The name is missing." in result.output
    assert "Line 4: The case price 'lots' is not a number." in result.output
    assert "Error: Nothing was imported: 2 rows have errors." in result.output
    assert count_rows(Product) == 0
    assert count_rows(CatalogueImport) == 0


def test_a_bad_vat_map_is_a_usage_error(runner, shop, write):
    path = write(csv_lines(OWN_HEADER, "RIC-5,Basmati rice,1 kg bag,5,9.95,0,Rice"))

    wrong_rate = import_(runner, shop, path, "--vat-map", "7=6")
    not_a_map = import_(runner, shop, path, "--vat-map", "seven")

    assert wrong_rate.exit_code == 2
    assert "Invalid value for '--vat-map'" in wrong_rate.output
    assert "a rate maps to 0, 5 or 20 per cent" in wrong_rate.output
    assert not_a_map.exit_code == 2
    assert "'seven' is not a VAT rate mapped to a UK one" in not_a_map.output
    assert count_rows(Product) == 0


def test_a_file_with_foreign_vat_rates_needs_them_mapped(runner, shop, write):
    shop.supplier.column_mapping = ColumnMapping(
        {
            "code": "Item no.",
            "name": "Description",
            "unit": "Pack",
            "case_size": "Units per case",
            "price": "Case £",
            "vat": "VAT %",
        }
    ).to_json()
    db.session.commit()
    data = workbook(
        WHOLESALER_HEADER,
        ["A1", "Oat drink", "1 litre", 6, 7.2, 7],
        ["A2", "Lentils", "500 g", 10, 9.5, 19],
    )
    path = write(data, "wholesale.xlsx")

    unmapped = import_(runner, shop, path)
    mapped = import_(runner, shop, path, "--format", "mapped", "--vat-map", "7=5,19=20")

    assert unmapped.exit_code == 1
    assert "The file has VAT rates that are not UK rates: 7%, 19%." in unmapped.output
    assert "--vat-map 7=20,19=20" in unmapped.output
    assert mapped.exit_code == 0, mapped.output
    assert "VAT rates mapped:    7% as 5%, 19% as 20%" in mapped.output
    assert shop.product("A1").vat_bp == 500
    assert shop.product("A2").vat_bp == 2000
    assert shop.product("A2").case_price_pence == 950


def test_mapped_needs_a_saved_mapping(runner, shop, write):
    path = write(workbook(WHOLESALER_HEADER, ["A1", "Oat drink", "1 litre", 6, 7.2, 20]), "w.xlsx")

    result = import_(runner, shop, path, "--format", "mapped")

    assert result.exit_code == 1
    assert "Error: Greens Wholesale has no saved column mapping." in result.output
    assert count_rows(Product) == 0


def test_an_unknown_layout_is_refused_naming_its_columns(runner, shop, write):
    path = write(workbook(WHOLESALER_HEADER, ["A1", "Oat drink", "1 litre", 6, 7.2, 20]), "w.xlsx")

    result = import_(runner, shop, path)

    assert result.exit_code == 1
    assert "The file's columns are not a layout coop knows" in result.output
    assert "(its columns: Item no., Description, Pack, Units per case, Case £, VAT %)" in (
        result.output
    )
    assert count_rows(Product) == 0
    assert count_rows(CatalogueImport) == 0


def test_a_supplier_is_created_only_when_asked(runner, shop, write):
    path = write(csv_lines(OWN_HEADER, "RIC-5,Basmati rice,1 kg bag,5,9.95,0,Rice"))

    refused = import_(runner, shop, path, supplier="Hodmedod's")
    tried = import_(runner, shop, path, "--create-supplier", "--dry-run", supplier="Hodmedod's")
    created = import_(runner, shop, path, "--create-supplier", supplier="Hodmedod's")

    assert refused.exit_code == 1
    assert "has no supplier called 'Hodmedod's' of its own" in refused.output
    assert tried.exit_code == 0, tried.output
    assert "Dry run: nothing was written." in tried.output
    assert created.exit_code == 0, created.output
    assert "Created the supplier Hodmedod's in Fishwick Food." in created.output
    assert "Imported into Hodmedod's: 1 added" in created.output
    suppliers = db.session.scalars(db.select(Supplier.name).order_by(Supplier.name)).all()
    assert suppliers == ["Greens Wholesale", "Hodmedod's"]


# --- export -----------------------------------------------------------------


def test_coop_csv_goes_to_standard_output_and_imports_back_unchanged(runner, shop, write):
    stock(shop)
    before = catalogue(shop)

    exported = export(runner, shop)
    again = import_(runner, shop, write(exported.stdout_bytes, "again.csv"))

    assert exported.exit_code == 0, exported.output
    assert exported.stdout_bytes == export_catalogue(supplier=shop.supplier).encode()
    assert again.exit_code == 0, again.output
    assert "To change:           0" in again.output
    assert "Unchanged:           3" in again.output
    assert catalogue(shop) == before


def test_an_export_in_foodsofts_layout_reads_back_through_the_foodsoft_reader(
    runner, shop, write, tmp_path
):
    stock(shop)
    before = catalogue(shop)
    out = tmp_path / "greens-foodsoft.csv"

    exported = export(runner, shop, "--format", "foodsoft", "-o", str(out))
    again = import_(runner, shop, str(out), "--format", "foodsoft", "--mark-missing-unavailable")

    assert exported.exit_code == 0, exported.output
    assert f"Wrote the catalogue of Greens Wholesale to {out}" in exported.output
    assert again.exit_code == 0, again.output
    assert "Foodsoft article CSV, 3 rows." in again.output
    assert "To add:              0" in again.output
    assert "To change:           0" in again.output
    assert "Unchanged:           3" in again.output
    assert catalogue(shop) == before


def test_a_workbook_goes_to_a_file_and_imports_back_unchanged(runner, shop, write, tmp_path):
    stock(shop)
    shop.add(
        code="=CMD",
        name='=HYPERLINK("http://evil.example")',
        case_price_pence=99999999,
        reference_price_pence=250,
        reference_price_date=date(2026, 3, 2),
        reference_price_source="Tesco.com",
    )
    before = catalogue(shop)
    out = tmp_path / "greens.xlsx"

    exported = export(runner, shop, "--format", "xlsx", "-o", str(out))
    again = import_(runner, shop, str(out))

    assert exported.exit_code == 0, exported.output
    sheet = load_workbook(out).active
    assert [cell.value for cell in sheet[1]][:3] == ["code", "name", "description"]
    names = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert names["=CMD"][1].data_type == "s"
    assert Decimal(str(names["=CMD"][7].value)) == Decimal("999999.99")
    assert again.exit_code == 0, again.output
    assert "Excel workbook (.xlsx), sheet 'Catalogue', coop CSV, 4 rows." in again.output
    assert "Unchanged:           4" in again.output
    assert catalogue(shop) == before
    assert shop.product("=CMD").reference_price_date == date(2026, 3, 2)


def test_a_workbook_is_not_sent_to_a_terminal(app, shop):
    stock(shop)
    leader, follower = pty.openpty()
    terminal = os.fdopen(follower, "w")
    try:
        with redirect_stdout(terminal), pytest.raises(click.UsageError) as refused:
            export_catalogue_command.main(
                args=[
                    "--coop",
                    shop.coop.slug,
                    "--supplier",
                    shop.supplier.name,
                    "--format",
                    "xlsx",
                ],
                standalone_mode=False,
            )
    finally:
        terminal.close()
        os.close(leader)

    assert "An .xlsx workbook is not text for a terminal: give -o FILE" in refused.value.message


def test_a_shared_catalogue_exports_for_a_subscriber(runner, shop, factory):
    from coop.models import CatalogueSubscription

    stock(shop)
    other = factory.coop(name="Ribbleton Larder", slug="ribbleton")
    db.session.add(CatalogueSubscription(coop=other, supplier=shop.supplier))
    db.session.commit()

    result = runner.invoke(
        args=["export-catalogue", "--coop", "ribbleton", "--supplier", "greens wholesale"]
    )

    assert result.exit_code == 0, result.output
    assert "RIC-5,Basmati rice" in result.output


def test_an_unknown_supplier_or_format_is_refused(runner, shop):
    unknown = export(runner, shop, supplier="Nobody")
    bad_format = export(runner, shop, "--format", "pdf")

    assert unknown.exit_code == 1
    assert "Error: Fishwick Food has no supplier called 'Nobody' in its catalogue." in (
        unknown.output
    )
    assert bad_format.exit_code == 2
    assert "Invalid value for '--format'" in bad_format.output
