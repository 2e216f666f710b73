"""Demo rounds for Fishwick: one open with orders under way, one closed last week.

The open round offers thirty staples and some households have ordered, some
with tolerance, so the ordering page shows cases part full. Last week's
round was closed by the scheduler at its deadline, so its allocations,
order sheets, packing lists and closing emails (in the outbox) are there to
look at, and its delivery is waiting to be received. Orders are written as
request rows with times a few minutes apart, as if typed over the days the
round was open; they are made up, like everything in the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, select

from coop.domain.allocation import FAIR_SHARE, FIRST_COME
from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, Membership, OrderRequest, Product, Round, RoundItem, User
from coop.models.types import utcnow
from coop.services.closing import close_round
from coop.services.round_items import add_round_items
from coop.services.rounds import RoundDetails, create_round, open_round

# Product codes of the demo catalogue (`coop.services.demo_catalogue`).
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
PICKUP_PLACE = "Fishwick Community Hall (demo), side door"
EVENING, MORNING = time(20, 0), time(10, 0)


@dataclass(frozen=True)
class DemoRounds:
    """The demo rounds, for the caller to mention."""

    open_round: Round
    closed_round: Round


def load_demo_rounds(*, coop: Coop, coordinator: User, now: datetime | None = None) -> DemoRounds:
    """Add an open round with orders and a closed round with allocations to *coop* (flushes)."""
    now = now or utcnow()
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
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
            notes="Tolerance helps a case fill: say how many more you would take.",
        ),
    )
    open_round(round_id=this_week.id, now=now)
    # Not everyone has ordered yet, and the orders so far came in before now.
    _order(this_week, households[:6], pick, items_each=(5, 10), until=now)
    return DemoRounds(open_round=this_week, closed_round=last_week)


def _round(coop: Coop, coordinator: User, codes: tuple[str, ...], details: RoundDetails) -> Round:
    round_ = create_round(coop=coop, details=details, by=coordinator)
    product_ids = db.session.scalars(
        select(Product.id).where(Product.code.in_(codes), Product.supplier.has(coop_id=coop.id))
    ).all()
    add_round_items(round_=round_, product_ids=product_ids)
    return round_


def _order(
    round_: Round,
    households: list[int],
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
