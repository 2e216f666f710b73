"""``flask --app coop import-catalogue``: the same preview and write, from a terminal."""

from __future__ import annotations

import pytest
from support import count_rows

from coop.models import CatalogueImport, PriceChange, Product
from imports.support import OWN_HEADER, csv_lines

GOOD = csv_lines(
    OWN_HEADER,
    "RIC-5,Basmati rice,1 kg bag,5,9.95,0,Rice",
    "TOM-400,Chopped tomatoes,400 g tin,24,10.80,0,Tins",
)
BAD = csv_lines(
    OWN_HEADER,
    "RIC-5,,1 kg bag,5,9.95,0,Rice",
    "TOM-400,Chopped tomatoes,400 g tin,24,abc,0,Tins",
)


@pytest.fixture
def write(tmp_path):
    def write(content: str | bytes, name: str = "prices.csv"):
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return str(path)

    return write


def run(runner, shop, path: str, *options: str):
    return runner.invoke(
        args=[
            "import-catalogue",
            "--coop",
            shop.coop.slug,
            "--supplier",
            shop.supplier.name,
            *options,
            path,
        ]
    )


def test_a_good_file_is_imported_and_counted(runner, shop, write):
    shop.add(
        code="RIC-5",
        name="Basmati rice",
        unit_label="1 kg bag",
        case_size=5,
        case_price_pence=945,
        category="Rice",
    )
    shop.add(code="OLD-1", name="Old stock")

    result = run(runner, shop, write(GOOD), "--mark-missing-unavailable")

    assert result.exit_code == 0, result.output
    assert "To add:              1" in result.output
    assert "To change:           1 (1 with a new price)" in result.output
    assert "Missing from file:   1 (to be marked unavailable)" in result.output
    assert (
        "Imported into Greens Wholesale: 1 added, 1 changed (1 with a new price), "
        "1 marked unavailable." in result.output
    )
    assert shop.product("RIC-5").case_price_pence == 995
    assert shop.product("TOM-400").case_size == 24
    assert not shop.product("OLD-1").available
    assert count_rows(PriceChange) == 1


def test_a_file_with_bad_rows_lists_them_and_writes_nothing(runner, shop, write):
    result = run(runner, shop, write(BAD))

    assert result.exit_code == 1
    assert "Line 2: The name is missing." in result.output
    assert "Line 3: The case price 'abc' is not a number." in result.output
    assert "Error: Nothing was imported: 2 rows have errors." in result.output
    assert count_rows(Product) == 0
    assert count_rows(CatalogueImport) == 0


def test_a_dry_run_shows_the_changes_and_writes_nothing(runner, shop, write):
    result = run(runner, shop, write(GOOD), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "To add:              2" in result.output
    assert "Dry run: nothing was written." in result.output
    assert count_rows(Product) == 0
    assert count_rows(CatalogueImport) == 0


def test_the_supplier_must_be_one_the_coop_keeps(runner, shop, write, factory):
    other = factory.coop(name="Ribbleton Larder", slug="ribbleton")

    result = runner.invoke(
        args=[
            "import-catalogue",
            "--coop",
            other.slug,
            "--supplier",
            "Greens Wholesale",
            write(GOOD),
        ]
    )

    assert result.exit_code == 1
    assert (
        "Error: Ribbleton Larder has no supplier called 'Greens Wholesale' of its own"
        in result.output
    )
    assert count_rows(Product) == 0


def test_an_unknown_coop_is_named(runner, shop, write):
    result = runner.invoke(
        args=["import-catalogue", "--coop", "nowhere", "--supplier", "Greens", write(GOOD)]
    )

    assert result.exit_code == 1
    assert "Error: There is no co-op at 'nowhere'." in result.output


def test_an_oversized_file_is_refused(runner, shop, write, app):
    app.config["CATALOGUE_IMPORT_MAX_BYTES"] = 100

    result = run(runner, shop, write(GOOD * 5))

    assert result.exit_code == 1
    assert "Error: The file is larger than 0.1 KB." in result.output
    assert count_rows(CatalogueImport) == 0


def test_a_file_that_is_not_utf8_is_refused(runner, shop, write):
    result = run(runner, shop, write("code,name,case_price\nA,Café,1\n".encode("latin-1")))

    assert result.exit_code == 1
    assert "Error: The file is not UTF-8 text." in result.output
