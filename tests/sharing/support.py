"""Builders the sharing tests share: a publisher, a neighbour in its council, and outsiders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coop.domain.catalogue import Tag
from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CatalogueSubscription, Coop, Product, ShareScope, Supplier, User


def admin_url(coop: Coop, path: str) -> str:
    """Return the address of a page of *coop*'s management area."""
    return f"/coops/{coop.slug}/admin{path}"


def sharing_url(coop: Coop, supplier: Supplier, path: str = "/sharing") -> str:
    """Return the address of a supplier's sharing page (or *path* below it) in *coop*."""
    return admin_url(coop, f"/suppliers/{supplier.id}{path}")


def shared_url(coop: Coop, supplier: Supplier | None = None, action: str = "") -> str:
    """Return the shared-catalogues list, or one shared catalogue (and an action on it)."""
    if supplier is None:
        return admin_url(coop, "/shared-catalogues")
    return admin_url(coop, f"/shared-catalogues/{supplier.id}{action}")


@dataclass
class FourCoops:
    """Fishwick keeps a wholesaler; Ribbleton shares its council; Lancaster and Loner do not."""

    publisher: Coop
    neighbour: Coop
    outsider: Coop
    loner: Coop
    publisher_coordinator: User
    publisher_treasurer: User
    neighbour_coordinator: User
    neighbour_treasurer: User
    outsider_coordinator: User
    loner_coordinator: User
    supplier: Supplier
    rice: Product
    soap: Product

    def reload(self, row: Any) -> Any:
        """Return *row* as the database has it now."""
        db.session.expire_all()
        return db.session.get(type(row), row.id)


def add_supplier(coop: Coop, name: str, **values: Any) -> Supplier:
    supplier = Supplier(coop=coop, name=name, **values)
    db.session.add(supplier)
    db.session.commit()
    return supplier


def add_product(supplier: Supplier, code: str, name: str, **values: Any) -> Product:
    values.setdefault("case_price_pence", 1000)
    product = Product(supplier=supplier, code=code, name=name, **values)
    db.session.add(product)
    db.session.commit()
    return product


def subscribe(coop: Coop, supplier: Supplier) -> CatalogueSubscription:
    subscription = CatalogueSubscription(coop=coop, supplier=supplier)
    db.session.add(subscription)
    db.session.commit()
    return subscription


def share(supplier: Supplier, scope: ShareScope) -> None:
    supplier.share_scope = scope
    db.session.commit()


def build_four_coops(factory: Any) -> FourCoops:
    preston = factory.council(name="Preston City Council")
    lancaster = factory.council(name="Lancaster City Council")
    publisher = factory.coop(name="Fishwick Food Co-op", slug="fishwick", council=preston)
    neighbour = factory.coop(name="Ribbleton Pantry", slug="ribbleton", council=preston)
    outsider = factory.coop(name="Lancaster Larder", slug="lancaster", council=lancaster)
    loner = factory.coop(name="Loner Co-op", slug="loner")
    neighbour.markup_bp = 1000  # 10%, so its member prices differ from Fishwick's
    db.session.commit()
    supplier = add_supplier(
        publisher,
        "Northern Wholefoods",
        email="orders@northern.example.org",
        min_order_pence=25_000,
        delivery_charge_pence=1_500,
    )
    rice = add_product(
        supplier,
        "RICE-1",
        "Basmati rice",
        unit_label="1 kg bag",
        case_size=10,
        case_price_pence=2_000,
        category="Rice and grains",
        tag_bits=Tag.VEGAN.bit | Tag.GLUTEN_FREE.bit,
        reference_price_pence=275,
        reference_price_source="Tesco.com, 2026-11-02",
    )
    soap = add_product(
        supplier, "SOAP-1", "Bar soap", case_size=12, case_price_pence=1_200, vat_bp=2000
    )
    return FourCoops(
        publisher=publisher,
        neighbour=neighbour,
        outsider=outsider,
        loner=loner,
        publisher_coordinator=factory.member(
            publisher, Role.COORDINATOR, user=factory.user(email="cath@fishwick.example.org")
        ),
        publisher_treasurer=factory.member(publisher, Role.TREASURER),
        neighbour_coordinator=factory.member(
            neighbour, Role.COORDINATOR, user=factory.user(email="rosa@ribbleton.example.org")
        ),
        neighbour_treasurer=factory.member(neighbour, Role.TREASURER),
        outsider_coordinator=factory.member(outsider, Role.COORDINATOR),
        loner_coordinator=factory.member(loner, Role.COORDINATOR),
        supplier=supplier,
        rice=rice,
        soap=soap,
    )
