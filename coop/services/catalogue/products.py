"""Suppliers and products: which a co-op sees, and what its coordinators change."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import joinedload

from coop.domain.catalogue import (
    MAX_CASE_SIZE,
    MAX_LEAD_TIME_DAYS,
    MAX_PENCE,
    MAX_PENCE_TEXT,
    VAT_RATES_BP,
    ProductDetails,
)
from coop.extensions import db
from coop.models import (
    CatalogueSubscription,
    Coop,
    PriceChange,
    Product,
    ShareScope,
    Supplier,
    SupplierKind,
    User,
)
from coop.services.catalogue.sharing import LinkBuilder, stop_sharing
from coop.services.errors import ServiceError
from coop.services.people.memberships import normalise_postcode


def visible_to(coop: Coop) -> ColumnElement[bool]:
    subscribed = select(CatalogueSubscription.supplier_id).where(
        CatalogueSubscription.coop_id == coop.id
    )
    return or_(Supplier.coop_id == coop.id, Supplier.id.in_(subscribed))


def suppliers_for(*, coop: Coop) -> list[Supplier]:
    """Return the suppliers in *coop*'s catalogue: its own and those it subscribes to."""
    return list(
        db.session.scalars(select(Supplier).where(visible_to(coop)).order_by(Supplier.name))
    )


def supplier_for(*, coop: Coop, supplier_id: int) -> Supplier | None:
    """Return a supplier *coop* can see (own or subscribed), or None."""
    return db.session.scalar(select(Supplier).where(Supplier.id == supplier_id, visible_to(coop)))


def owned_supplier(*, coop: Coop, supplier_id: int) -> Supplier | None:
    """Return a supplier whose catalogue *coop* itself keeps (and so may change), or None."""
    return db.session.scalar(
        select(Supplier).where(Supplier.id == supplier_id, Supplier.coop_id == coop.id)
    )


def is_owner(*, coop: Coop, supplier: Supplier) -> bool:
    """Tell whether *coop* keeps *supplier*'s catalogue (rather than subscribing)."""
    return supplier.coop_id == coop.id


# --- suppliers -------------------------------------------------------------


@dataclass(frozen=True)
class SupplierDetails:
    """What a coordinator says about a supplier; money in pence, order days as bits."""

    name: str
    kind: SupplierKind = SupplierKind.WHOLESALER
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    is_local: bool = False
    min_order_pence: int = 0
    delivery_charge_pence: int = 0
    order_days: int = 0
    lead_time_days: int = 0
    notes: str = ""
    active: bool = True


@dataclass(frozen=True)
class SupplierSummary:
    """A line of the supplier list."""

    supplier: Supplier
    keeper: str  # the name of the co-op that keeps the catalogue
    owned: bool
    product_count: int
    available_count: int


def supplier_summaries(*, coop: Coop) -> list[SupplierSummary]:
    """Return *coop*'s suppliers with who keeps each and its product counts, in one query."""
    products = select(func.count()).where(Product.supplier_id == Supplier.id)
    available = products.where(Product.available.is_(True))
    rows = db.session.execute(
        select(
            Supplier,
            Coop.name,
            products.scalar_subquery(),
            available.scalar_subquery(),
        )
        .join(Coop, Coop.id == Supplier.coop_id)
        .where(visible_to(coop))
        .order_by(Supplier.name, Supplier.id)
    ).all()
    return [
        SupplierSummary(supplier, keeper, supplier.coop_id == coop.id, total, in_stock)
        for supplier, keeper, total, in_stock in rows
    ]


TOO_MUCH = f"Enter an amount of at most {MAX_PENCE_TEXT}."


def _checked_supplier(coop: Coop, details: SupplierDetails, supplier_id: int | None) -> dict:
    values = asdict(details)
    values["name"] = details.name.strip()
    if not values["name"]:
        raise ServiceError("Enter the supplier's name.", field="name")
    clash = db.session.scalar(
        select(Supplier.id).where(
            Supplier.coop_id == coop.id,
            func.lower(Supplier.name) == values["name"].lower(),
            Supplier.id != (supplier_id or 0),
        )
    )
    if clash is not None:
        raise ServiceError(
            f"{coop.name} already has a supplier called {values['name']}.", field="name"
        )
    values["postcode"] = normalise_postcode(details.postcode) if details.postcode.strip() else ""
    for name in ("min_order_pence", "delivery_charge_pence", "lead_time_days"):
        if values[name] < 0:
            raise ServiceError("This cannot be negative.", field=name)
    for name in ("min_order_pence", "delivery_charge_pence"):
        if values[name] > MAX_PENCE:
            raise ServiceError(TOO_MUCH, field=name)
    if details.lead_time_days > MAX_LEAD_TIME_DAYS:
        raise ServiceError(
            f"Enter a whole number from 0 to {MAX_LEAD_TIME_DAYS}.", field="lead_time_days"
        )
    if not 0 <= details.order_days <= 127:
        raise ServiceError("Choose order days from Monday to Sunday.", field="order_days")
    return values


def create_supplier(*, coop: Coop, details: SupplierDetails) -> Supplier:
    """Add a supplier to *coop*'s own catalogue."""
    supplier = Supplier(coop=coop, **_checked_supplier(coop, details, None))
    db.session.add(supplier)
    db.session.flush()
    return supplier


def update_supplier(
    *,
    coop: Coop,
    supplier: Supplier,
    details: SupplierDetails,
    link_for: LinkBuilder | None = None,
) -> Supplier:
    """Change a supplier *coop* keeps; deactivating a shared one ends the share.

    Subscribers then get their own copy, as when sharing stops (`link_for`
    builds the link to each copy for the email telling its coordinators).
    """
    refuse_unless_owner(coop, supplier)
    was_shared = supplier.active and supplier.share_scope is not ShareScope.PRIVATE
    for name, value in _checked_supplier(coop, details, supplier.id).items():
        setattr(supplier, name, value)
    db.session.flush()
    if was_shared and not supplier.active:
        stop_sharing(supplier=supplier, link_for=link_for)
    return supplier


# --- products ---------------------------------------------------------------


def _checked_product(supplier: Supplier, details: ProductDetails, product_id: int | None) -> dict:
    values = {
        name: value.strip() if isinstance(value, str) else value
        for name, value in asdict(details).items()
    }
    for name, message in (
        ("code", "Enter the supplier's code."),
        ("name", "Enter the product's name."),
        ("unit_label", "Say what one unit is, e.g. 500 g bag."),
    ):
        if not values[name]:
            raise ServiceError(message, field=name)
    # Codes differ by more than letter case, as when a file is matched with the catalogue.
    clash = db.session.scalar(
        select(Product.name).where(
            Product.supplier_id == supplier.id,
            func.lower(Product.code) == values["code"].lower(),
            Product.id != (product_id or 0),
        )
    )
    if clash is not None:
        raise ServiceError(
            f"{supplier.name} already has a product with code {values['code']} ({clash}).",
            field="code",
        )
    if details.case_size < 1:
        raise ServiceError("A case holds at least one unit.", field="case_size")
    if details.case_size > MAX_CASE_SIZE:
        raise ServiceError(f"A case holds at most {MAX_CASE_SIZE:,} units.", field="case_size")
    if details.vat_bp not in VAT_RATES_BP:
        raise ServiceError("Choose a VAT rate of 0%, 5% or 20%.", field="vat_bp")
    for name in ("case_price_pence", "deposit_pence", "reference_price_pence"):
        if (values[name] or 0) < 0:
            raise ServiceError("The amount cannot be negative.", field=name)
        if (values[name] or 0) > MAX_PENCE:
            raise ServiceError(TOO_MUCH, field=name)
    _check_reference_price(details)
    return values


def _check_reference_price(details: ProductDetails) -> None:
    # The savings figures councils see rest on these, so a price needs its date and source.
    if details.reference_price_pence is None:
        if details.reference_price_date or details.reference_price_source.strip():
            raise ServiceError(
                "Enter the reference price, or clear its date and source.",
                field="reference_price_pence",
            )
        return
    if details.reference_price_date is None:
        raise ServiceError(
            "Enter the date the reference price was seen.", field="reference_price_date"
        )
    if details.reference_price_date > date.today():
        raise ServiceError("The date cannot be in the future.", field="reference_price_date")
    if not details.reference_price_source.strip():
        raise ServiceError(
            "Say where the reference price comes from, e.g. Tesco.com.",
            field="reference_price_source",
        )


def product_for(*, supplier: Supplier, product_id: int) -> Product | None:
    """Return *supplier*'s product with that id, or None."""
    return db.session.scalar(
        select(Product).where(Product.id == product_id, Product.supplier_id == supplier.id)
    )


def create_product(*, coop: Coop, supplier: Supplier, details: ProductDetails) -> Product:
    """Add a product to the catalogue of a supplier *coop* keeps."""
    refuse_unless_owner(coop, supplier)
    product = Product(supplier=supplier, **_checked_product(supplier, details, None))
    db.session.add(product)
    db.session.flush()
    return product


def update_product(*, coop: Coop, product: Product, details: ProductDetails, by: User) -> Product:
    """Change a product, recording a price change when its case price or VAT moves."""
    refuse_unless_owner(coop, product.supplier)
    old_price, old_vat = product.case_price_pence, product.vat_bp
    for name, value in _checked_product(product.supplier, details, product.id).items():
        setattr(product, name, value)
    if (old_price, old_vat) != (product.case_price_pence, product.vat_bp):
        db.session.add(
            PriceChange(
                product_id=product.id,
                changed_by=by,
                old_case_price_pence=old_price,
                new_case_price_pence=product.case_price_pence,
                old_vat_bp=old_vat,
                new_vat_bp=product.vat_bp,
                reason="edit",
            )
        )
    db.session.flush()
    return product


def set_product_availability(*, coop: Coop, product: Product, available: bool) -> Product:
    """Mark a product available or unavailable to order."""
    refuse_unless_owner(coop, product.supplier)
    product.available = available
    db.session.flush()
    return product


def price_history(*, product: Product) -> list[PriceChange]:
    """Return a product's price changes, newest first, with who made them."""
    return list(
        db.session.scalars(
            select(PriceChange)
            .where(PriceChange.product_id == product.id)
            .options(joinedload(PriceChange.changed_by))
            .order_by(PriceChange.changed_at.desc(), PriceChange.id.desc())
        )
    )


def refuse_unless_owner(coop: Coop, supplier: Supplier) -> None:
    if supplier.coop_id != coop.id:
        raise ServiceError(f"This catalogue is kept by {supplier.coop.name}; you cannot change it.")
