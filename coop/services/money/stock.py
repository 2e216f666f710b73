"""The co-op's stock: surplus of settled rounds, sold, offered in a round or written off.

Stock on hand of a round item is its surplus (`RoundItem.surplus_units`, the
units nobody received) once its round is settled, less what has left it
(`StockMovement`). Settlement already charged what the surplus cost to the
co-op fund, so:

- **selling** units to a household charges it the co-op's price (the member
  price each the item had in its round, deposit included) in one
  `STOCK_SALE` transaction: the household's account minus, the fund plus
  (signs as in `coop.models.ledger`: the fund takes the sale as its income,
  as it took the markup). It shows on the household's statement. Reversing
  that transaction from the ledger puts the units back in stock;
- **writing off** units as given away or spoiled moves no money (the fund
  already bore the cost); the movement keeps the units' cost, so the annual
  accounts can show stock written off, and stock on hand at cost;
- **offering** units in a round of the same co-op that has not closed yet
  (draft, scheduled or open) adds a round item from the co-op's own stock
  (`RoundItem.stock_round_item_id`): no supplier and no product, a case of
  one unit, the co-op's price each (as selling: the member price each it had
  in its round, its deposit apart) with no markup on top, and an `OFFERED`
  movement of the units, which leave what is on hand at once. Households
  order it as any item; closing orders (from the stock, case size 1) what
  they asked for, never more than was offered, shared by the round's policy,
  so tolerance changes nothing; no household may ask for more than was
  offered (the item's limit per household). The movement is never edited: the units it
  takes are worked out from its round (`units_taken`): all it offered until
  the round closes, then what the item gave out (the units closing ordered
  less the item's surplus, which a share changed by hand keeps up to date),
  and none once the round is cancelled. Removing the item from its round, or
  deleting the draft round, deletes the movement: every unit is back. The
  units the round gives out are settled as a normal bill line at that price,
  all of it the fund's (stock sold: no supplier is owed, see
  `coop.domain.settlement`); their surplus never becomes stock of its own.
  In the accounts the units stay the co-op's, at cost, until that round is
  settled, when its money comes in (`units_gone`).
  One offer per stock item and round: to offer more, remove the item while
  nobody has ordered it and offer again.

Cost each is what the supplier charged for a unit, VAT included, rounded to
the penny, plus its deposit. The units are checked against what is on hand
under a row lock on the round item, so two treasurers cannot sell the same
units twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, select
from sqlalchemy.orm import aliased

from coop.domain.catalogue import BASIS_POINTS, member_unit_price_pence
from coop.domain.money import round_half_up
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import BILLED, ITEMS_CHANGEABLE, RoundState
from coop.extensions import db
from coop.models import (
    AccountKind,
    Coop,
    LedgerTransaction,
    Membership,
    Round,
    RoundItem,
    StockMovement,
    StockMovementKind,
    TransactionKind,
    User,
)
from coop.services.errors import ServiceError
from coop.services.money.ledger import Entry, household_accounts, post_transaction, single_account

NOTE_MAX_LENGTH = 200
WRITE_OFF_KINDS = (StockMovementKind.GIVEN_AWAY, StockMovementKind.SPOILED)
MOVEMENTS_SHOWN = 50


def unit_cost_pence(item: RoundItem) -> int:
    """Return what one unit of *item* cost the co-op: VAT included, to the penny, plus deposit."""
    with_vat = Fraction(item.applied_case_price_pence * (BASIS_POINTS + item.vat_bp)) / (
        item.case_size * BASIS_POINTS
    )
    return round_half_up(with_vat) + item.deposit_pence


def unit_price_pence(item: RoundItem, round_: Round) -> int:
    """Return the co-op's price of one unit: the member price each in its round, plus deposit."""
    return (
        member_unit_price_pence(
            case_price_pence=item.applied_case_price_pence,
            case_size=item.case_size,
            vat_bp=item.vat_bp,
            markup_bp=round_.markup_bp,
        )
        + item.deposit_pence
    )


_TARGET_ITEM = aliased(RoundItem)
_TARGET_ROUND = aliased(Round)


_GIVEN_OUT = _TARGET_ITEM.cases_ordered - func.coalesce(_TARGET_ITEM.surplus_units, 0)


def units_taken() -> ColumnElement[int]:
    """Return the units a movement takes out of what is on hand to sell or offer.

    A sale, gift or spoiling takes its units. An offer in a round takes all
    it offered until the round closes, then what its item gave out, and none
    once the round is cancelled. Needs `_TARGET_ITEM` and `_TARGET_ROUND`
    outer-joined (`_with_targets`).
    """
    return case(
        (StockMovement.kind != StockMovementKind.OFFERED, StockMovement.units),
        (_TARGET_ROUND.state == RoundState.CANCELLED, 0),
        (_TARGET_ITEM.cases_ordered.is_not(None), _GIVEN_OUT),
        else_=StockMovement.units,
    )


def units_gone(at: datetime) -> ColumnElement[int]:
    """Return the units a movement had taken out of the co-op's hands just before *at*.

    For the accounts: units offered in a round are still the co-op's until
    that round is settled (then what it gave out is sold), as its money is.
    """
    return case(
        (StockMovement.kind != StockMovementKind.OFFERED, StockMovement.units),
        (
            (_TARGET_ROUND.state == RoundState.SETTLED) & (_TARGET_ROUND.settled_at < at),
            _GIVEN_OUT,
        ),
        else_=0,
    )


def _with_targets(query: Any) -> Any:
    return query.outerjoin(
        _TARGET_ITEM, _TARGET_ITEM.id == StockMovement.target_round_item_id
    ).outerjoin(_TARGET_ROUND, _TARGET_ROUND.id == _TARGET_ITEM.round_id)


def moved_units(coop_id: int, item_ids: list[int] | None = None) -> dict[int, int]:
    """Return units that left each round item's surplus (a reversed sale's units came back).

    Read as round item id -> units; the coordinators' stock list subtracts them too.
    """
    reversal = aliased(LedgerTransaction)
    query = _with_targets(
        select(StockMovement.round_item_id, func.sum(units_taken()))
        .outerjoin(reversal, reversal.reverses_id == StockMovement.transaction_id)
        .where(StockMovement.coop_id == coop_id, reversal.id.is_(None))
        .group_by(StockMovement.round_item_id)
    )
    if item_ids is not None:
        query = query.where(StockMovement.round_item_id.in_(item_ids))
    return {item_id: int(units) for item_id, units in db.session.execute(query)}


@dataclass(frozen=True)
class StockItem:
    """Units of one settled round's item that the co-op still holds."""

    round_item_id: int
    round_id: int
    round_title: str
    settled_at: datetime | None
    code: str
    name: str
    unit_label: str
    units: int  # on hand
    unit_cost_pence: int
    unit_price_pence: int

    @property
    def value_pence(self) -> int:
        """The units on hand at cost."""
        return self.units * self.unit_cost_pence

    @property
    def label(self) -> str:
        return f"{self.name} ({self.unit_label}), from {self.round_title}"


def stock_on_hand(*, coop: Coop) -> list[StockItem]:
    """Return what the co-op holds from its settled rounds, newest round first (two queries)."""
    rows = db.session.execute(
        select(Round, RoundItem)
        .join(RoundItem, RoundItem.round_id == Round.id)
        .where(
            Round.coop_id == coop.id,
            Round.state.in_(BILLED),
            RoundItem.surplus_units > 0,
            # What an item from stock did not give out went back to the item it came from.
            RoundItem.stock_round_item_id.is_(None),
        )
        .order_by(Round.settled_at.desc(), Round.id.desc(), RoundItem.name, RoundItem.id)
    ).all()
    moved = moved_units(coop.id)
    lines = []
    for round_, item in rows:
        units = (item.surplus_units or 0) - moved.get(item.id, 0)
        if units <= 0:
            continue
        lines.append(
            StockItem(
                round_item_id=item.id,
                round_id=round_.id,
                round_title=round_.title,
                settled_at=round_.settled_at,
                code=item.code,
                name=item.name,
                unit_label=item.unit_label,
                units=units,
                unit_cost_pence=unit_cost_pence(item),
                unit_price_pence=unit_price_pence(item, round_),
            )
        )
    return lines


def _locked_item(coop: Coop, round_item_id: int | None) -> tuple[RoundItem, Round, int]:
    """Return the round item with its round and units on hand, its row locked; refuse others."""
    item = None
    if round_item_id is not None:
        item = db.session.scalar(
            select(RoundItem)
            .join(Round, Round.id == RoundItem.round_id)
            .where(
                RoundItem.id == round_item_id,
                Round.coop_id == coop.id,
                Round.state.in_(BILLED),
                RoundItem.stock_round_item_id.is_(None),
            )
            .with_for_update(of=RoundItem)
            .execution_options(populate_existing=True)
        )
    if item is None or not item.surplus_units:
        raise ServiceError("Choose an item the co-op has in stock.", field="item")
    on_hand = item.surplus_units - moved_units(coop.id, [item.id]).get(item.id, 0)
    if on_hand <= 0:
        raise ServiceError(f"None of {item.name} is left in stock.", field="item")
    return item, item.round, on_hand


def _check_units(units: int | None, on_hand: int, item: RoundItem) -> int:
    if units is None or units <= 0:
        raise ServiceError("Enter a whole number of units, 1 or more.", field="units")
    if units > on_hand:
        raise ServiceError(
            f"Only {on_hand} of {item.name} ({item.unit_label}) {'is' if on_hand == 1 else 'are'} "
            "in stock.",
            field="units",
        )
    return units


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ServiceError(f"Use at most {NOTE_MAX_LENGTH} characters.", field="note")
    return note


def _household(coop: Coop, membership_id: int | None) -> Membership:
    membership = None
    if membership_id is not None:
        membership = db.session.scalar(
            select(Membership).where(
                Membership.id == membership_id,
                Membership.coop_id == coop.id,
                Membership.status == MembershipStatus.ACTIVE,
            )
        )
    if membership is None:
        raise ServiceError(f"Choose one of {coop.name}'s households.", field="household")
    return membership


def sell_stock(
    *,
    coop: Coop,
    round_item_id: int | None,
    membership_id: int | None,
    units: int | None,
    note: str,
    by: User,
) -> StockMovement:
    """Sell units of the co-op's stock to a household at the co-op's price and post it."""
    membership = _household(coop, membership_id)
    item, round_, on_hand = _locked_item(coop, round_item_id)
    units = _check_units(units, on_hand, item)
    note = _check_note(note)
    price = unit_price_pence(item, round_)
    amount = units * price
    if amount <= 0:
        raise ServiceError(
            f"{item.name} was free in its round: give it away instead of selling it.",
            field="item",
        )
    household = household_accounts(coop_id=coop.id, membership_ids=[membership.id])[membership.id]
    fund = single_account(coop_id=coop.id, kind=AccountKind.FUND).id
    what = f"{units} x {item.name} ({item.unit_label})"
    memo = f"From the co-op's stock to {membership.user.name}: {what}"
    transaction = post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.STOCK_SALE,
        memo=f"{memo} ({note})" if note else memo,
        entries=[Entry(household, -amount, "stock bought"), Entry(fund, amount, "stock sold")],
        by=by,
    )
    movement = StockMovement(
        coop_id=coop.id,
        round_item_id=item.id,
        kind=StockMovementKind.SOLD,
        units=units,
        unit_cost_pence=unit_cost_pence(item),
        unit_price_pence=price,
        membership_id=membership.id,
        transaction_id=transaction.id,
        note=note,
        created_by_id=by.id,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def write_off_stock(
    *,
    coop: Coop,
    round_item_id: int | None,
    units: int | None,
    kind: StockMovementKind | str | None,
    note: str,
    by: User,
) -> StockMovement:
    """Record units of stock given away or spoiled, at their cost; no money moves (flushes)."""
    try:
        kind = StockMovementKind(kind) if kind is not None else None
    except ValueError:
        kind = None
    if kind not in WRITE_OFF_KINDS:
        raise ServiceError("Choose given away or spoiled.", field="kind")
    item, _round, on_hand = _locked_item(coop, round_item_id)
    units = _check_units(units, on_hand, item)
    note = _check_note(note)
    movement = StockMovement(
        coop_id=coop.id,
        round_item_id=item.id,
        kind=kind,
        units=units,
        unit_cost_pence=unit_cost_pence(item),
        note=note,
        created_by_id=by.id,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def rounds_to_offer_in(*, coop: Coop) -> list[Round]:
    """Return the co-op's rounds stock can still be offered in (not closed yet), soonest first."""
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.coop_id == coop.id, Round.state.in_(ITEMS_CHANGEABLE))
            .order_by(Round.closes_at, Round.id)
        )
    )


def _round_to_offer_in(coop: Coop, round_id: int | None) -> Round:
    round_ = None
    if round_id is not None:
        round_ = db.session.scalar(
            select(Round).where(Round.id == round_id, Round.coop_id == coop.id)
        )
    if round_ is None:
        raise ServiceError(f"Choose one of {coop.name}'s rounds.", field="round")
    if round_.state not in ITEMS_CHANGEABLE:
        raise ServiceError(
            f"{round_.title} is {round_.state.value}: stock can only be offered in a round "
            "that has not closed.",
            field="round",
        )
    return round_


def offer_stock(
    *,
    coop: Coop,
    round_item_id: int | None,
    round_id: int | None,
    units: int | None,
    note: str,
    by: User,
) -> StockMovement:
    """Offer units of the co-op's stock as an item of a round not yet closed (flushes).

    The units leave what is on hand at once (an `OFFERED` movement); the new
    item has the co-op's price each, a case of one unit and no markup.
    """
    target_round = _round_to_offer_in(coop, round_id)
    item, source_round, on_hand = _locked_item(coop, round_item_id)
    units = _check_units(units, on_hand, item)
    note = _check_note(note)
    already = db.session.scalar(
        select(RoundItem.id).where(
            RoundItem.round_id == target_round.id, RoundItem.stock_round_item_id == item.id
        )
    )
    if already is not None:
        raise ServiceError(
            f"{item.name} from {source_round.title} is already offered in {target_round.title}.",
            field="item",
        )
    offered = RoundItem(
        round_id=target_round.id,
        stock_round_item_id=item.id,
        code=item.code,
        name=item.name,
        category=item.category,
        tag_bits=item.tag_bits,
        unit_label=item.unit_label,
        case_size=1,
        case_price_pence=unit_price_pence(item, source_round) - item.deposit_pence,
        vat_bp=0,  # the price already holds the VAT the supplier charged
        deposit_pence=item.deposit_pence,
        reference_price_pence=item.reference_price_pence,
        # Nobody may ask for more than there is; the ordering page shows the limit.
        max_per_household=units,
    )
    db.session.add(offered)
    db.session.flush()
    movement = StockMovement(
        coop_id=coop.id,
        round_item_id=item.id,
        kind=StockMovementKind.OFFERED,
        units=units,
        unit_cost_pence=unit_cost_pence(item),
        target_round_item_id=offered.id,
        note=note,
        created_by_id=by.id,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def offered_units(*, round_id: int) -> dict[int, int]:
    """Return the units offered of each of the round's items from the co-op's stock."""
    rows = db.session.execute(
        select(RoundItem.id, func.sum(StockMovement.units))
        .join(RoundItem, RoundItem.id == StockMovement.target_round_item_id)
        .where(RoundItem.round_id == round_id, StockMovement.kind == StockMovementKind.OFFERED)
        .group_by(RoundItem.id)
    )
    return {item_id: int(units) for item_id, units in rows}


def withdraw_offers(*, item_ids: list[int]) -> None:
    """Put back in stock every unit offered as these round items, which are going (flushes)."""
    if item_ids:
        db.session.execute(
            delete(StockMovement).where(StockMovement.target_round_item_id.in_(item_ids))
        )
        db.session.flush()


@dataclass(frozen=True)
class MovementLine:
    """A movement of stock, for the treasurer's list."""

    id: int
    created_at: datetime
    kind: StockMovementKind
    item: str
    units: int
    cost_pence: int
    sale_pence: int | None
    household: str
    note: str
    transaction_id: int | None
    reversed: bool
    offered_in: str = ""  # the round an offer went into
    offered_units: int | None = None  # what an offer offered; `units` is what it takes now


def stock_movements(*, coop: Coop, limit: int = MOVEMENTS_SHOWN) -> list[MovementLine]:
    """Return the co-op's latest movements of stock, newest first (one query)."""
    reversal = aliased(LedgerTransaction)
    query = select(
        StockMovement,
        RoundItem.name,
        RoundItem.unit_label,
        User.name,
        reversal.id,
        _TARGET_ROUND.title,
        units_taken(),
    ).join(RoundItem, RoundItem.id == StockMovement.round_item_id)
    rows = db.session.execute(
        _with_targets(query)
        .outerjoin(Membership, Membership.id == StockMovement.membership_id)
        .outerjoin(User, User.id == Membership.user_id)
        .outerjoin(reversal, reversal.reverses_id == StockMovement.transaction_id)
        .where(StockMovement.coop_id == coop.id)
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
        .limit(limit)
    ).all()
    return [
        MovementLine(
            id=movement.id,
            created_at=movement.created_at,
            kind=movement.kind,
            item=f"{name} ({unit_label})",
            units=taken,
            cost_pence=taken * movement.unit_cost_pence,
            sale_pence=None
            if movement.unit_price_pence is None
            else movement.units * movement.unit_price_pence,
            household=household or "",
            note=movement.note,
            transaction_id=movement.transaction_id,
            reversed=reversed_id is not None,
            offered_in=offered_in or "",
            offered_units=movement.units if movement.kind is StockMovementKind.OFFERED else None,
        )
        for movement, name, unit_label, household, reversed_id, offered_in, taken in rows
    ]


def written_off_pence(*, coop: Coop, start: datetime, end: datetime) -> int:
    """Return the cost of stock given away or spoiled from *start* to before *end*.

    For the annual accounts: stock written off, at what it cost the fund.
    """
    total = db.session.scalar(
        select(
            func.coalesce(func.sum(StockMovement.units * StockMovement.unit_cost_pence), 0)
        ).where(
            StockMovement.coop_id == coop.id,
            StockMovement.kind.in_(WRITE_OFF_KINDS),
            StockMovement.created_at >= start,
            StockMovement.created_at < end,
        )
    )
    return int(total or 0)


def stock_at_cost_pence(*, coop: Coop, at: datetime) -> int:
    """Return the stock the co-op held at cost just before *at*, for a statement of assets.

    Surplus of rounds settled before *at*, less what left the stock before it
    (a sale reversed before *at* counts as never made; stock offered in a
    round left when that round was settled: `units_gone`).
    """
    rows = db.session.execute(
        select(RoundItem)
        .join(Round, Round.id == RoundItem.round_id)
        .where(
            Round.coop_id == coop.id,
            Round.state.in_(BILLED),
            Round.settled_at < at,
            RoundItem.surplus_units > 0,
            RoundItem.stock_round_item_id.is_(None),
        )
    ).scalars()
    items = {item.id: item for item in rows}
    if not items:
        return 0
    reversal = aliased(LedgerTransaction)
    moved = dict(
        db.session.execute(
            _with_targets(select(StockMovement.round_item_id, func.sum(units_gone(at))))
            .outerjoin(
                reversal,
                (reversal.reverses_id == StockMovement.transaction_id) & (reversal.created_at < at),
            )
            .where(
                StockMovement.coop_id == coop.id,
                StockMovement.created_at < at,
                StockMovement.round_item_id.in_(list(items)),
                reversal.id.is_(None),
            )
            .group_by(StockMovement.round_item_id)
        ).all()
    )
    return sum(
        max((item.surplus_units or 0) - int(moved.get(item.id, 0)), 0) * unit_cost_pence(item)
        for item in items.values()
    )
