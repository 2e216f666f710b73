"""What the import tests share: a co-op with a supplier, files and how to upload them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import insert, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from coop.extensions import db
from coop.models import Coop, Product, Supplier, User

FOODSOFT_HEADER = (
    "avail.;Order number;Name;Supplier order unit;Unit;Ratios to supplier order unit;"
    "Minimum order quantity;Billing unit;Group order granularity;Group order unit;"
    "Price (net);Price unit;VAT;Deposit;Note;Category;Origin;Manufacturer"
)
OWN_HEADER = "code,name,unit,case_size,case_price,vat_rate,category"


@dataclass
class Shop:
    """A co-op, its coordinator and one supplier whose catalogue it keeps."""

    coop: Coop
    coordinator: User
    supplier: Supplier

    def add(self, **values: Any) -> Product:
        values.setdefault("case_price_pence", 1000)
        values.setdefault("name", f"Product {values['code']}")
        product = Product(supplier=self.supplier, **values)
        db.session.add(product)
        db.session.commit()
        return product

    def add_many(self, count: int) -> None:
        db.session.execute(
            insert(Product),
            [
                {
                    "supplier_id": self.supplier.id,
                    "code": f"C{i:05d}",
                    "name": f"Product {i}",
                    "case_price_pence": 100 + i,
                }
                for i in range(count)
            ],
        )
        db.session.commit()

    def product(self, code: str) -> Product | None:
        db.session.expire_all()
        return db.session.scalar(
            select(Product).where(Product.supplier_id == self.supplier.id, Product.code == code)
        )

    def url(self, tail: str = "import") -> str:
        return f"/coops/{self.coop.slug}/admin/suppliers/{self.supplier.id}/{tail}"


def upload(
    client: FlaskClient,
    shop: Shop,
    content: str | bytes,
    *,
    filename: str = "catalogue.csv",
    mark_missing_unavailable: bool = False,
    extra: dict[str, str] | None = None,
    **kwargs: Any,
):
    """Post a file to the supplier's import page, as the form would."""
    data = content.encode() if isinstance(content, str) else content
    fields: dict[str, Any] = {"file": FileStorage(io.BytesIO(data), filename=filename)}
    if mark_missing_unavailable:
        fields["mark_missing_unavailable"] = "y"
    fields.update(extra or {})
    # Encoded here in memory: the test client would spool a big body to a
    # temporary file that nothing closes.
    boundary, body = encode_multipart(fields)
    return client.post(
        shop.url(), data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs
    )


def csv_lines(*lines: str) -> str:
    return "\n".join(lines) + "\n"
