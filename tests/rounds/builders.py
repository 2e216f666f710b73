"""Build rounds for tests: a co-op with households, a catalogue, and rounds with orders.

Orders are written as `OrderRequest` rows with explicit times, so a test says
exactly what the queue is; the ordering pages have tests of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Coop,
    Membership,
    OrderRequest,
    Product,
    Round,
    RoundItem,
    Supplier,
    User,
)
from coop.models.types import utcnow
from coop.services.jobs import AFTER_COMMIT
from coop.services.rounds.lifecycle import RoundDetails, add_round_items, create_round, open_round


@dataclass
class RoundWorld:
    """A co-op, its coordinator, some households and a supplier; builds rounds in it."""

    factory: Any
    coop: Coop
    coordinator: User
    households: list[Membership]
    supplier: Supplier
    counter: int = 0
    clock: datetime = field(default_factory=utcnow)

    def product(self, **values: Any) -> Product:
        self.counter += 1
        values.setdefault("code", f"R{self.counter:04d}")
        values.setdefault("name", f"Item {self.counter:04d}")
        values.setdefault("case_size", 6)
        values.setdefault("case_price_pence", 1200)
        values.setdefault("unit_label", "500 g bag")
        supplier = values.pop("supplier", self.supplier)
        product = Product(supplier=supplier, **values)
        db.session.add(product)
        db.session.commit()
        return product

    def round(
        self,
        *products: Product,
        state: RoundState = RoundState.OPEN,
        notify: bool = False,
        **details: Any,
    ) -> Round:
        """Return a round offering *products*, opened unless *state* says draft.

        The households hear of its opening only with *notify*: like the order
        rows below, the round is set up behind the scenes, and the opening
        notice has tests of its own (tests/notices).
        """
        now = utcnow()
        values: dict[str, Any] = {
            "title": "Weekly order",
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(days=2),
            "pickup_at": now + timedelta(days=4),
            "pickup_place": "Church hall, Fishwick Parade",
        }
        values.update(details)
        round_ = create_round(coop=self.coop, details=RoundDetails(**values), by=self.coordinator)
        if products:
            add_round_items(round_=round_, product_ids=[product.id for product in products])
        db.session.commit()
        if state is RoundState.OPEN:
            open_round(round_id=round_.id)
            if not notify:
                db.session.info.pop(AFTER_COMMIT, None)
            db.session.commit()
        return round_

    def item(self, round_: Round, product: Product) -> RoundItem:
        return db.session.scalars(
            db.select(RoundItem).filter_by(round_id=round_.id, product_id=product.id)
        ).one()

    def ask(
        self,
        round_: Round,
        product: Product,
        household: Membership,
        quantity: int,
        tolerance: int = 0,
    ) -> OrderRequest:
        """Put a request at the back of the item's queue (one second after the last)."""
        self.clock += timedelta(seconds=1)
        request = OrderRequest(
            round_id=round_.id,
            round_item_id=self.item(round_, product).id,
            membership_id=household.id,
            quantity=quantity,
            tolerance=tolerance,
            created_at=self.clock,
        )
        db.session.add(request)
        db.session.commit()
        return request


def build_round_world(factory: Any, households: int = 4) -> RoundWorld:
    """Return a co-op with a coordinator, *households* member households and one supplier."""
    coop = factory.coop(name="Fishwick Food", slug="fishwick")
    coordinator = factory.member(coop, Role.COORDINATOR, user=factory.user(name="Cora Ord"))
    members = [
        factory.membership(coop=coop, user=factory.user(name=f"Household {n}"))
        for n in range(1, households + 1)
    ]
    supplier = Supplier(coop=coop, name="Northern Wholefoods", email="orders@northern.example")
    db.session.add(supplier)
    db.session.commit()
    return RoundWorld(
        factory=factory,
        coop=coop,
        coordinator=coordinator,
        households=members,
        supplier=supplier,
    )
