"""How the catalogue list copes with 10,000 products.

Seeds 10,000 products in a scratch SQLite database (and, when
``COOP_TEST_DATABASE_URL`` is set, in a scratch PostgreSQL database beside
it), then times page 1 and page 150 of a filtered search, through the
service and as a whole page, against a floor measured in the same run: a plain
``SELECT ... LIMIT 50`` by primary key. Prints the median of several runs
and the ratio to that floor.

    .venv/bin/python bench/catalogue_list.py [--products 10000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, text

from config import TestingConfig, database_url
from coop import create_app
from coop.domain.catalogue import Tag
from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, Membership, Product, Supplier, User
from coop.services.catalogue_search import CatalogueQuery, catalogue_page
from coop.services.passwords import hash_password

PASSWORD = "benchmark password"
ITEMS = ["Basmati rice", "Penne pasta", "Chopped tomatoes", "Red lentils", "Porridge oats"]
MAKERS = ["Suma", "Northern Foods", "Northern Mills", "Northern Pantry", "Northern Dairies"]
CATEGORIES = ["Dry goods", "Tins", "Breakfast", "Household", "Baby"]
# The search of the benchmark: "northern", available only. It matches about
# 8,000 of 10,000 products, so page 150 exists and lies deep in the results.
SEARCH = CatalogueQuery(search="northern", available_only=True)
SEARCH_ARGS = "q=northern&available=y"


@contextmanager
def scratch_databases() -> Iterator[list[tuple[str, str]]]:
    """Yield (label, URL) of a new SQLite database, and of a PostgreSQL one when configured."""
    with tempfile.TemporaryDirectory() as directory:
        urls = [("SQLite", f"sqlite:///{Path(directory) / 'bench.sqlite'}")]
        server = os.environ.get("COOP_TEST_DATABASE_URL")
        if not server:
            yield urls
            return
        url = make_url(database_url(server))
        name = f"{url.database}_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            urls.append(("PostgreSQL", url.set(database=name).render_as_string(False)))
            yield urls
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def seed(count: int) -> Coop:
    """Add a co-op, its coordinator and one supplier with *count* products."""
    coop = Coop(name="Bench Co-op", slug="bench", markup_bp=250)
    user = User(
        email="coordinator@example.org", name="Bench", password_hash=hash_password(PASSWORD)
    )
    supplier = Supplier(coop=coop, name="Bench Wholesale")
    db.session.add_all(
        [
            coop,
            user,
            supplier,
            Membership(coop=coop, user=user, role=Role.COORDINATOR, status=MembershipStatus.ACTIVE),
        ]
    )
    db.session.flush()
    rows = [
        {
            "supplier_id": supplier.id,
            "code": f"BW{i:06d}",
            "name": f"{ITEMS[i % len(ITEMS)]} {i % 997} g",
            "description": "A staple of the benchmark catalogue. " * 4,
            "category": CATEGORIES[i % len(CATEGORIES)],
            "tag_bits": Tag.VEGAN.bit if i % 3 else 0,
            "unit_label": "500 g bag",
            "case_size": 1 + i % 24,
            "case_price_pence": 150 + (i * 37) % 5000,
            "vat_bp": 0 if i % 4 else 2000,
            "manufacturer": MAKERS[i % len(MAKERS)],
            "available": i % 20 != 0,
        }
        for i in range(count)
    ]
    db.session.execute(insert(Product), rows)
    db.session.commit()
    return coop


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm the caches, as a running server has them
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run(label: str, url: str, count: int, repeat: int) -> None:
    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        coop_id = seed(count).id

    def floor() -> object:
        return db.session.execute(text("SELECT * FROM products ORDER BY id LIMIT 50")).all()

    def service(page: int) -> Callable[[], object]:
        def call() -> object:
            coop = db.session.get(Coop, coop_id)
            query = CatalogueQuery(search=SEARCH.search, available_only=True, page=page)
            result = catalogue_page(coop=coop, query=query)
            assert len(result.rows) == 50 and result.page == page, "the page is not full"
            db.session.rollback()
            return result

        return call

    # Each request gets its own app context, as in production.
    client = app.test_client()
    login = {"email": "coordinator@example.org", "password": PASSWORD}
    assert client.post("/login", data=login).status_code == 302

    def whole_page(page: int) -> Callable[[], object]:
        path = f"/coops/bench/admin/catalogue?{SEARCH_ARGS}&page={page}"

        def call() -> object:
            response = client.get(path)
            assert response.status_code == 200, response.status
            return response

        return call

    with app.app_context():
        base = median_ms(floor, repeat)
        total = catalogue_page(coop=db.session.get(Coop, coop_id), query=SEARCH).total
        print(f"\n{label}: {count:,} products; the search matches {total:,}")
        print(f"{'what':<38}{'median ms':>10}{'x floor':>10}")
        print(f"{'floor: SELECT ... LIMIT 50 by id':<38}{base:>10.2f}{1:>10.1f}")
        timings = [
            ("service, page 1", median_ms(service(1), repeat)),
            ("service, page 150", median_ms(service(150), repeat)),
        ]
    timings += [
        ("whole page over HTTP, page 1", median_ms(whole_page(1), repeat)),
        ("whole page over HTTP, page 150", median_ms(whole_page(150), repeat)),
    ]
    for what, took in timings:
        print(f"{what:<38}{took:>10.2f}{took / base:>10.1f}")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    with scratch_databases() as urls:
        for label, url in urls:
            run(label, url, arguments.products, arguments.repeat)


if __name__ == "__main__":
    main()
