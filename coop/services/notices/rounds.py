"""The notifications of a round's life: it opened, and the order is ready for pickup.

Each is a job, enqueued once the round's change commits, carrying the
round's id. A round that no longer exists, or is no longer where the job
expects it (cancelled in between, say), makes the job a logged no-op. Both
are keyed ``round:<id>``, so a household hears each once per round, however
often the job runs (a delivery undone and recorded again tells it again
only of what changed, by the ``arrived`` message, not a second pickup notice).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coop.domain.notifications import NotificationKind
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, Membership, Round, RoundItem, RoundSupplier
from coop.services.links import links
from coop.services.notices import notify


def round_key(round_id: int) -> str:
    """The event key of a round's notifications."""
    return f"round:{round_id}"


def _round(round_id: int, *, job: str, states: frozenset[RoundState]) -> Round | None:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        current_app.logger.warning("%s: round %s no longer exists; nothing sent", job, round_id)
        return None
    if round_.state not in states:
        current_app.logger.warning(
            "%s: round %s is %s now; nothing sent", job, round_id, round_.state.value
        )
        return None
    return round_


def active_households(coop_id: int) -> list[Membership]:
    """The co-op's active households, with their people."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.coop_id == coop_id, Membership.status == MembershipStatus.ACTIVE)
            .options(selectinload(Membership.user), selectinload(Membership.coop))
            .order_by(Membership.id)
        )
    )


def supplier_names(round_: Round) -> list[str]:
    """The names of the suppliers a round buys from, not counting those dropped."""
    rows = db.session.scalars(
        select(RoundSupplier)
        .where(RoundSupplier.round_id == round_.id, RoundSupplier.dropped_at.is_(None))
        .options(selectinload(RoundSupplier.supplier))
    ).all()
    return sorted({row.supplier.name for row in rows})


# The items an opening message names; the ordering page has the rest.
ITEMS_NAMED = 8


def round_opened(*, round_id: int) -> None:
    """The job: tell the co-op's households that a round has opened for ordering."""
    round_ = _round(round_id, job="Round opened", states=frozenset({RoundState.OPEN}))
    if round_ is None:
        return
    items = db.session.scalar(
        select(db.func.count()).select_from(RoundItem).where(RoundItem.round_id == round_.id)
    )
    named = db.session.scalars(
        select(RoundItem.name)
        .where(RoundItem.round_id == round_.id)
        .order_by(RoundItem.category, RoundItem.name, RoundItem.id)
        .limit(ITEMS_NAMED)
    ).all()
    notify(
        kind=NotificationKind.ROUND_OPENED,
        key=round_key(round_.id),
        households=active_households(round_.coop_id),
        template="notices/round_opened.txt",
        round_=round_,
        suppliers=supplier_names(round_),
        item_count=items or 0,
        item_names=list(named),
        pickup_place=round_.pickup_place or round_.coop.pickup_address,
        link=links().order(round_),
    )


@dataclass(frozen=True)
class Collecting:
    """One thing a household collects: so many units of an item."""

    name: str
    units: int
    unit_label: str


PICKUP_STATES = frozenset({RoundState.RECEIVED, RoundState.SETTLED})


def ready_for_pickup(*, round_id: int) -> None:
    """The job: tell each household with something to collect when and where to collect it."""
    round_ = _round(round_id, job="Ready for pickup", states=PICKUP_STATES)
    if round_ is None:
        return
    rows = db.session.execute(
        select(Allocation.membership_id, RoundItem.name, RoundItem.unit_label, Allocation.units)
        .join(RoundItem, RoundItem.id == Allocation.round_item_id)
        .where(Allocation.round_id == round_.id, Allocation.units > 0)
        .order_by(RoundItem.name, RoundItem.id)
    ).all()
    collecting: dict[int, list[Collecting]] = defaultdict(list)
    for membership_id, name, unit_label, units in rows:
        collecting[membership_id].append(Collecting(name, units, unit_label))
    order_page = links().order(round_)
    households = list(
        db.session.scalars(
            select(Membership)
            .where(Membership.id.in_(collecting))
            .options(selectinload(Membership.user), selectinload(Membership.coop))
            .order_by(Membership.id)
        )
    )
    notify(
        kind=NotificationKind.READY_FOR_PICKUP,
        key=round_key(round_.id),
        households=households,
        template="notices/ready_for_pickup.txt",
        values=lambda household: {
            "collecting": collecting[household.id],
            # A household that has left since cannot open the members' pages.
            "link": order_page if household.is_active else "",
        },
        round_=round_,
        pickup_place=round_.pickup_place or round_.coop.pickup_address,
    )
