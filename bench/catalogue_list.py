"""How the catalogue list copes with 10,000 products.

Seeds 10,000 products in a scratch SQLite database (and, when
``COOP_TEST_DATABASE_URL`` is set, in a scratch PostgreSQL database beside
it), then times page 1 and page 150 of a filtered search, through the
service and as a whole page, against a floor measured in the same run: a plain
``SELECT ... LIMIT 50`` by primary key. Prints the median and best of several
runs and the median's ratio to that floor.

    .venv/bin/python bench/catalogue_list.py [--products 10000] [--repeat 15]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from _common import Line, bench_app, print_report, scratch_database, targets, time_runs
from sqlalchemy import insert, text

from coop.domain.catalogue import Tag
from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, Membership, Product, Supplier, User
from coop.services.catalogue.search import CatalogueQuery, catalogue_page
from coop.services.people.passwords import hash_password

PASSWORD = "benchmark password"
ITEMS = ["Basmati rice", "Penne pasta", "Chopped tomatoes", "Red lentils", "Porridge oats"]
MAKERS = ["Suma", "Northern Foods", "Northern Mills", "Northern Pantry", "Northern Dairies"]
CATEGORIES = ["Dry goods", "Tins", "Breakfast", "Household", "Baby"]
# The search of the benchmark: "northern", available only. It matches about
# 8,000 of 10,000 products, so page 150 exists and lies deep in the results.
SEARCH = CatalogueQuery(search="northern", available_only=True)
SEARCH_ARGS = "q=northern&available=y"


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


def run(label: str, url: str, count: int, repeat: int) -> None:
    app = bench_app(url)
    with app.app_context():
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
        base = time_runs(floor, repeat)
        total = catalogue_page(coop=db.session.get(Coop, coop_id), query=SEARCH).total
        lines = [
            Line("floor: SELECT ... LIMIT 50 by id", base),
            Line("service, page 1", time_runs(service(1), repeat), base, "floor"),
            Line("service, page 150", time_runs(service(150), repeat), base, "floor"),
        ]
    lines += [
        Line("whole page over HTTP, page 1", time_runs(whole_page(1), repeat), base, "floor"),
        Line("whole page over HTTP, page 150", time_runs(whole_page(150), repeat), base, "floor"),
    ]
    print_report(f"{label}: {count:,} products; the search matches {total:,}", lines)
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    for label, server in targets():
        with scratch_database(server) as url:
            run(label, url, arguments.products, arguments.repeat)


if __name__ == "__main__":
    main()
