"""The import service: what it compares, what it writes, and in how many statements."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from support import count_rows, refusal_message

from coop.domain.money import plain_pounds
from coop.extensions import db
from coop.models import CatalogueImport, PriceChange, Product
from coop.models.types import utcnow
from coop.services.catalogue.export import export_catalogue
from coop.services.catalogue.imports import (
    ALREADY_IMPORTED,
    CATALOGUE_CHANGED,
    apply_import,
    preview_import,
)
from imports.support import FOODSOFT_HEADER, OWN_HEADER, csv_lines


def preview(shop, content: str, *, mark_missing_unavailable: bool = False):
    result = preview_import(
        supplier=shop.supplier,
        data=content.encode(),
        filename="prices.csv",
        mark_missing_unavailable=mark_missing_unavailable,
        uploaded_by=shop.coordinator,
    )
    db.session.commit()
    return result


def apply(shop, import_id: int):
    result = apply_import(import_id=import_id, supplier=shop.supplier, user=shop.coordinator)
    db.session.commit()
    return result


def big_file(count: int, price: int = 100) -> str:
    return csv_lines(
        OWN_HEADER,
        *(f"C{i:05d},Product {i},each,1,{plain_pounds(price + i)},0,Misc" for i in range(count)),
    )


def test_reimporting_an_export_writes_nothing(shop):
    shop.add(
        code="RIC-5",
        name="Basmati rice",
        description="Aged, from the foothills",
        tag_bits=1 | 2 | 16,
        case_price_pence=945,
        vat_bp=500,
        reference_price_pence=275,
        reference_price_date=date(2026, 3, 2),
        reference_price_source="Tesco.com",
    )
    shop.add(code="OLD-1", name="Old stock", available=False, deposit_pence=60)
    before = shop.product("RIC-5").updated_at

    seen = preview(shop, export_catalogue(supplier=shop.supplier), mark_missing_unavailable=True)
    result = apply(shop, seen.import_id)

    assert (seen.unchanged, len(seen.additions), len(seen.changes), len(seen.missing)) == (
        2,
        0,
        0,
        0,
    )
    assert (result.added, result.changed, result.price_changes, result.marked_unavailable) == (
        0,
        0,
        0,
        0,
    )
    assert count_rows(PriceChange) == 0
    assert shop.product("RIC-5").updated_at == before


def test_a_column_the_file_leaves_out_keeps_what_the_catalogue_has(shop):
    shop.add(
        code="RIC-5",
        name="Basmati rice",
        tag_bits=16,
        unit_label="1 kg bag",
        case_size=5,
        case_price_pence=945,
        vat_bp=500,
        reference_price_pence=275,
        reference_price_date=date(2026, 3, 2),
        reference_price_source="Tesco.com",
    )

    seen = preview(shop, csv_lines("code,name,case_price", "RIC-5,Basmati rice,9.95"))
    apply(shop, seen.import_id)

    assert [change.field for change in seen.changes[0].fields] == ["case_price_pence"]
    rice = shop.product("RIC-5")
    assert (rice.case_price_pence, rice.vat_bp, rice.tag_bits) == (995, 500, 16)
    assert (rice.unit_label, rice.case_size, rice.reference_price_pence) == ("1 kg bag", 5, 275)
    change = db.session.scalar(db.select(PriceChange))
    assert (change.old_vat_bp, change.new_vat_bp) == (500, 500)


def test_a_foodsoft_update_keeps_tags_and_reference_prices(shop):
    shop.add(
        code="RICE-5",
        name="Basmati rice",
        tag_bits=1,
        reference_price_pence=275,
        reference_price_date=date(2026, 3, 2),
        reference_price_source="Tesco.com",
        case_price_pence=1800,
    )
    content = csv_lines(
        FOODSOFT_HEADER,
        "Yes;RICE-5;Basmati rice;;each;1 Piece;;;1;;18.40;;0;0;;;;",
    )

    apply(shop, preview(shop, content).import_id)

    rice = shop.product("RICE-5")
    assert (rice.case_price_pence, rice.tag_bits, rice.reference_price_pence) == (1840, 1, 275)


def test_codes_match_whatever_their_letter_case(shop):
    shop.add(code="abc-1", name="Lower-case code", case_price_pence=100)

    seen = preview(shop, csv_lines(OWN_HEADER, "ABC-1,Lower-case code,each,1,1.00,0,"))
    result = apply(shop, seen.import_id)

    assert seen.additions == [] and seen.missing == []
    [change] = seen.changes
    assert [(field.field, field.old, field.new) for field in change.fields] == [
        ("code", "abc-1", "ABC-1")
    ]
    assert (result.added, result.changed, result.price_changes) == (0, 1, 0)
    assert count_rows(Product) == 1
    assert shop.product("ABC-1").name == "Lower-case code"


def test_a_file_spelling_a_code_as_stored_changes_nothing(shop):
    shop.add(code="abc-1", name="Lower-case code", case_price_pence=100)

    seen = preview(shop, csv_lines(OWN_HEADER, "abc-1,Lower-case code,each,1,1.00,0,"))

    assert (seen.unchanged, seen.additions, seen.changes, seen.missing) == (1, [], [], [])


def test_reimporting_an_export_of_formula_like_text_writes_nothing(shop):
    shop.add(code="-R1", name="=SUM(A1)", category="+Dry", description="@home\r\nsecond line")
    shop.add(code="'=R2", name="'quoted", origin="-India", manufacturer="\tTabbed")
    exported = export_catalogue(supplier=shop.supplier)

    assert "'=SUM(A1)" in exported and "''=R2" in exported and "'-India" in exported
    seen = preview(shop, exported, mark_missing_unavailable=True)
    assert (seen.unchanged, seen.additions, seen.changes, seen.missing) == (2, [], [], [])


def test_a_vat_change_alone_is_recorded_as_price_history(shop):
    shop.add(code="WUL-1", name="Washing-up liquid", case_price_pence=399, vat_bp=0)

    seen = preview(shop, csv_lines(OWN_HEADER, "WUL-1,Washing-up liquid,each,1,3.99,20,"))
    result = apply(shop, seen.import_id)

    assert result.price_changes == 1
    change = db.session.scalar(db.select(PriceChange))
    assert (change.old_case_price_pence, change.new_case_price_pence) == (399, 399)
    assert (change.old_vat_bp, change.new_vat_bp) == (0, 2000)


def test_confirming_twice_is_refused_and_writes_nothing_more(shop):
    seen = preview(shop, csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins"))
    apply(shop, seen.import_id)

    message = refusal_message(
        lambda: apply_import(import_id=seen.import_id, supplier=shop.supplier, user=None)
    )

    assert message == ALREADY_IMPORTED
    assert count_rows(Product) == 1


def test_a_catalogue_changed_since_the_preview_is_refused(shop):
    product = shop.add(code="RIC-5", name="Basmati rice", case_price_pence=945)
    seen = preview(shop, csv_lines(OWN_HEADER, "RIC-5,Basmati rice,each,1,9.95,0,Rice"))
    product.case_price_pence = 999
    db.session.commit()

    message = refusal_message(
        lambda: apply_import(import_id=seen.import_id, supplier=shop.supplier, user=None)
    )

    assert message == CATALOGUE_CHANGED
    assert shop.product("RIC-5").case_price_pence == 999
    assert count_rows(PriceChange) == 0
    assert db.session.get(CatalogueImport, seen.import_id).applied_at is None


def test_the_stored_file_is_dropped_once_imported(shop):
    seen = preview(shop, csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins"))

    apply(shop, seen.import_id)

    stored = db.session.get(CatalogueImport, seen.import_id)
    assert stored.applied_at is not None
    assert stored.content == b""


def test_uploads_nobody_confirmed_are_cleared_after_a_day(shop):
    old = preview(shop, csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins"))
    recent = preview(shop, csv_lines(OWN_HEADER, "NEW-2,Fresh peas,each,1,1.00,0,Tins"))
    db.session.get(CatalogueImport, old.import_id).created_at = utcnow() - timedelta(days=2)
    db.session.commit()

    preview(shop, csv_lines(OWN_HEADER, "NEW-3,Fresh corn,each,1,1.00,0,Tins"))

    assert db.session.get(CatalogueImport, old.import_id) is None
    assert db.session.get(CatalogueImport, recent.import_id) is not None


def test_a_file_that_cannot_be_read_is_refused_and_not_stored(shop):
    page = "<!DOCTYPE html><html><body><table><tr><td>Rice</td></tr></table></body></html>"
    message = refusal_message(lambda: preview(shop, page), field="file")

    assert message.startswith("The file is a web page (HTML), not a spreadsheet")
    assert count_rows(CatalogueImport) == 0


def test_a_file_of_unknown_columns_asks_for_a_mapping_and_imports_nothing_without_one(shop):
    seen = preview(shop, "name,price\nRice,1.00\n")

    assert seen.needs_mapping and seen.header == ("name", "price")
    message = refusal_message(lambda: apply(shop, seen.import_id), field="mapping")
    assert message.startswith("Say which column of the file holds which field")
    assert count_rows(Product) == 0


ROWS = 2000


@pytest.mark.parametrize("mark_missing_unavailable", [False, True])
def test_an_import_takes_the_same_few_statements_whatever_its_size(
    shop, count_queries, mark_missing_unavailable
):
    # Half the catalogue changes price, a quarter is new, and some is missing.
    shop.add_many(ROWS)
    content = csv_lines(
        OWN_HEADER,
        *(
            f"C{i:05d},Product {i},each,1,{plain_pounds(100 + i + i % 2)},0,"
            for i in range(ROWS // 4, ROWS + ROWS // 4)
        ),
    )

    with count_queries() as previewing:
        seen = preview(shop, content, mark_missing_unavailable=mark_missing_unavailable)
    with count_queries() as applying:
        result = apply(shop, seen.import_id)

    assert (result.added, result.changed) == (ROWS // 4, ROWS * 3 // 4 // 2)
    assert result.marked_unavailable == (ROWS // 4 if mark_missing_unavailable else 0)
    assert len(previewing) <= 6, previewing
    assert len(applying) <= 12, applying
    assert count_rows(PriceChange) == ROWS * 3 // 4 // 2
    assert count_rows(Product, Product.available.is_(False)) == result.marked_unavailable
