"""What the ordering pages show: items with the case indicators, a household's order, rounds.

Every selector here issues a fixed number of SQL queries whatever the number
of items or households: the ordering page is the most used page of all, on
phones, and `tests/rounds/test_ordering_queries.py` counts them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, distinct, func, select

from coop.domain.allocation import case_progress
from coop.domain.catalogue import Tag, bits_to_tags, line_pence
from coop.domain.credit import Standing
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import ALLOCATED, RoundState, markup_on_item, stock_indicator
from coop.extensions import db
from coop.models import Allocation, Coop, Membership, OrderRequest, Round, RoundItem, RoundSupplier
from coop.services.money.credit import credit_standing
from coop.services.money.paying_in import HowToPay, how_to_pay
from coop.services.money.stock import offered_units
from coop.services.rounds.ordering import Commitment, Funds, funds_of

PAST_ROUNDS_SHOWN = 10


# --- the ordering page ------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFilters:
    """What a household narrowed the item list to."""

    search: str = ""
    category: str = ""
    tag_bits: int = 0  # an item shown has every one of these tags
    mine_only: bool = False


@dataclass(frozen=True)
class ItemLine:
    """One item of the ordering page, with this household's order and the case indicator."""

    id: int
    name: str
    code: str
    category: str
    tags: tuple[Tag, ...]
    unit_label: str
    case_size: int
    unit_price_pence: int
    reference_price_pence: int | None
    limit: int | None
    available: bool  # False once its supplier is dropped
    quantity: int
    tolerance: int
    line_pence: int
    indicator: str

    @property
    def ordered(self) -> bool:
        return self.quantity > 0 or self.tolerance > 0

    def matches(self, filters: OrderFilters) -> bool:
        """Tell whether the item passes the household's filters."""
        search = filters.search.casefold()
        tag_bits = sum(tag.bit for tag in self.tags)
        return (
            (not search or any(search in text.casefold() for text in (self.name, self.code)))
            and (not filters.category or filters.category == self.category)
            and tag_bits & filters.tag_bits == filters.tag_bits
            and (self.ordered or not filters.mine_only)
        )


@dataclass(frozen=True)
class OrderPage:
    """Everything the ordering page shows, for one household and round."""

    lines: list[ItemLine]  # every item, by category then name
    shown: list[ItemLine]  # those passing the filters
    categories: list[str]
    total_pence: int
    other_rounds: list[Commitment]
    funds: Funds
    credit: Standing  # where the household stands against the co-op's credit limit
    how_to_pay: HowToPay | None = None  # whom to pay, when the household is past the limit

    @property
    def groups(self) -> list[tuple[str, list[ItemLine]]]:
        """Return the items shown, grouped by category in page order."""
        grouped: dict[str, list[ItemLine]] = {}
        for line in self.shown:
            grouped.setdefault(line.category, []).append(line)
        return list(grouped.items())

    def line(self, item_id: int) -> ItemLine | None:
        return next((line for line in self.lines if line.id == item_id), None)


def _items(round_: Round) -> list[tuple[RoundItem, bool]]:
    """Return the round's items, each with whether it is still on offer (one query)."""
    rows = db.session.execute(
        select(RoundItem, RoundSupplier.dropped_at)
        # Items from the co-op's own stock have no supplier, and are never dropped.
        .outerjoin(RoundSupplier, RoundSupplier.id == RoundItem.round_supplier_id)
        .where(RoundItem.round_id == round_.id)
    )
    return [(item, dropped_at is None) for item, dropped_at in rows]


def _sums(round_: Round, *where: ColumnElement[bool]) -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        select(
            OrderRequest.round_item_id,
            func.sum(OrderRequest.quantity),
            func.sum(OrderRequest.tolerance),
        )
        .join(Membership, Membership.id == OrderRequest.membership_id)
        .where(OrderRequest.round_id == round_.id, *where)
        .group_by(OrderRequest.round_item_id)
    )
    return {item_id: (int(quantity), int(tolerance)) for item_id, quantity, tolerance in rows}


def _everyone(round_: Round) -> dict[int, tuple[int, int]]:
    # Only active households count, as at closing.
    return _sums(round_, Membership.status == MembershipStatus.ACTIVE)


def indicator(
    round_: Round, case_size: int, totals: tuple[int, int], offered: int | None = None
) -> str:
    """Return the case indicator of an item from everyone's (quantity, tolerance).

    An item from the co-op's stock (*offered* units) has no case: it says what is left.
    """
    if offered is not None:
        return stock_indicator(totals[0], offered)
    return case_progress(*totals, case_size, round_.fill_percent).message


def _category_key(category: str) -> tuple[bool, str]:
    return (not category, category.casefold())


def order_page(*, round_: Round, membership: Membership, filters: OrderFilters) -> OrderPage:
    """Return the ordering page of *round_* for *membership* (a fixed number of queries)."""
    everyone = _everyone(round_)
    mine = _sums(round_, OrderRequest.membership_id == membership.id)
    offered = offered_units(round_id=round_.id)
    lines = []
    for item, available in _items(round_):
        quantity, tolerance = mine.get(item.id, (0, 0))
        price = {
            "case_price_pence": item.case_price_pence,
            "case_size": item.case_size,
            "vat_bp": item.vat_bp,
            "markup_bp": item.markup_in(round_),
        }
        lines.append(
            ItemLine(
                id=item.id,
                name=item.name,
                code=item.code,
                category=item.category,
                tags=tuple(bits_to_tags(item.tag_bits)),
                unit_label=item.unit_label,
                case_size=item.case_size,
                unit_price_pence=line_pence(**price, units=1),
                reference_price_pence=item.reference_price_pence,
                limit=item.limit_in(round_),
                available=available,
                quantity=quantity,
                tolerance=tolerance,
                line_pence=line_pence(**price, units=quantity),
                indicator=indicator(
                    round_, item.case_size, everyone.get(item.id, (0, 0)), offered.get(item.id)
                ),
            )
        )
    lines.sort(key=lambda line: (_category_key(line.category), line.name.casefold(), line.id))
    funds = funds_of(membership=membership)
    coop = round_.coop
    credit = credit_standing(
        coop=coop, membership=membership, round_=round_, available_pence=funds.available_pence
    )
    return OrderPage(
        lines=lines,
        shown=[line for line in lines if line.matches(filters)],
        categories=sorted({line.category for line in lines if line.category}, key=str.casefold),
        total_pence=sum(line.line_pence for line in lines if line.available),
        other_rounds=[c for c in funds.rounds_due if c.round_id != round_.id],
        funds=funds,
        credit=credit,
        how_to_pay=how_to_pay(coop=coop, membership=membership) if credit.over_limit else None,
    )


def case_indicators(*, round_: Round) -> dict[int, str]:
    """Return every item's case indicator, by item id (two queries)."""
    everyone = _everyone(round_)
    offered = offered_units(round_id=round_.id)
    return {
        item.id: indicator(
            round_, item.case_size, everyone.get(item.id, (0, 0)), offered.get(item.id)
        )
        for item, _ in _items(round_)
    }


# --- after closing: what the household receives ------------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    """An item a household asked for, and what it receives of it."""

    item_id: int
    name: str
    unit_label: str
    asked: int
    tolerance: int
    closed_units: int
    units: int
    unit_price_pence: int
    line_pence: int
    substitute: str
    manual_reason: str
    dropped: bool

    @property
    def changed(self) -> bool:
        """Tell whether it receives other than what closing promised."""
        return self.units != self.closed_units


def receipt(*, round_: Round, membership: Membership) -> list[ReceiptLine]:
    """Return what the household receives from a closed round, item by item (one query)."""
    rows = db.session.execute(
        select(
            RoundItem.id,
            RoundItem.name,
            RoundItem.unit_label,
            RoundItem.case_size,
            RoundItem.vat_bp,
            RoundItem.applied_case_price_pence,
            RoundItem.substitute,
            RoundItem.stock_round_item_id,
            RoundSupplier.dropped_at,
            Allocation.quantity,
            Allocation.tolerance,
            Allocation.closed_units,
            Allocation.units,
            Allocation.manual_reason,
            Allocation.manual_units,
        )
        .join(RoundItem, RoundItem.id == Allocation.round_item_id)
        .outerjoin(RoundSupplier, RoundSupplier.id == RoundItem.round_supplier_id)
        .where(Allocation.round_id == round_.id, Allocation.membership_id == membership.id)
        .order_by(RoundItem.name, RoundItem.id)
    )
    lines = []
    for row in rows:
        price = {
            "case_price_pence": row.applied_case_price_pence,
            "case_size": row.case_size,
            "vat_bp": row.vat_bp,
            "markup_bp": markup_on_item(
                round_.markup_bp, from_stock=row.stock_round_item_id is not None
            ),
        }
        lines.append(
            ReceiptLine(
                item_id=row.id,
                name=row.name,
                unit_label=row.unit_label,
                asked=row.quantity,
                tolerance=row.tolerance,
                closed_units=row.closed_units,
                units=row.units,
                unit_price_pence=line_pence(**price, units=1),
                line_pence=line_pence(**price, units=row.units),
                substitute=row.substitute,
                manual_reason=row.manual_reason if row.manual_units is not None else "",
                dropped=row.dropped_at is not None,
            )
        )
    return lines


# --- lists of rounds ------------------------------------------------------------------------


def open_rounds(*, coop: Coop) -> list[Round]:
    """Return the co-op's open rounds, the nearest deadline first."""
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.coop_id == coop.id, Round.state == RoundState.OPEN)
            .order_by(Round.closes_at, Round.id)
        )
    )


@dataclass(frozen=True)
class MemberRounds:
    """The rounds a household sees: open ones, then recent past ones, with what it asked for."""

    open: list[Round]
    past: list[Round]
    items_asked: dict[int, int]  # round id -> how many items the household asked for


def member_rounds(*, coop: Coop, membership: Membership) -> MemberRounds:
    """Return the co-op's open rounds and its latest closed, received or settled ones."""
    past = list(
        db.session.scalars(
            select(Round)
            .where(
                Round.coop_id == coop.id,
                Round.state.in_(ALLOCATED),
            )
            .order_by(Round.closes_at.desc(), Round.id.desc())
            .limit(PAST_ROUNDS_SHOWN)
        )
    )
    current = open_rounds(coop=coop)
    ids = [round_.id for round_ in current + past]
    counts: dict[int, int] = defaultdict(int)
    if ids:
        counts.update(
            db.session.execute(
                select(OrderRequest.round_id, func.count(distinct(OrderRequest.round_item_id)))
                .where(OrderRequest.membership_id == membership.id, OrderRequest.round_id.in_(ids))
                .group_by(OrderRequest.round_id)
            ).all()
        )
    return MemberRounds(open=current, past=past, items_asked=counts)
