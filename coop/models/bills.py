"""What settling a round produced: shared costs, subsidies applied, and each household's bill.

Bill lines are written once, by settlement (or by a later correction), next
to the ledger transaction they belong to; a household's bill is its lines.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.domain.catalogue import BASIS_POINTS
from coop.extensions import Model
from coop.models.types import Pence, UTCDateTime, sql_between, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.catalogue import Supplier
    from coop.models.rounds import RoundItem
    from coop.models.support import SupportRecord


class SplitBasis(StrEnum):
    """How a shared cost is divided between households."""

    EQUAL = "equal"
    BY_VALUE = "by_value"
    BY_UNITS = "by_units"

    @property
    def label(self) -> str:
        return {
            SplitBasis.EQUAL: "Equally between collecting households",
            SplitBasis.BY_VALUE: "By the value of each household's goods",
            SplitBasis.BY_UNITS: "By the number of units each household received",
        }[self]


class RoundCost(Model):
    """A shared cost of a round: a supplier's delivery charge, packaging, the venue..."""

    __tablename__ = "round_costs"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Money that is summed, split or multiplied is 64-bit (see money.MAX_PENCE).
    amount_pence: Mapped[int] = mapped_column(Pence)
    basis: Mapped[SplitBasis] = mapped_column(
        str_enum(SplitBasis, "split_basis"), default=SplitBasis.EQUAL
    )
    # A supplier's delivery charge is shared by the households that bought from it.
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supplier: Mapped[Supplier | None] = relationship()


class RoundSubsidy(Model):
    """Council support applied to a round: a shared cost paid, or a percentage off goods."""

    __tablename__ = "round_subsidies"
    __table_args__ = (
        CheckConstraint(sql_between("percent_bp", 0, BASIS_POINTS), name="percent_range"),
        CheckConstraint("cap_pence IS NULL OR cap_pence >= 0", name="cap_not_negative"),
        CheckConstraint(
            "(round_cost_id IS NULL) <> (percent_bp = 0)", name="pays_a_cost_or_a_percentage"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    support_record_id: Mapped[int] = mapped_column(ForeignKey("support_records.id"), index=True)
    round_cost_id: Mapped[int | None] = mapped_column(ForeignKey("round_costs.id"))
    percent_bp: Mapped[int] = mapped_column(default=0)
    cap_pence: Mapped[int | None] = mapped_column(Pence)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    support_record: Mapped[SupportRecord] = relationship()
    round_cost: Mapped[RoundCost | None] = relationship()


class BillLineKind(StrEnum):
    """What a line of a household's bill is for."""

    GOODS = "goods"
    COST = "cost"
    SUBSIDY = "subsidy"
    CONTRIBUTION = "contribution"
    CORRECTION = "correction"


class BillLine(Model):
    """One line of a household's bill for a round; `amount_pence` is what it adds to the bill."""

    __tablename__ = "bill_lines"
    __table_args__ = (
        CheckConstraint("units >= 0", name="units_not_negative"),
        Index("ix_bill_lines_round_id_membership_id", "round_id", "membership_id"),
        # Council reports read a round's goods lines from this index alone (on PostgreSQL,
        # which keeps the included columns in it too).
        Index(
            "ix_bill_lines_round_id_kind_membership_id_units",
            "round_id",
            "kind",
            "membership_id",
            "units",
            postgresql_include=["supplier_id", "reference_pence", "round_item_id"],
        ),
        # ...and a round's goods by supplier and item, already in order, from this one.
        Index(
            "ix_bill_lines_round_id_kind_supplier_id_round_item_id",
            "round_id",
            "kind",
            "supplier_id",
            "round_item_id",
            "reference_pence",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    kind: Mapped[BillLineKind] = mapped_column(str_enum(BillLineKind, "bill_line_kind"))
    round_item_id: Mapped[int | None] = mapped_column(ForeignKey("round_items.id"))
    round_cost_id: Mapped[int | None] = mapped_column(ForeignKey("round_costs.id"))
    round_subsidy_id: Mapped[int | None] = mapped_column(ForeignKey("round_subsidies.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    description: Mapped[str] = mapped_column(String(200), default="")
    units: Mapped[int] = mapped_column(default=0)
    net_pence: Mapped[int] = mapped_column(Pence, default=0)
    vat_pence: Mapped[int] = mapped_column(Pence, default=0)
    markup_pence: Mapped[int] = mapped_column(Pence, default=0)
    deposit_pence: Mapped[int] = mapped_column(Pence, default=0)
    amount_pence: Mapped[int] = mapped_column(Pence)
    # For savings: the reference supermarket price of the units, when the item has one.
    reference_pence: Mapped[int | None] = mapped_column(Pence)

    item: Mapped[RoundItem | None] = relationship()
