"""Helpers for the receiving, allocation and packing tests: closed rounds and what arrived."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from support import text

from coop.domain.money import plain_pounds
from coop.extensions import db
from coop.models import Allocation, Membership, Product, Round, RoundItem
from coop.services.rounds.closing import close_round
from coop.services.rounds.receiving import Arrived, receive_round


def close(round_: Round) -> Round:
    """Close *round_* as the scheduler would, and return it fresh."""
    close_round(round_id=round_.id, by=None)
    db.session.commit()
    db.session.refresh(round_)
    return round_


def units_of(round_: Round, product: Product) -> dict[int, int]:
    """Return each household's units of *product* (by hand if set, else computed)."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            Allocation.membership_id,
            func.coalesce(Allocation.manual_units, Allocation.computed_units),
        )
        .join(RoundItem, RoundItem.id == Allocation.round_item_id)
        .where(RoundItem.round_id == round_.id, RoundItem.product_id == product.id)
    )
    return dict(rows.all())


def allocation_of(
    rounds: Any, round_: Round, product: Product, household: Membership
) -> Allocation:
    """Return *household*'s allocation of *product* in *round_*."""
    return db.session.scalars(
        select(Allocation).where(
            Allocation.round_item_id == rounds.item(round_, product).id,
            Allocation.membership_id == household.id,
        )
    ).one()


def everything_arrived(round_: Round, **changes: Arrived) -> list[Arrived]:
    """Return a line per ordered item saying all of it arrived, except items in *changes*.

    *changes* maps an item's name to its line, e.g. ``oats=Arrived(item_id=..., amount=4)``.
    """
    items = db.session.scalars(
        select(RoundItem).where(RoundItem.round_id == round_.id, RoundItem.cases_ordered > 0)
    ).all()
    by_id = {line.item_id: line for line in changes.values()}
    return [
        by_id.get(item.id, Arrived(item_id=item.id, amount=item.cases_ordered, in_cases=True))
        for item in items
    ]


def receive(rounds: Any, round_: Round, *lines: Arrived) -> Any:
    """Receive *round_* as its coordinator: *lines* for some items, all ordered for the rest."""
    result = receive_round(
        round_id=round_.id,
        by=rounds.coordinator,
        lines=everything_arrived(round_, **{str(line.item_id): line for line in lines}),
    )
    db.session.commit()
    return result


def form_data(round_: Round, **rows: dict[str, str]) -> dict[str, str]:
    """Return the receive form as posted: all ordered by default, *rows* by item id overriding.

    ``form_data(round_, **{"12": {"amount": "4", "counted_in": "units"}})``
    """
    items = db.session.scalars(
        select(RoundItem).where(RoundItem.round_id == round_.id, RoundItem.cases_ordered > 0)
    ).all()
    data: dict[str, str] = {}
    for item in items:
        row = {
            "amount": str(item.cases_ordered),
            "counted_in": "cases",
            "substitute": "",
            "case_price": plain_pounds(item.case_price_pence),
        }
        row.update(rows.get(str(item.id), {}))
        data.update(
            {f"{name}_{item.id}": value for name, value in row.items() if value is not None}
        )
    return data


def words(response: Any) -> str:
    """Return a page's text as a person reads it: no tags, each run of white space one space."""
    return " ".join(re.sub(r"<[^>]*>", " ", text(response)).split())
