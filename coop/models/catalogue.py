"""Suppliers, their products, price history and catalogue sharing."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.domain.catalogue import ALL_TAG_BITS, ALL_WEEKDAY_BITS
from coop.extensions import Model
from coop.models.types import (
    UTCDateTime,
    sold_by_the_case_checks,
    sql_between,
    str_enum,
    utcnow,
)

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.coops import Coop


class SupplierKind(StrEnum):
    """What sort of supplier it is."""

    WHOLESALER = "wholesaler"
    PRODUCER = "producer"
    SURPLUS = "surplus"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            SupplierKind.WHOLESALER: "Wholesaler",
            SupplierKind.PRODUCER: "Producer or grower",
            SupplierKind.SURPLUS: "Surplus food",
            SupplierKind.OTHER: "Other",
        }[self]


class ShareScope(StrEnum):
    """Who may subscribe to a supplier's catalogue."""

    PRIVATE = "private"
    COUNCIL = "council"
    PLATFORM = "platform"

    @property
    def label(self) -> str:
        return {
            ShareScope.PRIVATE: "Not shared",
            ShareScope.COUNCIL: "Shared with the co-ops of our council",
            ShareScope.PLATFORM: "Shared with every co-op on the platform",
        }[self]


class Supplier(Model):
    """A supplier a co-op buys from; its catalogue belongs to that co-op."""

    __tablename__ = "suppliers"
    __table_args__ = (
        UniqueConstraint("coop_id", "name"),
        CheckConstraint("min_order_pence >= 0", name="min_order_not_negative"),
        CheckConstraint("delivery_charge_pence >= 0", name="delivery_charge_not_negative"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint(sql_between("order_days", 0, ALL_WEEKDAY_BITS), name="order_days_bits"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[SupplierKind] = mapped_column(
        str_enum(SupplierKind, "supplier_kind"), default=SupplierKind.WHOLESALER
    )
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(8), default="")
    is_local: Mapped[bool] = mapped_column(default=False)
    min_order_pence: Mapped[int] = mapped_column(default=0)
    delivery_charge_pence: Mapped[int] = mapped_column(default=0)
    order_days: Mapped[int] = mapped_column(default=0)  # bits: Monday 1 ... Sunday 64
    lead_time_days: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    share_scope: Mapped[ShareScope] = mapped_column(
        str_enum(ShareScope, "share_scope"), default=ShareScope.PRIVATE
    )
    # Which of the supplier's own price-list columns hold which product field,
    # as JSON (`coop.domain.catalogue_files.mapped.ColumnMapping`); "" when none is saved.
    column_mapping: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    coop: Mapped[Coop] = relationship()


class Product(Model):
    """An item of a supplier's catalogue, priced by the case.

    Members order in member units (`unit_label`, e.g. "500 g bag"); a case
    holds `case_size` of them. Tags are bits of `tag_bits` (see
    `coop.domain.catalogue.Tag`), so a filter is one bit test
    rather than a join per tag.
    """

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("supplier_id", "code"),
        *sold_by_the_case_checks(),
        CheckConstraint(
            "reference_price_pence IS NULL OR reference_price_pence >= 0",
            name="reference_price_not_negative",
        ),
        CheckConstraint(sql_between("tag_bits", 0, ALL_TAG_BITS), name="tag_bits_known"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        Index("ix_products_supplier_id_name", "supplier_id", "name"),
        Index("ix_products_supplier_id_category", "supplier_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(80), default="")
    tag_bits: Mapped[int] = mapped_column(default=0)
    unit_label: Mapped[str] = mapped_column(String(60), default="each")
    case_size: Mapped[int] = mapped_column(default=1)
    case_price_pence: Mapped[int]
    vat_bp: Mapped[int] = mapped_column(default=0)
    deposit_pence: Mapped[int] = mapped_column(default=0)
    origin: Mapped[str] = mapped_column(String(80), default="")
    manufacturer: Mapped[str] = mapped_column(String(120), default="")
    reference_price_pence: Mapped[int | None]
    reference_price_date: Mapped[date | None]
    reference_price_source: Mapped[str] = mapped_column(String(200), default="")
    available: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[Supplier] = relationship()


class PriceChange(Model):
    """A change of a product's case price or VAT rate: who, when, old and new."""

    __tablename__ = "price_changes"
    __table_args__ = (
        CheckConstraint("old_case_price_pence >= 0", name="old_price_not_negative"),
        CheckConstraint("new_case_price_pence >= 0", name="new_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    old_case_price_pence: Mapped[int]
    new_case_price_pence: Mapped[int]
    old_vat_bp: Mapped[int]
    new_vat_bp: Mapped[int]
    reason: Mapped[str] = mapped_column(String(40))  # edit, bulk change, import, feed

    changed_by: Mapped[User | None] = relationship()


class CatalogueSubscription(Model):
    """A co-op reading another co-op's shared supplier catalogue."""

    __tablename__ = "catalogue_subscriptions"
    __table_args__ = (UniqueConstraint("coop_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coop: Mapped[Coop] = relationship()
    supplier: Mapped[Supplier] = relationship()


class CatalogueFeed(Model):
    """A token that lets another coop instance read a shared catalogue as JSON.

    Only a SHA-256 digest of the token is stored.
    """

    __tablename__ = "catalogue_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    supplier: Mapped[Supplier] = relationship()
    created_by: Mapped[User] = relationship()


class CatalogueImport(Model):
    """An uploaded catalogue file waiting for the coordinator to confirm it.

    The file is kept between the preview and the confirmation, as the bytes
    uploaded (a CSV file or a spreadsheet), with the choices made on the
    preview: the format (`auto` to detect it), the sheet of a workbook, the
    foreign VAT rates mapped to UK ones (`7=5,19=20`) and the column mapping
    (JSON), so what is written is exactly what was previewed;
    `catalogue_digest` notices a catalogue that changed in between.
    """

    __tablename__ = "catalogue_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    format: Mapped[str] = mapped_column(String(20), default="auto", server_default="auto")
    sheet: Mapped[str] = mapped_column(String(255), default="")
    vat_map: Mapped[str] = mapped_column(String(255), default="")
    mapping: Mapped[str] = mapped_column(Text, default="")
    mark_missing_unavailable: Mapped[bool] = mapped_column(default=False)
    catalogue_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    supplier: Mapped[Supplier] = relationship()
