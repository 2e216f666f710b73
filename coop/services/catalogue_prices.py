"""Changing prices in bulk, and the co-op's markup."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import insert, select, update

from coop.domain.catalogue import BASIS_POINTS
from coop.domain.money import round_half_up
from coop.extensions import db
from coop.models import Coop, PriceChange, Product, Supplier, User
from coop.models.types import utcnow
from coop.services.catalogue import refuse_unless_owner
from coop.services.errors import ServiceError

BULK_EXAMPLES = 5


@dataclass(frozen=True)
class PriceMove:
    """One product's case price before and after a bulk change."""

    product_id: int
    name: str
    vat_bp: int
    old_pence: int
    new_pence: int


@dataclass(frozen=True)
class BulkPriceChange:
    """What a percentage change of a supplier's case prices does."""

    change_bp: int
    category: str
    moves: list[PriceMove]
    unchanged: int  # products too cheap for the change to move them a penny

    @property
    def examples(self) -> list[PriceMove]:
        return self.moves[:BULK_EXAMPLES]


def changed_price(case_price_pence: int, change_bp: int) -> int:
    """Return a case price moved by *change_bp* basis points, rounded half up to the penny."""
    return round_half_up(Fraction(case_price_pence * (BASIS_POINTS + change_bp), BASIS_POINTS))


def preview_bulk_price_change(
    *, coop: Coop, supplier: Supplier, change_bp: int, category: str = ""
) -> BulkPriceChange:
    """Work out a percentage change of a supplier's case prices; change nothing."""
    refuse_unless_owner(coop, supplier)
    if change_bp == 0:
        raise ServiceError("Enter a change other than 0%.", field="percent")
    if change_bp <= -BASIS_POINTS:
        raise ServiceError(
            "A price cannot go down by 100% or more; enter a change above -100%.",
            field="percent",
        )
    where = [Product.supplier_id == supplier.id]
    if category:
        where.append(Product.category == category)
    rows = db.session.execute(
        select(Product.id, Product.name, Product.vat_bp, Product.case_price_pence)
        .where(*where)
        .order_by(Product.name, Product.id)
    ).all()
    if not rows:
        raise ServiceError(
            f"{supplier.name} has no products in {category}."
            if category
            else f"{supplier.name} has no products yet.",
            field="category" if category else None,
        )
    moves = [PriceMove(*row, changed_price(row.case_price_pence, change_bp)) for row in rows]
    moving = [move for move in moves if move.new_pence != move.old_pence]
    return BulkPriceChange(change_bp, category, moving, len(moves) - len(moving))


def apply_bulk_price_change(
    *, coop: Coop, supplier: Supplier, change_bp: int, by: User, category: str = ""
) -> BulkPriceChange:
    """Move a supplier's case prices by a percentage and record each change in the history.

    One read, one bulk UPDATE and one bulk INSERT, whatever the number of products.
    """
    change = preview_bulk_price_change(
        coop=coop, supplier=supplier, change_bp=change_bp, category=category
    )
    if not change.moves:
        return change
    now = utcnow()
    db.session.execute(
        update(Product),
        [
            {"id": move.product_id, "case_price_pence": move.new_pence, "updated_at": now}
            for move in change.moves
        ],
    )
    db.session.execute(
        insert(PriceChange),
        [
            {
                "product_id": move.product_id,
                "changed_by_id": by.id,
                "changed_at": now,
                "old_case_price_pence": move.old_pence,
                "new_case_price_pence": move.new_pence,
                "old_vat_bp": move.vat_bp,
                "new_vat_bp": move.vat_bp,
                "reason": "bulk change",
            }
            for move in change.moves
        ],
    )
    # The bulk UPDATE bypasses products already loaded in this session.
    db.session.expire_all()
    return change


def set_markup(*, coop: Coop, markup_bp: int) -> Coop:
    """Set the markup *coop* adds to every product it buys, its own and shared ones."""
    if not 0 <= markup_bp <= BASIS_POINTS:
        raise ServiceError("Enter a markup from 0% to 100%.", field="markup")
    coop.markup_bp = markup_bp
    db.session.flush()
    return coop
