"""Demo rounds for Fishwick: one open, one closed last week, one settled three weeks ago.

The open round offers thirty staples and some households have ordered, some
with tolerance, so the ordering page shows cases part full. Last week's
round was closed by the scheduler at its deadline, so its allocations,
order sheets, packing lists and closing emails (in the outbox) are there to
look at, and its delivery is waiting to be received. The round of three
weeks ago went all the way: closed, received one unit short, a delivery
charge shared out, settled by the treasurer, and some households have paid
in cash or by bank transfer since, so statements, bills, balances and the
ledger show real figures. Orders are written as request rows with times a
few minutes apart, as if typed over the days the round was open; they are
made up, like everything in the demo, and so are the times the money moved.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from coop.domain.allocation import FAIR_SHARE, FIRST_COME
from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import (
    BillLine,
    Coop,
    LedgerTransaction,
    Membership,
    OrderRequest,
    Product,
    Round,
    RoundItem,
    SplitBasis,
    User,
)
from coop.models.types import utcnow
from coop.services.money.costs import add_round_cost, delivery_offers
from coop.services.money.settlement import settle_round
from coop.services.money.treasury import Method, record_payment
from coop.services.rounds.closing import close_round
from coop.services.rounds.items import add_round_items
from coop.services.rounds.lifecycle import RoundDetails, create_round, open_round
from coop.services.rounds.receiving import Arrived, items_to_receive, receive_round
from coop.services.times import display_zone

# Product codes of the demo catalogue (`coop.demo.catalogue`).
THIS_WEEK = (
    *(
        f"NW-{line}-01"
        for line in (
            "RICL", "OATS", "SPAG", "PENN", "TOMC", "PASS", "BEAN", "CHKT", "COCO",
            "SOUP", "PNBT", "LENR", "FLRP", "SUGG", "OILS", "TEAB", "COFI", "CFLK",
            "MLKS", "OATD", "STCK", "TPST", "WASH", "LOOR", "LAUL", "NAPP",
        )
    ),
    "GL-CAR", "GL-ONI", "GL-APE", "GL-KAL",
)  # fmt: skip
# Small cases, so that a co-op of a few households fills some of them.
LAST_WEEK = (
    *(
        f"NW-{line}-01"
        for line in ("OATS", "PASS", "PNBT", "JAMS", "YEAS", "OILR", "MUES", "LAUL", "LOOR", "NAPP")
    ),
    "GL-CAR", "GL-ONI",
)  # fmt: skip
# Three weeks ago: the same small cases, and fresh veg.
SETTLED = (
    *(f"NW-{line}-01" for line in ("OATS", "PASS", "PNBT", "JAMS", "OILR", "LAUL", "LOOR")),
    "GL-CAR", "GL-ONI", "GL-APE",
)  # fmt: skip
PICKUP_PLACE = "Fishwick Community Hall (demo), side door"
EVENING, MORNING = time(20, 0), time(10, 0)


@dataclass(frozen=True)
class DemoRounds:
    """The demo rounds, for the caller to mention."""

    open_round: Round
    closed_round: Round
    settled_round: Round


def load_demo_rounds(*, coop: Coop, coordinator: User, now: datetime | None = None) -> DemoRounds:
    """Add an open round with orders, a closed one and a settled one, paid in part (flushes)."""
    now = now or utcnow()
    zone = display_zone()
    today = now.astimezone(zone).date()

    def at(day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, zone)

    households = db.session.scalars(
        select(Membership.id)
        .where(
            Membership.coop_id == coop.id,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.role == Role.MEMBER,
        )
        .order_by(Membership.id)
    ).all()
    settled = _settled_round(coop, coordinator, households, at, today)
    pick = random.Random(4)  # the same demo every time

    deadline = at(today - timedelta(days=5), EVENING)
    last_week = _round(
        coop,
        coordinator,
        LAST_WEEK,
        RoundDetails(
            title=f"Weekly order, pickup {at(today + timedelta(days=1), MORNING):%a %-d %b}",
            opens_at=at(today - timedelta(days=12), MORNING),
            closes_at=deadline,
            pickup_at=at(today + timedelta(days=1), MORNING),
            pickup_place=PICKUP_PLACE,
            policy=FAIR_SHARE,
            notes="Closed at its deadline; the delivery is due before pickup.",
        ),
    )
    open_round(round_id=last_week.id, now=last_week.opens_at)
    _order(last_week, households, pick, items_each=(3, 7))
    close_round(round_id=last_week.id, by=None, now=deadline)

    deadline = at(today + timedelta(days=3), EVENING)
    this_week = _round(
        coop,
        coordinator,
        THIS_WEEK,
        RoundDetails(
            title=f"Weekly order, pickup {at(today + timedelta(days=5), MORNING):%a %-d %b}",
            opens_at=at(today - timedelta(days=1), MORNING),
            closes_at=deadline,
            pickup_at=at(today + timedelta(days=5), MORNING),
            pickup_place=PICKUP_PLACE,
            policy=FIRST_COME,
            notes=(
                'Under "Extra to help fill a case", say how many more you would take '
                "if that fills a case."
            ),
        ),
    )
    open_round(round_id=this_week.id, now=now)
    # Not everyone has ordered yet, and the orders so far came in before now.
    _order(this_week, households[:6], pick, items_each=(5, 10), until=now)
    return DemoRounds(open_round=this_week, closed_round=last_week, settled_round=settled)


def _settled_round(
    coop: Coop,
    coordinator: User,
    households: Sequence[int],
    at: Callable[[date, time], datetime],
    today: date,
) -> Round:
    """Take a round of three weeks ago through closing, receiving and settling; record payments.

    The services stamp what they do with the present moment; the demo's history
    is then dated back to the days it would have happened.
    """
    treasurer = (
        db.session.scalar(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.coop_id == coop.id, Membership.role == Role.TREASURER)
        )
        or coordinator
    )
    pickup_day = today - timedelta(days=19)
    pickup, deadline = at(pickup_day, MORNING), at(pickup_day - timedelta(days=2), EVENING)
    round_ = _round(
        coop,
        coordinator,
        SETTLED,
        RoundDetails(
            title=f"Weekly order, pickup {pickup:%a %-d %b}",
            opens_at=at(pickup_day - timedelta(days=9), MORNING),
            closes_at=deadline,
            pickup_at=pickup,
            pickup_place=PICKUP_PLACE,
            policy=FIRST_COME,
            notes="Settled: the bills are on each household's statement.",
        ),
    )
    open_round(round_id=round_.id, now=round_.opens_at)
    _order(round_, households, random.Random(21), items_each=(3, 6))
    close_round(round_id=round_.id, by=None, now=deadline)

    # Everything came but one unit of the first item, which the supplier had run out of,
    # and the second came in the supplier's own brand, at the same price.
    arrived = [
        Arrived(
            item_id=item.id,
            amount=(item.units_ordered or 0) - (1 if n == 0 else 0),
            substitute=f"{item.name}, the supplier's own brand" if n == 1 else "",
        )
        for n, item in enumerate(items_to_receive(round_id=round_.id))
    ]
    receive_round(round_id=round_.id, by=coordinator, lines=arrived)
    round_.received_at = pickup - timedelta(hours=2)
    for offer in delivery_offers(round_=round_, costs=[]):
        add_round_cost(
            round_=round_,
            name=offer.name,
            amount_pence=offer.amount_pence,
            basis=SplitBasis.BY_VALUE,
            supplier_id=offer.supplier_id,
        )
    settled = settle_round(round_id=round_.id, by=treasurer)
    round_.settled_at = pickup + timedelta(hours=4)
    _dated(settled.transaction_id, round_.settled_at)

    # Some households have paid since: one its bill in cash, one a round sum by bank
    # transfer (leaving it in credit), one part of its bill in cash.
    bills = dict(
        db.session.execute(
            select(BillLine.membership_id, func.sum(BillLine.amount_pence))
            .where(BillLine.round_id == round_.id)
            .group_by(BillLine.membership_id)
        ).all()
    )
    payers = [household for household in households if bills.get(household, 0) > 0]
    payments = [
        (Method.CASH, bills[payers[0]], "paid at the hall"),
        (Method.BANK, (bills[payers[1]] // 1000 + 1) * 1000, ""),
        (Method.CASH, bills[payers[2]] // 200 * 100, "the rest next week"),
    ]
    for n, (household, (method, amount, note)) in enumerate(zip(payers[:3], payments, strict=True)):
        payment = record_payment(
            coop=coop,
            membership_id=household,
            amount_pence=amount,
            method=method,
            note=note,
            by=treasurer,
        )
        _dated(payment.id, round_.settled_at + timedelta(days=n + 1, hours=n))
    return round_


def _dated(transaction_id: int, when: datetime) -> None:
    db.session.get_one(LedgerTransaction, transaction_id).created_at = when
    db.session.flush()


def _round(coop: Coop, coordinator: User, codes: tuple[str, ...], details: RoundDetails) -> Round:
    round_ = create_round(coop=coop, details=details, by=coordinator)
    product_ids = db.session.scalars(
        select(Product.id).where(Product.code.in_(codes), Product.supplier.has(coop_id=coop.id))
    ).all()
    add_round_items(round_=round_, product_ids=product_ids)
    return round_


def _order(
    round_: Round,
    households: Sequence[int],
    pick: random.Random,
    *,
    items_each: tuple[int, int],
    until: datetime | None = None,
) -> None:
    """Write each household's requests for a few items, in one bulk insert.

    About a third of the lines carry tolerance; now and then a household comes
    back later for more, which joins the back of the queue as a new request.
    """
    items = db.session.execute(
        select(RoundItem.id, RoundItem.case_size)
        .where(RoundItem.round_id == round_.id)
        .order_by(RoundItem.id)
    ).all()
    start = round_.opens_at + timedelta(hours=1)
    end = until or round_.closes_at
    asks = []
    for household in households:
        for item in pick.sample(items, pick.randint(*items_each)):
            most = max(2, item.case_size // 2)
            quantity = pick.randint(1, most)
            tolerance = pick.randint(1, 3) if pick.random() < 0.35 else 0
            asks.append((item.id, household, quantity, tolerance))
            if pick.random() < 0.1:
                asks.append((item.id, household, pick.randint(1, 2), 0))
    # Spread over the time the round was open, in the order written above.
    step = (end - start) / (len(asks) + 1)
    db.session.execute(
        insert(OrderRequest),
        [
            {
                "round_id": round_.id,
                "round_item_id": item_id,
                "membership_id": household,
                "quantity": quantity,
                "tolerance": tolerance,
                "created_at": start + step * (n + 1),
                "updated_at": start + step * (n + 1),
            }
            for n, (item_id, household, quantity, tolerance) in enumerate(asks)
        ],
    )
