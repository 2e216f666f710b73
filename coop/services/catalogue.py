"""Suppliers and products: which a co-op sees, and which it may change."""

from __future__ import annotations

from sqlalchemy import or_, select

from coop.extensions import db
from coop.models import CatalogueSubscription, Coop, Supplier


def _visible_to(coop: Coop):  # type: ignore[no-untyped-def]
    subscribed = select(CatalogueSubscription.supplier_id).where(
        CatalogueSubscription.coop_id == coop.id
    )
    return or_(Supplier.coop_id == coop.id, Supplier.id.in_(subscribed))


def suppliers_for(*, coop: Coop) -> list[Supplier]:
    """Return the suppliers in *coop*'s catalogue: its own and those it subscribes to."""
    return list(
        db.session.scalars(select(Supplier).where(_visible_to(coop)).order_by(Supplier.name))
    )


def supplier_for(*, coop: Coop, supplier_id: int) -> Supplier | None:
    """Return a supplier *coop* can see (own or subscribed), or None."""
    return db.session.scalar(select(Supplier).where(Supplier.id == supplier_id, _visible_to(coop)))


def owned_supplier(*, coop: Coop, supplier_id: int) -> Supplier | None:
    """Return a supplier whose catalogue *coop* itself keeps (and so may change), or None."""
    return db.session.scalar(
        select(Supplier).where(Supplier.id == supplier_id, Supplier.coop_id == coop.id)
    )


def is_owner(*, coop: Coop, supplier: Supplier) -> bool:
    """Tell whether *coop* keeps *supplier*'s catalogue (rather than subscribing)."""
    return supplier.coop_id == coop.id
