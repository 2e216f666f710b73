"""Helpers for the ordering tests: placing orders through the service, reading queues back."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from coop.extensions import db
from coop.models import Membership, OrderRequest, Product, Round
from coop.services.rounds.ordering import Saved, set_order
from rounds.builders import RoundWorld


def place(
    rounds: RoundWorld,
    round_: Round,
    product: Product,
    household: Membership,
    quantity: int,
    tolerance: int = 0,
    **kwargs: Any,
) -> Saved:
    """Set a household's order of *product* through the service, and commit as a view would."""
    saved = set_order(
        round_=round_,
        item=rounds.item(round_, product),
        membership=household,
        quantity=quantity,
        tolerance=tolerance,
        **kwargs,
    )
    db.session.commit()
    return saved


def queue(rounds: RoundWorld, round_: Round, product: Product) -> list[tuple[int, int, int]]:
    """Return the item's queue as (household id, quantity, tolerance), in queue order."""
    db.session.expire_all()
    rows = db.session.execute(
        select(OrderRequest.membership_id, OrderRequest.quantity, OrderRequest.tolerance)
        .where(OrderRequest.round_item_id == rounds.item(round_, product).id)
        .order_by(OrderRequest.created_at, OrderRequest.id)
    )
    return [tuple(row) for row in rows]


def order_url(round_: Round, *parts: str) -> str:
    return "/".join([f"/coops/{round_.coop.slug}/rounds/{round_.id}", *parts])


def item_url(rounds: RoundWorld, round_: Round, product: Product) -> str:
    return order_url(round_, "items", str(rounds.item(round_, product).id))


def item_card(page: str, item_id: int) -> str:
    """Return the HTML of one item's card on the ordering page."""
    match = re.search(rf'<article class="item[^"]*" id="item-{item_id}".*?</article>', page, re.S)
    assert match, f"no card for item {item_id}"
    return match.group(0)


def indicator(page: str, item_id: int) -> str:
    """Return the case indicator text of an item on the ordering page."""
    match = re.search(rf'id="indicator-{item_id}"[^>]*>(.*?)</p>', page, re.S)
    assert match, f"no indicator for item {item_id}"
    return match.group(1).strip()
