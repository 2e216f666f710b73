"""Changing prices in bulk, and the co-op's markup."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update

from coop.domain.catalogue import (
    BASIS_POINTS,
    MAX_PENCE,
    MAX_PENCE_TEXT,
    changed_price,
    prices_fingerprint,
    signed_percent,
)
from coop.extensions import db
from coop.models import Coop, PriceChange, Product, Supplier, User
from coop.models.types import utcnow
from coop.services.catalogue.products import refuse_unless_owner
from coop.services.errors import ServiceError

BULK_EXAMPLES = 5
PRICES_CHANGED = "The prices changed since you previewed this change; check it again."


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
    # Of the prices the change was worked out from: confirming refuses if they moved since.
    fingerprint: str

    @property
    def examples(self) -> list[PriceMove]:
        return self.moves[:BULK_EXAMPLES]


def preview_bulk_price_change(
    *, coop: Coop, supplier: Supplier, change_bp: int, category: str = ""
) -> BulkPriceChange:
    """Work out a percentage change of a supplier's case prices; change nothing."""
    return _bulk_change(coop, supplier, change_bp, category, lock=False)


def _bulk_change(
    coop: Coop, supplier: Supplier, change_bp: int, category: str, *, lock: bool
) -> BulkPriceChange:
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
    query = (
        select(Product.id, Product.name, Product.vat_bp, Product.case_price_pence)
        .where(*where)
        .order_by(Product.name, Product.id)
    )
    if lock:
        # A second confirmation at the same moment waits here, then sees the new prices.
        query = query.with_for_update()
    rows = db.session.execute(query).all()
    if not rows:
        raise ServiceError(
            f"{supplier.name} has no products in {category}."
            if category
            else f"{supplier.name} has no products yet.",
            field="category" if category else None,
        )
    moves = [PriceMove(*row, changed_price(row.case_price_pence, change_bp)) for row in rows]
    too_dear = next((move for move in moves if move.new_pence > MAX_PENCE), None)
    if too_dear is not None:
        raise ServiceError(
            f"That would take {too_dear.name} above {MAX_PENCE_TEXT} a case; "
            "enter a smaller change.",
            field="percent",
        )
    moving = [move for move in moves if move.new_pence != move.old_pence]
    fingerprint = prices_fingerprint([(row.id, row.case_price_pence) for row in rows])
    return BulkPriceChange(change_bp, category, moving, len(moves) - len(moving), fingerprint)


def apply_bulk_price_change(
    *,
    coop: Coop,
    supplier: Supplier,
    change_bp: int,
    by: User,
    fingerprint: str,
    category: str = "",
) -> BulkPriceChange:
    """Move a supplier's case prices by a percentage and record each change in the history.

    *fingerprint* is the preview's: when the prices moved since (say the
    same confirmation was sent twice), nothing changes. One read, one bulk
    UPDATE and one bulk INSERT, whatever the number of products.
    """
    change = _bulk_change(coop, supplier, change_bp, category, lock=True)
    if change.fingerprint != fingerprint:
        raise ServiceError(PRICES_CHANGED)
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
                "reason": f"bulk change {signed_percent(change_bp)}",
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
