"""What a round offers: adding products, removing items, and limits per household.

Prices are copied from the catalogue onto each `RoundItem`; `open_round`
copies them once more, and from then on they stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import func, select

from coop.domain.rounds import ITEMS_CHANGEABLE, RoundState
from coop.extensions import db
from coop.models import Coop, OrderRequest, Product, Round, RoundItem, RoundSupplier, Supplier
from coop.services.catalogue.products import visible_to
from coop.services.errors import ServiceError
from coop.services.money.stock import withdraw_offers
from coop.services.rounds.states import require

MAX_PER_HOUSEHOLD = 10_000


def copy_product(item: RoundItem, product: Product) -> None:
    """Copy what a round keeps of a product onto its item: the price households order at."""
    item.code = product.code
    item.name = product.name
    item.category = product.category
    item.tag_bits = product.tag_bits
    item.unit_label = product.unit_label
    item.case_size = product.case_size
    item.case_price_pence = product.case_price_pence
    item.vat_bp = product.vat_bp
    item.deposit_pence = product.deposit_pence
    item.reference_price_pence = product.reference_price_pence


def add_round_items(*, round_: Round, product_ids: Iterable[int]) -> list[RoundItem]:
    """Offer the co-op's visible, available products in a draft or open round (flushes).

    Products already offered are left as they are. In an open round the price
    is copied at once, since the round has already opened.
    """
    require(ITEMS_CHANGEABLE, round_)
    wanted = set(product_ids)
    if not wanted:
        raise ServiceError("Choose at least one product to offer.", field="product_ids")
    coop = db.session.get_one(Coop, round_.coop_id)
    products = db.session.scalars(
        select(Product)
        .join(Product.supplier)
        .where(Product.id.in_(wanted), visible_to(coop), Supplier.active.is_(True))
    ).all()
    if len(products) != len(wanted):
        raise ServiceError(
            "Some of those products are not in the co-op's catalogues.", field="product_ids"
        )
    unavailable = sorted(product.name for product in products if not product.available)
    if unavailable:
        raise ServiceError(
            "Not available at the moment: " + ", ".join(unavailable) + ".", field="product_ids"
        )
    offered = set(
        db.session.scalars(select(RoundItem.product_id).where(RoundItem.round_id == round_.id))
    )
    by_supplier = {rs.supplier_id: rs for rs in round_.suppliers}
    added = []
    for product in sorted(products, key=lambda product: product.id):
        if product.id in offered:
            continue
        round_supplier = by_supplier.get(product.supplier_id)
        if round_supplier is None:
            round_supplier = RoundSupplier(round=round_, supplier_id=product.supplier_id)
            by_supplier[product.supplier_id] = round_supplier
            db.session.add(round_supplier)
        item = RoundItem(round=round_, round_supplier=round_supplier, product_id=product.id)
        copy_product(item, product)
        db.session.add(item)
        added.append(item)
    db.session.flush()
    return added


def item_for(*, round_: Round, item_id: int) -> RoundItem | None:
    """Return the round's item *item_id*, or None when it belongs to another round."""
    return db.session.scalar(
        select(RoundItem).where(RoundItem.id == item_id, RoundItem.round_id == round_.id)
    )


def most_asked(*, round_id: int, item_ids: Iterable[int] | None = None) -> int:
    """Return the most one household has asked for of one item (units plus tolerance)."""
    per_household = (
        select(func.sum(OrderRequest.quantity + OrderRequest.tolerance).label("asked"))
        .where(OrderRequest.round_id == round_id)
        .group_by(OrderRequest.round_item_id, OrderRequest.membership_id)
    )
    if item_ids is not None:
        per_household = per_household.where(OrderRequest.round_item_id.in_(list(item_ids)))
    subquery = per_household.subquery()
    return db.session.scalar(select(func.coalesce(func.max(subquery.c.asked), 0))) or 0


def set_item_limits(*, round_: Round, limits: Mapping[int, int | None]) -> list[RoundItem]:
    """Set how much one household may ask for of each item; None falls back to the round's.

    *limits* maps item ids to limits. In an open round a limit cannot go below
    what a household has already asked for (flushes).
    """
    require(ITEMS_CHANGEABLE, round_)
    items = {item.id: item for item in round_.items}
    changed = []
    for item_id, limit in limits.items():
        item = items.get(item_id)
        if item is None:
            raise ServiceError("That item is not in this round.")
        if limit is not None and not 1 <= limit <= MAX_PER_HOUSEHOLD:
            raise ServiceError(
                f"{item.name}: enter a whole number from 1 to {MAX_PER_HOUSEHOLD}, "
                "or leave it blank.",
                field=f"limit_{item.id}",
            )
        if limit == item.max_per_household:
            continue
        if limit is not None and round_.state is RoundState.OPEN:
            asked = most_asked(round_id=round_.id, item_ids=[item.id])
            if asked > limit:
                raise ServiceError(
                    f"{item.name}: a household has already asked for {asked}; "
                    f"set the limit to at least {asked}.",
                    field=f"limit_{item.id}",
                )
        item.max_per_household = limit
        changed.append(item)
    db.session.flush()
    return changed


def remove_round_item(*, round_: Round, item: RoundItem) -> None:
    """Stop offering an item; once the round is open, only if nobody has ordered it (flushes)."""
    require(ITEMS_CHANGEABLE, round_)
    if item.round_id != round_.id:
        raise ServiceError("That item is not in this round.")
    ordered = db.session.scalar(
        select(func.count()).select_from(OrderRequest).where(OrderRequest.round_item_id == item.id)
    )
    if ordered:
        raise ServiceError(
            f"Households have ordered {item.name}; it stays in the round. "
            "Cancel the round, or ask them to change their orders."
        )
    round_supplier = item.round_supplier
    withdraw_offers(item_ids=[item.id])  # an item from the co-op's stock: all of it is back
    db.session.delete(item)
    db.session.flush()
    if round_supplier is not None and not round_supplier.items:
        db.session.delete(round_supplier)
        db.session.flush()
