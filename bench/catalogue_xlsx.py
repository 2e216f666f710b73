"""How a 20,000-row .xlsx price list previews and imports, against the same rows as CSV.

    .venv/bin/python bench/catalogue_xlsx.py [--rows 20000] [--repeat 3] [--check]

The target: preview and import of the workbook within 3x of the CSV file,
both measured in this run, taking turns so a noisy machine slows both alike.
Each run previews the file and imports it into an empty catalogue of its
own supplier. Runs on a scratch SQLite file, and also on PostgreSQL when
``COOP_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import date
from decimal import Decimal

from _common import (
    Line,
    bench_app,
    print_report,
    scratch_database,
    taking_turns,
    targets,
    within_ratio,
)
from catalogue_import import catalogue_file
from openpyxl import Workbook
from sqlalchemy import delete, select

from coop.domain.catalogue_csv import PRODUCT_FIELDS
from coop.extensions import db
from coop.models import CatalogueImport, Coop, PriceChange, Product, Supplier, User
from coop.services.catalogue.imports import apply_import, preview_import

LIMIT = 3.0
NUMBERS = {"case_size", "case_price", "vat_rate", "deposit", "reference_price"}


def workbook_of(content: str) -> bytes:
    """The same rows as a workbook, numbers as numbers (prices as exact decimals)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Prices")
    reader = csv.reader(io.StringIO(content))
    header = next(reader)
    sheet.append(header)
    for row in reader:
        sheet.append(
            [
                (Decimal(cell) if "." in cell else int(cell)) if name in NUMBERS and cell else cell
                for name, cell in zip(header, row, strict=True)
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _products(supplier: Supplier) -> set[tuple[object, ...]]:
    fields = [getattr(Product, name) for name in PRODUCT_FIELDS]
    return set(db.session.execute(select(*fields).where(Product.supplier_id == supplier.id)))


def bench(url: str, rows: int, repeat: int) -> tuple[list[Line], list[bool]]:
    app = bench_app(url)
    with app.app_context():
        coop = Coop(name="Bench Co-op", slug="bench", pickup_address="Hall")
        user = User(email="bench@example.org", name="Bench", password_hash="-")
        suppliers = {"csv": Supplier(coop=coop, name="CSV"), "xlsx": Supplier(coop=coop, name="X")}
        db.session.add_all([coop, user, *suppliers.values()])
        db.session.commit()
        content = catalogue_file(rows)
        files = {"csv": content.encode(), "xlsx": workbook_of(content)}

        def run(kind: str) -> int:
            supplier = suppliers[kind]
            found = preview_import(
                supplier=supplier,
                data=files[kind],
                filename=f"prices.{kind}",
                mark_missing_unavailable=False,
                uploaded_by=user,
            )
            db.session.commit()
            assert not found.errors, found.errors[:3]
            done = apply_import(import_id=found.import_id, supplier=supplier, user=user)
            db.session.commit()
            return done.added

        def reset(kind: str) -> None:
            supplier_id = suppliers[kind].id
            products = select(Product.id).where(Product.supplier_id == supplier_id)
            db.session.execute(delete(PriceChange).where(PriceChange.product_id.in_(products)))
            db.session.execute(delete(Product).where(Product.supplier_id == supplier_id))
            db.session.execute(delete(CatalogueImport))
            db.session.commit()

        timings = taking_turns(
            {"csv": lambda: run("csv"), "xlsx": lambda: run("xlsx")}, reset, repeat
        )
        (csv_time, csv_added), (xlsx_time, xlsx_added) = timings["csv"], timings["xlsx"]
        same = _products(suppliers["csv"]) == _products(suppliers["xlsx"])
        print(f"  the two imports made {'the same' if same else 'DIFFERENT'} products")
        lines = [
            Line(f"baseline: preview + import of {csv_added:,} rows as CSV", csv_time),
            Line(f"preview + import of {xlsx_added:,} rows as .xlsx", xlsx_time, csv_time, "CSV"),
        ]
        print(f"  .xlsx file {len(files['xlsx']):,} bytes, CSV {len(files['csv']):,} bytes")
        met = [same and csv_added == xlsx_added == rows]
        met.append(within_ratio(".xlsx preview + import", xlsx_time, csv_time, LIMIT))
        db.session.remove()
        db.engine.dispose()
    return lines, met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    print(f"coop catalogue import from .xlsx, {args.rows:,} rows, {date.today().isoformat()}")
    met_all = True
    for label, server in targets():
        print(f"\n{label}")
        with scratch_database(server) as url:
            lines, met = bench(url, args.rows, args.repeat)
        print_report(label, lines)
        met_all = met_all and all(met)
    if args.check and not met_all:
        sys.exit(1)


if __name__ == "__main__":
    main()
