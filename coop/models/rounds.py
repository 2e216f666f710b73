"""Order rounds: what is offered, what households ask for, what they receive.

A round offers items from one or more suppliers. Prices are copied onto each
`RoundItem` when the round opens, so a later catalogue change never moves
the price of an open round. Households' asks are `OrderRequest` rows in
queue order (an increase joins the back of the queue as a new request; a
decrease takes units off the newest first). Closing stores the cases ordered
per item and an `Allocation` per household and item; receiving records what
arrived and shares it out again; `Collection` records who picked up.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from coop.domain.allocation import FIRST_COME, POLICIES
from coop.domain.catalogue import BASIS_POINTS
from coop.domain.rounds import (
    FROM_STOCK,
    RoundState,
    applied_case_price,
    effective_units,
    markup_on_item,
)
from coop.extensions import Model
from coop.models.types import (
    UTCDateTime,
    sold_by_the_case_checks,
    sql_between,
    sql_in,
    str_enum,
    utcnow,
)

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.catalogue import Product, Supplier
    from coop.models.coops import Coop
    from coop.models.memberships import Membership


class Round(Model):
    """One order round of a co-op, from draft to settled (or cancelled)."""

    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint("closes_at > opens_at", name="deadline_after_opening"),
        CheckConstraint(sql_between("fill_percent", 1, 100), name="fill_percent_range"),
        CheckConstraint(
            "max_per_household IS NULL OR max_per_household >= 1", name="limit_positive"
        ),
        CheckConstraint(sql_in("policy", POLICIES), name="policy_known"),
        CheckConstraint(sql_between("markup_bp", 0, BASIS_POINTS), name="markup_range"),
        Index("ix_rounds_coop_id_state", "coop_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"))
    title: Mapped[str] = mapped_column(String(120))
    state: Mapped[RoundState] = mapped_column(
        str_enum(RoundState, "round_state"), default=RoundState.DRAFT
    )
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the ordering deadline
    pickup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pickup_place: Mapped[str] = mapped_column(Text, default="")
    policy: Mapped[str] = mapped_column(String(12), default=FIRST_COME)
    fill_percent: Mapped[int] = mapped_column(default=100)
    # The most one household may ask for of any one item (quantity plus
    # tolerance), unless the item sets its own; None is no limit.
    max_per_household: Mapped[int | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    # The co-op's markup, copied when the round opens, with the prices.
    markup_bp: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who closed it; None when the scheduler (`flask tick`) did.
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    coop: Mapped[Coop] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    settled_by: Mapped[User | None] = relationship(foreign_keys=[settled_by_id])
    suppliers: Mapped[list[RoundSupplier]] = relationship(
        back_populates="round", order_by="RoundSupplier.id"
    )
    items: Mapped[list[RoundItem]] = relationship(back_populates="round", order_by="RoundItem.id")

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.state.value}>"


class RoundSupplier(Model):
    """A supplier whose items a round offers: its order sheet, and whether it was dropped."""

    __tablename__ = "round_suppliers"
    __table_args__ = (UniqueConstraint("round_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    # Dropped when its minimum order was not met: its items are not ordered.
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dropped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    order_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    order_sent_to: Mapped[str] = mapped_column(String(254), default="")
    order_sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    round: Mapped[Round] = relationship(back_populates="suppliers")
    supplier: Mapped[Supplier] = relationship()
    items: Mapped[list[RoundItem]] = relationship(
        back_populates="round_supplier", order_by="RoundItem.id"
    )

    @property
    def dropped(self) -> bool:
        return self.dropped_at is not None


class RoundItem(Model):
    """A product offered in a round, with its price copied from the catalogue.

    The copy is refreshed until the round opens and frozen from then on.
    `cases_ordered` is set at closing; `units_received`, the price actually
    invoiced and any substitution at receiving; `surplus_units` (what nobody
    takes) is the co-op's stock.

    An item from the co-op's own stock (`stock_round_item_id`: the settled
    round's item whose surplus it offers) has no supplier and no product: its
    case is one unit, its price is the co-op's price with no markup on top, and
    closing orders (from the stock) what households get, never more than was
    offered (`coop.services.money.stock`).
    """

    __tablename__ = "round_items"
    __table_args__ = (
        UniqueConstraint("round_id", "product_id"),
        *sold_by_the_case_checks(),
        CheckConstraint(
            "max_per_household IS NULL OR max_per_household >= 1", name="limit_positive"
        ),
        CheckConstraint("cases_ordered IS NULL OR cases_ordered >= 0", name="cases_not_negative"),
        CheckConstraint(
            "units_received IS NULL OR units_received >= 0", name="received_not_negative"
        ),
        CheckConstraint(
            "received_case_price_pence IS NULL OR received_case_price_pence >= 0",
            name="received_price_not_negative",
        ),
        CheckConstraint("surplus_units IS NULL OR surplus_units >= 0", name="surplus_not_negative"),
        CheckConstraint(
            "(stock_round_item_id IS NULL) = (round_supplier_id IS NOT NULL)",
            name="from_a_supplier_or_stock",
        ),
        CheckConstraint(
            "(stock_round_item_id IS NULL) = (product_id IS NOT NULL)", name="product_unless_stock"
        ),
        CheckConstraint("stock_round_item_id IS NULL OR case_size = 1", name="stock_by_the_unit"),
        UniqueConstraint("round_id", "stock_round_item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    # Both None for an item from the co-op's own stock.
    round_supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("round_suppliers.id"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    # The settled round's item whose surplus this item offers from the co-op's stock.
    stock_round_item_id: Mapped[int | None] = mapped_column(ForeignKey("round_items.id"))
    # A copy of the product as it was when the round opened.
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(80), default="")
    tag_bits: Mapped[int] = mapped_column(default=0)
    unit_label: Mapped[str] = mapped_column(String(60), default="each")
    case_size: Mapped[int] = mapped_column(default=1)
    case_price_pence: Mapped[int]
    vat_bp: Mapped[int] = mapped_column(default=0)
    deposit_pence: Mapped[int] = mapped_column(default=0)
    reference_price_pence: Mapped[int | None]
    max_per_household: Mapped[int | None]
    # Closing.
    cases_ordered: Mapped[int | None]
    # Receiving.
    units_received: Mapped[int | None]
    received_case_price_pence: Mapped[int | None]
    substitute: Mapped[str] = mapped_column(String(200), default="")
    surplus_units: Mapped[int | None]

    round: Mapped[Round] = relationship(back_populates="items")
    round_supplier: Mapped[RoundSupplier | None] = relationship(back_populates="items")
    product: Mapped[Product | None] = relationship()

    @property
    def from_stock(self) -> bool:
        """Tell whether the item is offered from the co-op's own stock, not bought."""
        return self.stock_round_item_id is not None

    @property
    def dropped(self) -> bool:
        """Tell whether the item's supplier was dropped (stock is never dropped)."""
        return self.round_supplier is not None and self.round_supplier.dropped

    @property
    def source_name(self) -> str:
        """Return who the item comes from: its supplier's name, or the co-op's stock."""
        if self.round_supplier is None:
            return FROM_STOCK
        return self.round_supplier.supplier.name

    def markup_in(self, round_: Round) -> int:
        """Return the markup on this item's price in *round_*: none on the co-op's stock."""
        return markup_on_item(round_.markup_bp, from_stock=self.from_stock)

    @property
    def units_ordered(self) -> int | None:
        """Units ordered from the supplier (cases x case size), once the round is closed."""
        return None if self.cases_ordered is None else self.cases_ordered * self.case_size

    @property
    def units_available(self) -> int | None:
        """Units there are to share: what arrived once received, else what was ordered."""
        return self.units_received if self.units_received is not None else self.units_ordered

    @hybrid_property
    def applied_case_price_pence(self) -> int:
        """The case price that applies: the invoiced one once received, else the one at opening."""
        return applied_case_price(
            invoiced=self.received_case_price_pence, opening=self.case_price_pence
        )

    @applied_case_price_pence.inplace.expression
    @classmethod
    def _applied_case_price_pence_expression(cls) -> ColumnElement[int]:
        return func.coalesce(cls.received_case_price_pence, cls.case_price_pence).label(
            "applied_case_price_pence"
        )

    def limit_in(self, round_: Round) -> int | None:
        """Return the most one household may ask for of this item, or None for no limit."""
        if self.max_per_household is not None:
            return self.max_per_household
        return round_.max_per_household


class OrderRequest(Model):
    """One place in an item's queue: a household's firm units and tolerance.

    A household's order for an item is the sum of its requests. Tolerance is
    kept on its earliest request; the later ones are increases. Queue order
    is `(created_at, id)`, never the order rows come back in.
    """

    __tablename__ = "order_requests"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("tolerance >= 0", name="tolerance_not_negative"),
        CheckConstraint("quantity + tolerance > 0", name="asks_for_something"),
        Index("ix_order_requests_round_item_id_created_at", "round_item_id", "created_at", "id"),
        Index("ix_order_requests_round_id_membership_id", "round_id", "membership_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    round_item_id: Mapped[int] = mapped_column(ForeignKey("round_items.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    quantity: Mapped[int]
    tolerance: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    item: Mapped[RoundItem] = relationship()
    membership: Mapped[Membership] = relationship()


class Allocation(Model):
    """The units of an item one household receives.

    `closed_units` is what closing promised; `computed_units` is the current
    share by the round's policy (after receiving, of what arrived). A
    coordinator may set `manual_units`, saying why; it then wins.
    """

    __tablename__ = "allocations"
    __table_args__ = (
        UniqueConstraint("round_item_id", "membership_id"),
        CheckConstraint("closed_units >= 0", name="closed_not_negative"),
        CheckConstraint("computed_units >= 0", name="computed_not_negative"),
        CheckConstraint("manual_units IS NULL OR manual_units >= 0", name="manual_not_negative"),
        CheckConstraint(
            "manual_units IS NULL OR length(manual_reason) > 0", name="manual_has_reason"
        ),
        Index("ix_allocations_round_id_membership_id", "round_id", "membership_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    round_item_id: Mapped[int] = mapped_column(ForeignKey("round_items.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=0)  # firm units asked for, at closing
    tolerance: Mapped[int] = mapped_column(default=0)
    closed_units: Mapped[int] = mapped_column(default=0)
    computed_units: Mapped[int] = mapped_column(default=0)
    manual_units: Mapped[int | None]
    manual_reason: Mapped[str] = mapped_column(String(200), default="")
    manual_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manual_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[RoundItem] = relationship()
    membership: Mapped[Membership] = relationship()
    manual_by: Mapped[User | None] = relationship()

    @hybrid_property
    def units(self) -> int:
        """The units the household receives: the manual value if one was set."""
        return effective_units(manual=self.manual_units, computed=self.computed_units)

    @units.inplace.expression
    @classmethod
    def _units_expression(cls) -> ColumnElement[int]:
        return func.coalesce(cls.manual_units, cls.computed_units).label("units")


class Collection(Model):
    """A household picking up its order of a round."""

    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("round_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    membership: Mapped[Membership] = relationship()
    recorded_by: Mapped[User | None] = relationship()
