"""The co-op's stock: what left it of the surplus of settled rounds.

Surplus is recorded per round item (`RoundItem.surplus_units`) and its cost
falls to the co-op fund when the round is settled. Each `StockMovement`
takes units out of one round item's surplus: sold to a household (a
`STOCK_SALE` ledger transaction, named here), offered in a later round (the
round item it became), or written off as given away or spoiled (no money
moves: the fund already bore the cost). Every movement keeps the cost of a
unit, so the accounts can show stock written off and stock on hand at cost.
Units on hand of an item = its surplus less its movements (a sale whose
transaction was reversed gives its units back).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.accounts import User
    from coop.models.ledger import LedgerTransaction
    from coop.models.memberships import Membership
    from coop.models.rounds import RoundItem


class StockMovementKind(StrEnum):
    """Where units of the co-op's stock went."""

    SOLD = "sold"
    OFFERED = "offered"  # put into a later round as an item from the co-op's own stock
    GIVEN_AWAY = "given_away"
    SPOILED = "spoiled"

    @property
    def label(self) -> str:
        return {
            StockMovementKind.SOLD: "Sold",
            StockMovementKind.OFFERED: "Offered in a round",
            StockMovementKind.GIVEN_AWAY: "Given away",
            StockMovementKind.SPOILED: "Spoiled",
        }[self]

    @property
    def written_off(self) -> bool:
        """Tell whether units that went this way are written off (no money came back)."""
        return self in (StockMovementKind.GIVEN_AWAY, StockMovementKind.SPOILED)


class StockMovement(Model):
    """Units of one round item's surplus that left the co-op's stock. Never edited."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("unit_cost_pence >= 0", name="unit_cost_not_negative"),
        CheckConstraint(
            "unit_price_pence IS NULL OR unit_price_pence >= 0", name="unit_price_not_negative"
        ),
        CheckConstraint(
            "(kind = 'sold') = (membership_id IS NOT NULL)", name="sale_names_household"
        ),
        CheckConstraint("(kind = 'sold') = (unit_price_pence IS NOT NULL)", name="sale_has_price"),
        CheckConstraint("kind <> 'sold' OR transaction_id IS NOT NULL", name="sale_is_posted"),
        CheckConstraint(
            "(kind = 'offered') = (target_round_item_id IS NOT NULL)", name="offer_names_item"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    round_item_id: Mapped[int] = mapped_column(ForeignKey("round_items.id"), index=True)
    kind: Mapped[StockMovementKind] = mapped_column(
        str_enum(StockMovementKind, "stock_movement_kind")
    )
    units: Mapped[int]
    # What one unit cost the co-op (case price with VAT per unit, rounded once, plus deposit).
    unit_cost_pence: Mapped[int]
    # What the household paid for one unit: the item's member price each in its round.
    unit_price_pence: Mapped[int | None]
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id"), index=True)
    target_round_item_id: Mapped[int | None] = mapped_column(ForeignKey("round_items.id"))
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round_item: Mapped[RoundItem] = relationship(foreign_keys=[round_item_id])
    target_round_item: Mapped[RoundItem | None] = relationship(foreign_keys=[target_round_item_id])
    membership: Mapped[Membership | None] = relationship()
    transaction: Mapped[LedgerTransaction | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def cost_pence(self) -> int:
        """What the units cost the co-op."""
        return self.units * self.unit_cost_pence
