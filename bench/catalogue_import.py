"""How long a 20,000-row catalogue import takes, against baselines measured in the same run.

    .venv/bin/python bench/catalogue_import.py [--rows 20000]

Runs on a scratch SQLite file, and also on PostgreSQL when
``COOP_TEST_DATABASE_URL`` is set (a scratch database created beside that
one and dropped afterwards). Each step is timed with the database as the
app would use it; the baselines are the least any import could do with the
same file: read it with a bare ``csv.reader``, and insert its rows with one
raw ``executemany``. The ratios say how far the import is from them.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Callable
from datetime import date

from _common import Line, Timing, bench_app, print_report, scratch_database, targets, time_once

from coop.domain.catalogue_csv import COLUMNS, PRODUCT_FIELDS, parse_catalogue
from coop.domain.money import plain_pounds
from coop.domain.spreadsheets import csv_text
from coop.extensions import db
from coop.models import Coop, Supplier, User
from coop.models.types import utcnow
from coop.services.catalogue.export import export_catalogue
from coop.services.catalogue.imports import apply_import, preview_import

WORDS = [
    "basmati",
    "rice",
    "penne",
    "chopped",
    "tomatoes",
    "red",
    "lentils",
    "chickpeas",
    "rapeseed",
    "oil",
    "tea",
    "bags",
    "porridge",
    "oats",
    "nappies",
    "washing-up",
    "liquid",
    "oat",
    "drink",
    "peanut",
    "butter",
    "baked",
    "beans",
    "sunflower",
    "seeds",
]
CATEGORIES = ("Rice and grains", "Pasta", "Tins", "Pulses", "Oils", "Drinks", "Household")
UNITS = ("1 kg bag", "500 g bag", "400 g tin", "1 litre bottle", "each", "box of 80")


def catalogue_file(rows: int, *, seed: int = 1, price_shift: int = 0) -> str:
    """Return a file in the coop format with *rows* plausible products."""
    pick = random.Random(seed)

    def row(i: int) -> list[object]:
        price = pick.randint(150, 6000) + price_shift
        return [
            f"SKU-{i:06d}",
            " ".join(pick.sample(WORDS, 3)).capitalize(),
            "Bulk pack for co-ops" if i % 3 == 0 else "",
            pick.choice(CATEGORIES),
            pick.choice(("vegan", "vegan|organic", "", "halal", "gluten-free|fairtrade")),
            pick.choice(UNITS),
            pick.choice((1, 6, 12, 24)),
            plain_pounds(price),
            pick.choice((0, 0, 5, 20)),
            "",
            "England",
            "Suma",
            plain_pounds(pick.randint(50, 900)),
            "2026-03-02",
            "Tesco.com",
            "yes" if i % 20 else "no",
        ]

    return csv_text(COLUMNS, (row(i) for i in range(rows)))


def raw_insert(supplier_id: int, content: str) -> Callable[[], None]:
    """Return an insert of the file's rows with one executemany of the driver, nothing else.

    The rows are read beforehand, so only the write is timed.
    """
    columns = ["supplier_id", *PRODUCT_FIELDS, "updated_at"]
    now = utcnow()
    rows = [(supplier_id, *row.values().values(), now) for row in parse_catalogue(content).rows]
    mark = "?" if db.engine.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO products ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"

    def insert() -> None:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(sql, rows)

    return insert


def bench(url: str, rows: int) -> list[Line]:
    app = bench_app(url)
    lines: list[Line] = []
    with app.app_context():
        coop = Coop(name="Bench Co-op", slug="bench", pickup_address="Hall")
        user = User(email="bench@example.org", name="Bench", password_hash="-")
        supplier = Supplier(coop=coop, name="Bench Wholesale")
        other = Supplier(coop=coop, name="Baseline Wholesale")
        db.session.add_all([coop, user, supplier, other])
        db.session.commit()
        content = catalogue_file(rows)
        data = content.encode()

        read, _ = time_once(lambda: sum(1 for _ in csv.reader(io.StringIO(content))))
        insert, _ = time_once(raw_insert(other.id, content))
        lines.append(Line(f"baseline: csv.reader over {rows:,} rows", read))
        lines.append(Line(f"baseline: raw executemany of {rows:,} rows", insert))

        def preview(body: bytes, mark: bool = False):
            found = preview_import(
                supplier=supplier,
                data=body,
                filename="bench.csv",
                mark_missing_unavailable=mark,
                uploaded_by=user,
            )
            db.session.commit()
            return found

        def apply(import_id: int):
            done = apply_import(import_id=import_id, supplier=supplier, user=user)
            db.session.commit()
            return done

        def reading(what: str, timing: Timing) -> None:
            lines.append(Line(what, timing, read, "csv.reader"))

        def writing(what: str, timing: Timing) -> None:
            lines.append(Line(what, timing, insert, "executemany"))

        timing, found = time_once(lambda: preview(data))
        reading(f"preview: {len(found.additions):,} new", timing)
        timing, done = time_once(lambda: apply(found.import_id))
        writing(f"import: {done.added:,} new", timing)

        changed = catalogue_file(rows, price_shift=7).encode()
        timing, found = time_once(lambda: preview(changed))
        reading(f"preview: {len(found.changes):,} new prices", timing)
        timing, done = time_once(lambda: apply(found.import_id))
        writing(f"import: {done.price_changes:,} new prices + history", timing)

        timing, exported = time_once(lambda: export_catalogue(supplier=supplier).encode())
        reading(f"export: {rows:,} rows", timing)
        timing, found = time_once(lambda: preview(exported, mark=True))
        reading(f"preview: re-import of the export ({found.unchanged:,} unchanged)", timing)
        timing, done = time_once(lambda: apply(found.import_id))
        writing(f"import: re-import of the export ({done.changed} changed)", timing)
        db.session.remove()
        db.engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    rows = parser.parse_args().rows
    print(f"coop catalogue import, {rows:,} rows, {date.today().isoformat()}")
    for label, server in targets():
        with scratch_database(server) as url:
            lines = bench(url, rows)
        print_report(label, lines)


if __name__ == "__main__":
    main()
