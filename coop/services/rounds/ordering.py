"""Households' orders in a round: changing them, and what they commit of their funds.

`set_order` is the one write. It takes the round's row lock shared, so that
an order change never interleaves with closing (which takes it exclusive),
and keeps a household's place in the queue with `coop.domain.ordering.revise`.
A change that asks for more is held to the co-op's credit limit
(`coop.services.money.credit.check_order_credit`); asking for less never is.
What the ordering pages show is in `coop.services.rounds.ordering_pages`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, union_all

from coop.domain.catalogue import line_pence
from coop.domain.ordering import Held, revise
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import AWAITING_SETTLEMENT, ORDERS_CHANGEABLE, RoundState, markup_on_item
from coop.extensions import db
from coop.models import (
    Allocation,
    Coop,
    Membership,
    OrderRequest,
    Round,
    RoundItem,
    RoundSupplier,
)
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.money.credit import check_order_credit
from coop.services.money.ledger import household_balance_pence
from coop.services.rounds.lifecycle import MAX_PER_HOUSEHOLD
from coop.services.times import local_time

# --- changing an order ---------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """What a household now asks for of an item, and whether anything changed."""

    quantity: int
    tolerance: int
    changed: bool


def order_refusal(round_: Round, now: datetime | None = None) -> str:
    """Return why households cannot change their orders in *round_* now, or "" when they can."""
    refusal = ORDERS_CHANGEABLE.refusal_for(round_.state)
    if refusal:
        return refusal
    if (now or utcnow()) >= round_.closes_at:
        return (
            f"The deadline for this round passed at {local_time(round_.closes_at)}; "
            "your order can no longer change."
        )
    return ""


def taking_orders(round_: Round, now: datetime | None = None) -> bool:
    """Tell whether households may change their orders in *round_* now."""
    return not order_refusal(round_, now)


def _check_open(round_: Round, now: datetime) -> None:
    refusal = order_refusal(round_, now)
    if refusal:
        raise ServiceError(refusal)


def _check_amounts(item: RoundItem, round_: Round, quantity: int, tolerance: int) -> None:
    for field, value in (("quantity", quantity), ("tolerance", tolerance)):
        if value < 0:
            raise ServiceError("Enter a whole number, 0 or more.", field=field)
    limit = item.limit_in(round_)
    most = MAX_PER_HOUSEHOLD if limit is None else limit
    if quantity + tolerance > most:
        message = f"At most {most} per household for this item."
        if quantity <= most:
            raise ServiceError(message + " That counts the extra units too.", field="tolerance")
        raise ServiceError(message, field="quantity")


def set_order(
    *,
    round_: Round,
    item: RoundItem,
    membership: Membership,
    quantity: int,
    tolerance: int,
    now: datetime | None = None,
) -> Saved:
    """Change a household's quantity and tolerance of one item of an open round (flushes).

    An increase joins the back of the item's queue; a decrease takes units
    off the household's newest requests first; tolerance stays on its earliest.
    """
    now = now or utcnow()
    if item.round_id != round_.id:
        raise ServiceError("That item is not in this round.")
    if membership.coop_id != round_.coop_id or membership.status is not MembershipStatus.ACTIVE:
        raise ServiceError("Only the co-op's member households can order in its rounds.")
    # Shared: orders go on side by side, but never while the round is closing.
    round_ = db.session.scalars(
        select(Round)
        .where(Round.id == round_.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).one()
    _check_open(round_, now)
    if item.dropped:
        raise ServiceError(f"{item.name} is not available in this round.")
    _check_amounts(item, round_, quantity, tolerance)

    # One change at a time per household (a double tap must not queue twice).
    db.session.execute(
        select(Membership.id).where(Membership.id == membership.id).with_for_update(key_share=True)
    )
    held = db.session.scalars(
        select(OrderRequest)
        .where(OrderRequest.round_item_id == item.id, OrderRequest.membership_id == membership.id)
        .order_by(OrderRequest.created_at, OrderRequest.id)
    ).all()
    _check_credit(round_, item, membership, held, quantity, tolerance)
    revision = revise(
        [Held(request.id, request.quantity, request.tolerance) for request in held],
        quantity,
        tolerance,
    )
    by_id = {request.id: request for request in held}
    for request_id, (units, extra) in revision.updates.items():
        by_id[request_id].quantity = units
        by_id[request_id].tolerance = extra
    for request_id in revision.deletes:
        db.session.delete(by_id[request_id])
    if revision.new is not None:
        units, extra = revision.new
        db.session.add(
            OrderRequest(
                round_id=round_.id,
                round_item_id=item.id,
                membership_id=membership.id,
                quantity=units,
                tolerance=extra,
                created_at=now,
            )
        )
    db.session.flush()
    return Saved(quantity=quantity, tolerance=tolerance, changed=not revision.changes_nothing)


def _check_credit(
    round_: Round,
    item: RoundItem,
    membership: Membership,
    held: Sequence[OrderRequest],
    quantity: int,
    tolerance: int,
) -> None:
    """Refuse a change asking for more of *item* that would take the household past the limit."""
    coop = round_.coop
    before_quantity = sum(request.quantity for request in held)
    before_tolerance = sum(request.tolerance for request in held)
    asks_more = quantity > before_quantity or tolerance > before_tolerance
    if not asks_more or coop.credit_limit_pence is None:
        return
    price = {
        "case_price_pence": item.case_price_pence,
        "case_size": item.case_size,
        "vat_bp": item.vat_bp,
        "markup_bp": item.markup_in(round_),
    }
    more = line_pence(**price, units=quantity) - line_pence(**price, units=before_quantity)
    check_order_credit(
        coop=coop,
        membership=membership,
        round_=round_,
        available_pence=funds_of(membership=membership).available_pence,
        more_pence=more,
        asks_more=asks_more,
    )


def item_for(*, coop: Coop, item_id: int) -> RoundItem | None:
    """Return the item *item_id* of one of the co-op's rounds, or None."""
    return db.session.scalar(
        select(RoundItem).join(Round).where(RoundItem.id == item_id, Round.coop_id == coop.id)
    )


# --- what is committed, and the funds left ---------------------------------------------


@dataclass(frozen=True)
class Commitment:
    """What a household's order in one round comes to at member prices."""

    round_id: int
    title: str
    state: RoundState
    closes_at: datetime
    pence: int


def commitments(membership: Membership) -> list[Commitment]:
    """Return what the household's orders come to, per open, closed or received round (one query).

    Open rounds count firm quantities (not tolerance) of items still on offer;
    closed and received rounds count the units the household receives.
    """
    per_round = (Round.id, Round.title, Round.state, Round.closes_at, Round.markup_bp)
    per_item = (RoundItem.case_size, RoundItem.vat_bp, RoundItem.stock_round_item_id)
    asked = (
        select(
            *per_round,
            *per_item,
            RoundItem.case_price_pence,
            func.sum(OrderRequest.quantity),
        )
        .select_from(OrderRequest)
        .join(RoundItem, RoundItem.id == OrderRequest.round_item_id)
        .outerjoin(RoundSupplier, RoundSupplier.id == RoundItem.round_supplier_id)
        .join(Round, Round.id == OrderRequest.round_id)
        .where(
            OrderRequest.membership_id == membership.id,
            Round.state == RoundState.OPEN,
            RoundSupplier.dropped_at.is_(None),  # stock (no supplier) is never dropped
        )
        .group_by(*per_round, *per_item, RoundItem.case_price_pence, RoundItem.id)
    )
    allocated = (
        select(
            *per_round,
            *per_item,
            RoundItem.applied_case_price_pence,
            Allocation.units,
        )
        .select_from(Allocation)
        .join(RoundItem, RoundItem.id == Allocation.round_item_id)
        .join(Round, Round.id == Allocation.round_id)
        .where(Allocation.membership_id == membership.id, Round.state.in_(AWAITING_SETTLEMENT))
    )
    rounds: dict[int, Commitment] = {}
    for (
        round_id,
        title,
        state,
        closes_at,
        markup_bp,
        case_size,
        vat_bp,
        stock_round_item_id,
        case_price,
        units,
    ) in db.session.execute(union_all(asked, allocated)):
        pence = line_pence(
            case_price_pence=case_price,
            case_size=case_size,
            vat_bp=vat_bp,
            markup_bp=markup_on_item(markup_bp, from_stock=stock_round_item_id is not None),
            units=units,
        )
        before = rounds.get(round_id)
        rounds[round_id] = Commitment(
            round_id=round_id,
            title=title,
            state=RoundState(state),
            closes_at=closes_at,
            pence=pence + (before.pence if before else 0),
        )
    return sorted(rounds.values(), key=lambda c: (c.closes_at, c.round_id))


@dataclass(frozen=True)
class Funds:
    """A household's balance, what its orders commit it to, and what is left.

    The one definition of available funds, for the ordering page and the statement.
    """

    balance_pence: int  # the ledger balance: what the co-op owes the household
    rounds_due: list[Commitment]  # open and closed-but-unsettled rounds, soonest first

    @property
    def committed_pence(self) -> int:
        """What the household's open orders and unsettled allocations come to."""
        return sum(commitment.pence for commitment in self.rounds_due)

    @property
    def available_pence(self) -> int:
        """The balance less what the open and unsettled rounds will charge."""
        return self.balance_pence - self.committed_pence


def funds_of(*, membership: Membership) -> Funds:
    """Return the household's balance and what its rounds commit (two queries)."""
    return Funds(household_balance_pence(membership=membership), commitments(membership))
