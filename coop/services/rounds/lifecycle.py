"""Order rounds: create, open, extend, cancel, list, and find the ones due.

What a round offers lives in `coop.services.rounds.items`, closing in
`coop.services.rounds.closing`. Every move between states goes
through `coop.domain.rounds.check_move`, and opening and cancelling lock the
round's row first, so that two people (or a person and `flask tick`) never
move the same round twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from coop.domain.allocation import POLICIES
from coop.domain.rounds import (
    DEADLINE_EXTENDABLE,
    DELETABLE,
    DETAILS_EDITABLE,
    FINISHED,
    RULES_EDITABLE,
    UNFINISHED,
    RoundState,
    StateGroup,
    check_move,
)
from coop.extensions import db
from coop.models import (
    Coop,
    Membership,
    OrderRequest,
    Product,
    Round,
    RoundItem,
    RoundSupplier,
    User,
)
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.jobs import enqueue_after_commit
from coop.services.mail import render_message, send_emails
from coop.services.money.stock import withdraw_offers
from coop.services.notices.rounds import round_opened

# `add_round_items` and `MAX_PER_HOUSEHOLD` are imported from here too, as before.
from coop.services.rounds.items import (  # noqa: F401
    MAX_PER_HOUSEHOLD,
    add_round_items,
    copy_product,
    most_asked,
)
from coop.services.rounds.states import require

#: Builds the address of a round's page for emails, outside the web layer.
LinkBuilder = Callable[[Round], str]

TITLE_MAX_LENGTH = 120


@dataclass(frozen=True, kw_only=True)
class RoundDetails:
    """What a coordinator types about a round."""

    title: str
    opens_at: datetime
    closes_at: datetime
    pickup_at: datetime | None = None
    pickup_place: str = ""
    policy: str = "first_come"
    fill_percent: int = 100
    max_per_household: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class RoundSummary:
    """A round in a list, with how many items it offers and how many households ordered."""

    round: Round
    items: int
    households: int


def round_summaries(
    *, coop: Coop, states: StateGroup = UNFINISHED, limit: int | None = None
) -> list[RoundSummary]:
    """Return the co-op's rounds in *states*, soonest deadline first (one query).

    Past rounds (settled or cancelled) come latest first, up to *limit*.
    """
    items = (
        select(func.count())
        .where(RoundItem.round_id == Round.id)
        .correlate(Round)
        .scalar_subquery()
    )
    households = (
        select(func.count(OrderRequest.membership_id.distinct()))
        .where(OrderRequest.round_id == Round.id)
        .correlate(Round)
        .scalar_subquery()
    )
    past = all(state in FINISHED for state in states)
    order = (Round.closes_at.desc(), Round.id.desc()) if past else (Round.closes_at, Round.id)
    query = (
        select(Round, items, households)
        .where(Round.coop_id == coop.id, Round.state.in_(states))
        .order_by(*order)
        .limit(limit)
    )
    return [
        RoundSummary(round_, n_items, n_households)
        for round_, n_items, n_households in db.session.execute(query)
    ]


def round_for(*, coop: Coop, round_id: int) -> Round | None:
    """Return the co-op's round *round_id*, or None when it is another co-op's or unknown."""
    return db.session.scalar(select(Round).where(Round.id == round_id, Round.coop_id == coop.id))


def locked_round(*, round_id: int) -> Round:
    """Lock the round's row for the rest of the transaction and return it fresh.

    PostgreSQL holds a second locker until the first commits, so it then sees
    the state the first left; SQLite allows one writer at a time anyway.
    """
    round_ = db.session.scalar(
        select(Round)
        .where(Round.id == round_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if round_ is None:
        raise ServiceError("That round no longer exists.")
    return round_


def move(round_: Round, target: RoundState) -> None:
    """Move a (locked) round to *target*, or refuse with the domain's message."""
    try:
        check_move(round_.state, target)
    except ValueError as error:
        raise ServiceError(str(error)) from None
    round_.state = target


def _check_details(details: RoundDetails, round_: Round | None) -> None:
    title = details.title.strip()
    if not title:
        raise ServiceError("Give the round a title.", field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ServiceError(f"Use at most {TITLE_MAX_LENGTH} characters.", field="title")
    if details.closes_at <= details.opens_at:
        raise ServiceError("The deadline must be after the opening time.", field="closes_at")
    if details.pickup_at is not None and details.pickup_at <= details.closes_at:
        raise ServiceError("Pickup must be after the deadline.", field="pickup_at")
    if details.policy not in POLICIES:
        raise ServiceError("Choose how short items are shared out.", field="policy")
    if not 1 <= details.fill_percent <= 100:
        raise ServiceError("Enter a percentage from 1 to 100.", field="fill_percent")
    if details.max_per_household is not None and not (
        1 <= details.max_per_household <= MAX_PER_HOUSEHOLD
    ):
        raise ServiceError(
            f"Enter a whole number from 1 to {MAX_PER_HOUSEHOLD}, or leave it blank.",
            field="max_per_household",
        )
    if round_ is None or round_.state in RULES_EDITABLE:
        return
    # Once households are ordering, the rules they ordered under stay put.
    if (details.policy, details.fill_percent) != (round_.policy, round_.fill_percent):
        raise ServiceError(RULES_EDITABLE.refusal_for(round_.state), field="policy")
    if details.opens_at != round_.opens_at or details.closes_at != round_.closes_at:
        raise ServiceError(
            "Once the round is open, change its deadline with 'Extend the deadline'.",
            field="closes_at",
        )


def create_round(*, coop: Coop, details: RoundDetails, by: User) -> Round:
    """Add a draft round to the co-op (flushes)."""
    _check_details(details, None)
    round_ = Round(
        coop_id=coop.id,
        created_by_id=by.id,
        markup_bp=coop.markup_bp,
        **_columns(details),
    )
    db.session.add(round_)
    db.session.flush()
    return round_


def _columns(details: RoundDetails) -> dict[str, object]:
    return {
        "title": details.title.strip(),
        "opens_at": details.opens_at,
        "closes_at": details.closes_at,
        "pickup_at": details.pickup_at,
        "pickup_place": details.pickup_place.strip(),
        "policy": details.policy,
        "fill_percent": details.fill_percent,
        "max_per_household": details.max_per_household,
        "notes": details.notes.strip(),
    }


def update_round(*, round_: Round, details: RoundDetails) -> Round:
    """Change a draft or open round's details; timing and rules only while draft (flushes)."""
    require(DETAILS_EDITABLE, round_)
    _check_details(details, round_)
    limit = details.max_per_household
    if round_.state is RoundState.OPEN and limit is not None and limit != round_.max_per_household:
        unlimited = [item.id for item in round_.items if item.max_per_household is None]
        asked = most_asked(round_id=round_.id, item_ids=unlimited) if unlimited else 0
        if asked > limit:
            raise ServiceError(
                f"A household has already asked for {asked} of one item; "
                f"set the limit to at least {asked}, or leave it blank.",
                field="max_per_household",
            )
    for name, value in _columns(details).items():
        setattr(round_, name, value)
    db.session.flush()
    return round_


def open_round(*, round_id: int, now: datetime | None = None) -> Round:
    """Open a draft round for ordering, copying the prices it will keep (flushes)."""
    now = now or utcnow()
    round_ = locked_round(round_id=round_id)
    move(round_, RoundState.OPEN)
    if round_.closes_at <= now:
        raise ServiceError("The deadline has passed; set a later one before opening the round.")
    items = db.session.scalars(
        select(RoundItem)
        .where(RoundItem.round_id == round_.id)
        .options(selectinload(RoundItem.product).selectinload(Product.supplier))
    ).all()
    if not items:
        raise ServiceError("Add at least one item before opening the round.")
    # Items from the co-op's own stock have no product: their price is the co-op's already.
    gone = sorted(
        item.name
        for item in items
        if item.product is not None
        and not (item.product.available and item.product.supplier.active)
    )
    if gone:
        raise ServiceError(
            "No longer available: " + ", ".join(gone) + ". Remove them, then open the round."
        )
    for item in items:
        if item.product is not None:
            copy_product(item, item.product)
    coop = db.session.get_one(Coop, round_.coop_id)
    round_.markup_bp = coop.markup_bp
    round_.opened_at = now
    if round_.opens_at > now:
        # Opened early by hand: the round says when it really opened.
        round_.opens_at = now
    db.session.flush()
    enqueue_after_commit(round_opened, round_id=round_.id)
    return round_


def extend_deadline(*, round_: Round, closes_at: datetime, now: datetime | None = None) -> Round:
    """Give households longer to order in an open round (flushes)."""
    now = now or utcnow()
    require(DEADLINE_EXTENDABLE, round_)
    if closes_at <= max(round_.closes_at, now):
        raise ServiceError(
            "Choose a deadline later than the current one and in the future.", field="closes_at"
        )
    if round_.pickup_at is not None and round_.pickup_at <= closes_at:
        raise ServiceError(
            "The new deadline would be after pickup; change the pickup time first.",
            field="closes_at",
        )
    round_.closes_at = closes_at
    db.session.flush()
    return round_


def households_with_orders(round_id: int) -> list[Membership]:
    """Return the households that have asked for anything in the round."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(
                Membership.id.in_(
                    select(OrderRequest.membership_id).where(OrderRequest.round_id == round_id)
                )
            )
            .options(selectinload(Membership.user))
            .order_by(Membership.id)
        )
    )


def cancel_round(*, round_id: int, reason: str, by: User, link: str = "") -> Round:
    """Cancel a round whose delivery is not recorded; tell the households that ordered (flushes)."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(
            "Say why the round is cancelled; households will read it.", field="reason"
        )
    round_ = locked_round(round_id=round_id)
    was_open = round_.state is not RoundState.DRAFT
    move(round_, RoundState.CANCELLED)
    round_.cancelled_at = utcnow()
    round_.cancel_reason = reason
    coop = db.session.get_one(Coop, round_.coop_id)
    if was_open:
        send_emails(
            [
                render_message(
                    "rounds/cancelled.txt",
                    to=household.user.email,
                    user=household.user,
                    by=by,
                    round_=round_,
                    coop=coop,
                    reason=reason,
                    link=link,
                )
                for household in households_with_orders(round_.id)
            ]
        )
    db.session.flush()
    return round_


def delete_draft_round(*, round_: Round) -> None:
    """Throw away a draft round nobody has seen (flushes)."""
    require(DELETABLE, round_)
    withdraw_offers(
        item_ids=list(
            db.session.scalars(select(RoundItem.id).where(RoundItem.round_id == round_.id))
        )
    )
    db.session.execute(delete(RoundItem).where(RoundItem.round_id == round_.id))
    db.session.execute(delete(RoundSupplier).where(RoundSupplier.round_id == round_.id))
    db.session.delete(round_)
    db.session.flush()


@dataclass(frozen=True)
class DueRounds:
    """Rounds whose time has come: drafts to open and open rounds to close."""

    to_open: Sequence[int]
    to_close: Sequence[int]


def due_rounds(*, now: datetime | None = None) -> DueRounds:
    """Return the ids of rounds `flask tick` should open and close, earliest first."""
    now = now or utcnow()
    to_open = db.session.scalars(
        select(Round.id)
        .where(Round.state == RoundState.DRAFT, Round.opens_at <= now, Round.closes_at > now)
        .order_by(Round.opens_at, Round.id)
    ).all()
    to_close = db.session.scalars(
        select(Round.id)
        .where(Round.state == RoundState.OPEN, Round.closes_at <= now)
        .order_by(Round.closes_at, Round.id)
    ).all()
    return DueRounds(to_open=to_open, to_close=to_close)
