"""Fixtures for the supplier and product pages: a catalogue builder and a signed-in coordinator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import insert

from coop.extensions import db
from coop.models import CatalogueSubscription, Coop, Product, Supplier


@dataclass
class Catalogue:
    """Builds suppliers and products; each call commits, as a request would."""

    counter: int = 0

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    def supplier(self, coop: Coop, **values: Any) -> Supplier:
        values.setdefault("name", f"Supplier {self._next()}")
        supplier = Supplier(coop=coop, **values)
        db.session.add(supplier)
        db.session.commit()
        return supplier

    def product(self, supplier: Supplier, **values: Any) -> Product:
        n = self._next()
        values.setdefault("code", f"P{n:05d}")
        values.setdefault("name", f"Product {n}")
        values.setdefault("case_price_pence", 1000)
        product = Product(supplier=supplier, **values)
        db.session.add(product)
        db.session.commit()
        return product

    def many(
        self, supplier: Supplier, count: int, row: Callable[[int], dict[str, Any]] | None = None
    ) -> None:
        """Add *count* products in one bulk insert; *row(i)* may give each one's values."""
        rows = []
        for i in range(count):
            values = {
                "supplier_id": supplier.id,
                "code": f"B{i:05d}",
                "name": f"Bulk product {i:05d}",
                "case_price_pence": 100 + i,
                "case_size": 1,
                "vat_bp": 0,
                "tag_bits": 0,
                "available": True,
            }
            values.update(row(i) if row else {})
            rows.append(values)
        db.session.execute(insert(Product), rows)
        db.session.commit()

    def subscribe(self, coop: Coop, supplier: Supplier) -> CatalogueSubscription:
        subscription = CatalogueSubscription(coop=coop, supplier=supplier)
        db.session.add(subscription)
        db.session.commit()
        return subscription


@pytest.fixture
def catalogue(app) -> Catalogue:
    return Catalogue()


@pytest.fixture
def coordinator(client, auth, two_coops):
    """Log in as the coordinator of Fishwick; return the client."""
    auth.login_as(two_coops.coordinator)
    return client
