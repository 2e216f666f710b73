"""Packing and pickup: what goes in each bag, how to split each case, who has collected.

Every list reads each household's units (`Allocation.units`: the share set by
hand if any, else the computed one; after receiving, of what arrived) in one
or two queries, whatever the number of households. The co-op's stock is
what nobody was given of received rounds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import and_, func, or_, select

from coop.domain.money import round_half_up
from coop.domain.packing import Case, split_cases
from coop.domain.rounds import ALLOCATED, DELIVERED
from coop.domain.spreadsheets import csv_text
from coop.extensions import db
from coop.models import Allocation, Collection, Membership, Round, RoundItem, User
from coop.services.errors import ServiceError
from coop.services.money.stock import moved_units
from coop.services.rounds.lifecycle import locked_round
from coop.services.rounds.states import require
from coop.services.times import local_time


def _by_name(name: str, membership_id: int) -> tuple[str, int]:
    # Sorted here, not by the database, so SQLite and PostgreSQL agree on the order.
    return (name.casefold(), membership_id)


# --- per household -----------------------------------------------------------------


@dataclass(frozen=True)
class BagLine:
    """Units of one item that go in a household's bag."""

    item_id: int
    code: str
    name: str
    unit_label: str
    units: int
    substitute: str = ""


@dataclass(frozen=True)
class Bag:
    """What one household collects."""

    membership_id: int
    household: str
    lines: list[BagLine]

    @property
    def units(self) -> int:
        """All the units in the bag."""
        return sum(line.units for line in self.lines)


def household_bags(*, round_id: int) -> list[Bag]:
    """Return each household's bag in the round, households by name and items by name."""
    rows = db.session.execute(
        select(
            Allocation.membership_id,
            User.name,
            RoundItem.id,
            RoundItem.code,
            RoundItem.name,
            RoundItem.unit_label,
            RoundItem.substitute,
            Allocation.units,
        )
        .join(Membership, Membership.id == Allocation.membership_id)
        .join(User, User.id == Membership.user_id)
        .join(RoundItem, RoundItem.id == Allocation.round_item_id)
        .where(Allocation.round_id == round_id, Allocation.units > 0)
    ).all()
    names: dict[int, str] = {}
    lines: dict[int, list[BagLine]] = defaultdict(list)
    for membership_id, household, item_id, code, name, unit_label, substitute, units in rows:
        names[membership_id] = household
        lines[membership_id].append(BagLine(item_id, code, name, unit_label, units, substitute))
    return [
        Bag(
            membership_id=membership_id,
            household=names[membership_id],
            lines=sorted(
                lines[membership_id], key=lambda line: (line.name.casefold(), line.item_id)
            ),
        )
        for membership_id in sorted(names, key=lambda m: _by_name(names[m], m))
    ]


# --- per product -------------------------------------------------------------------


@dataclass(frozen=True)
class ProductSplit:
    """An item of the round: what there is and who gets it."""

    item_id: int
    code: str
    name: str
    unit_label: str
    case_size: int
    cases_ordered: int
    units_available: int
    substitute: str
    shares: list[tuple[str, int]]  # household name -> units
    surplus: int

    @property
    def cases(self) -> list[Case]:
        """Return how to split the units case by case, in the order of `shares`."""
        return split_cases(self.shares, self.case_size, self.units_available)


def product_splits(*, round_id: int) -> list[ProductSplit]:
    """Return every item the round has units of, by name, with each household's units."""
    items = db.session.scalars(
        select(RoundItem)
        .where(
            RoundItem.round_id == round_id,
            or_(RoundItem.cases_ordered > 0, RoundItem.units_received > 0),
        )
        .order_by(RoundItem.name, RoundItem.id)
    ).all()
    rows = db.session.execute(
        select(Allocation.round_item_id, Allocation.membership_id, User.name, Allocation.units)
        .join(Membership, Membership.id == Allocation.membership_id)
        .join(User, User.id == Membership.user_id)
        .where(Allocation.round_id == round_id, Allocation.units > 0)
    ).all()
    shares: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for item_id, membership_id, household, units in rows:
        shares[item_id].append((household, membership_id, units))
    result = []
    for item in items:
        mine = sorted(shares[item.id], key=lambda share: _by_name(share[0], share[1]))
        available = item.units_available or 0
        given = sum(units for _, _, units in mine)
        result.append(
            ProductSplit(
                item_id=item.id,
                code=item.code,
                name=item.name,
                unit_label=item.unit_label,
                case_size=item.case_size,
                cases_ordered=item.cases_ordered or 0,
                units_available=available,
                substitute=item.substitute,
                shares=[(household, units) for household, _, units in mine],
                surplus=max(available - given, 0),
            )
        )
    return result


# --- pickup -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pickup:
    """A household with something to collect, and whether it has."""

    membership_id: int
    household: str
    items: int
    units: int
    collected_at: datetime | None


def pickup_list(*, round_id: int) -> list[Pickup]:
    """Return the households with anything to collect in the round, by name."""
    rows = db.session.execute(
        select(
            Allocation.membership_id,
            User.name,
            func.count(Allocation.id),
            func.sum(Allocation.units),
            Collection.collected_at,
        )
        .join(Membership, Membership.id == Allocation.membership_id)
        .join(User, User.id == Membership.user_id)
        .outerjoin(
            Collection,
            and_(
                Collection.round_id == Allocation.round_id,
                Collection.membership_id == Allocation.membership_id,
            ),
        )
        .where(Allocation.round_id == round_id, Allocation.units > 0)
        .group_by(Allocation.membership_id, User.name, Collection.collected_at)
    ).all()
    pickups = [
        Pickup(membership_id, household, items, int(units), collected_at)
        for membership_id, household, items, units, collected_at in rows
    ]
    return sorted(pickups, key=lambda p: _by_name(p.household, p.membership_id))


def record_collection(
    *, round_id: int, membership_id: int, collected: bool, by: User
) -> Collection | None:
    """Record that a household collected its order, or undo that (flushes).

    Returns the collection, or None once undone. Recording twice keeps the first time.
    """
    round_ = locked_round(round_id=round_id)
    require(ALLOCATED, round_)
    has_units = db.session.scalar(
        select(func.count())
        .select_from(Allocation)
        .where(
            Allocation.round_id == round_.id,
            Allocation.membership_id == membership_id,
            Allocation.units > 0,
        )
    )
    if not has_units:
        raise ServiceError("That household has nothing to collect in this round.")
    existing = db.session.scalar(
        select(Collection).where(
            Collection.round_id == round_.id, Collection.membership_id == membership_id
        )
    )
    if collected and existing is None:
        existing = Collection(round_id=round_.id, membership_id=membership_id, recorded_by_id=by.id)
        db.session.add(existing)
    elif not collected and existing is not None:
        db.session.delete(existing)
        existing = None
    db.session.flush()
    return existing


# --- the co-op's stock ----------------------------------------------------------


@dataclass(frozen=True)
class StockLine:
    """Units of an item nobody was given in a received round: the co-op's."""

    round_id: int
    round_title: str
    received_at: datetime | None
    code: str
    name: str
    unit_label: str
    units: int
    unit_cost_pence: int  # case price ex VAT per unit, to the penny
    value_pence: int  # the units at that cost, rounded once


def coop_stock(*, coop_id: int) -> list[StockLine]:
    """Return the surplus of the co-op's received and settled rounds still on hand, newest first."""
    rows = db.session.execute(
        select(Round.id, Round.title, Round.received_at, RoundItem)
        .join(RoundItem, RoundItem.round_id == Round.id)
        .where(
            Round.coop_id == coop_id,
            Round.state.in_(DELIVERED),
            RoundItem.surplus_units > 0,
            # What an item from stock did not give out went back to the item it came from.
            RoundItem.stock_round_item_id.is_(None),
        )
        .order_by(Round.received_at.desc(), Round.id.desc(), RoundItem.name, RoundItem.id)
    ).all()
    moved = moved_units(coop_id)
    lines = []
    for round_id, title, received_at, item in rows:
        price = item.applied_case_price_pence
        units = (item.surplus_units or 0) - moved.get(item.id, 0)
        if units <= 0:
            continue  # sold, offered or written off: see the treasurer's stock page
        lines.append(
            StockLine(
                round_id=round_id,
                round_title=title,
                received_at=received_at,
                code=item.code,
                name=item.name,
                unit_label=item.unit_label,
                units=units,
                unit_cost_pence=round_half_up(Fraction(price, item.case_size)),
                value_pence=round_half_up(Fraction(price * units, item.case_size)),
            )
        )
    return lines


# --- CSV ------------------------------------------------------------------------


def bags_csv(bags: Sequence[Bag]) -> str:
    """Return the packing list by household as CSV: one line per item in a bag."""
    return csv_text(
        ["household", "code", "item", "units", "unit", "sent instead"],
        (
            [bag.household, line.code, line.name, line.units, line.unit_label, line.substitute]
            for bag in bags
            for line in bag.lines
        ),
    )


def products_csv(splits: Sequence[ProductSplit]) -> str:
    """Return the packing list by product as CSV: one line per household, then the stock."""
    rows: list[list[object]] = []
    for split in splits:
        first = [split.code, split.name, split.unit_label, split.case_size, split.units_available]
        rows.extend([*first, household, units] for household, units in split.shares)
        if split.surplus:
            rows.append([*first, "Stock (the co-op's)", split.surplus])
    return csv_text(
        ["code", "item", "unit", "case size", "units available", "household", "units"], rows
    )


def pickup_csv(pickups: Sequence[Pickup]) -> str:
    """Return the pickup sheet as CSV, with when each household collected (local time)."""
    return csv_text(
        ["household", "items", "units", "collected"],
        (
            [
                pickup.household,
                pickup.items,
                pickup.units,
                local_time(pickup.collected_at, "%Y-%m-%d %H:%M") if pickup.collected_at else "",
            ]
            for pickup in pickups
        ),
    )
