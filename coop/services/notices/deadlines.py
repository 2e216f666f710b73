"""The deadline reminder: a round closes soon, and a household has not ordered or is short.

A co-op sets how many hours before a round closes its households hear
(``Coop.deadline_reminder_hours``; None for no reminder). From then until
the round closes, `flask tick` runs `deadline_near` for the round every
time, and each active household that needs it hears once per round (key
``round:<id>``, the same kind of event as the round's other notices):

- a household that has not ordered anything is told the deadline;
- a household with firm units that would not be ordered if the round
  closed now, because the case they sit in is not full, is told which items,
  how many units each case still needs and how to help it fill.

Both are one message, the one a household needs. A household that ordered
and whose cases fill hears nothing; one that falls short later in the window
(someone else lowered an order) is told then, still only once per round. A
round that opened inside its reminder window gets no reminder: the opening
message has just given its deadline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from coop.domain.allocation import allocate, case_progress
from coop.domain.notifications import DEADLINE_REMINDER_HOURS_RANGE, NotificationKind
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Coop, Membership, Round
from coop.models.types import utcnow
from coop.services.links import links
from coop.services.notices import already_sent, notify
from coop.services.notices.rounds import active_households, round_key
from coop.services.rounds.closing import active_requests, item_facts

KIND = NotificationKind.DEADLINE_NEAR


@dataclass(frozen=True)
class ShortCase:
    """An item of a household's order whose case still needs units from someone."""

    name: str
    unit_label: str
    needed: int  # units the case being filled still needs
    waiting: int  # the household's own firm units in it, not ordered if the round closed now


def reminder_time(round_: Round, coop: Coop) -> datetime | None:
    """Return when the round's deadline reminder is due, or None when it has none."""
    hours = coop.deadline_reminder_hours
    if not hours:
        return None
    due = round_.closes_at - timedelta(hours=hours)
    if round_.opened_at is not None and round_.opened_at > due:
        return None  # opened inside the window: its opening message gave the deadline
    return due


def rounds_near_deadline(*, now: datetime | None = None) -> list[int]:
    """Return the ids of the open rounds inside their co-op's deadline reminder window."""
    now = now or utcnow()
    latest = now + timedelta(hours=DEADLINE_REMINDER_HOURS_RANGE[1])
    rows = db.session.execute(
        select(Round, Coop)
        .join(Coop, Coop.id == Round.coop_id)
        .where(
            Round.state == RoundState.OPEN,
            Round.closes_at > now,
            Round.closes_at <= latest,
            Coop.deadline_reminder_hours.is_not(None),
        )
        .order_by(Round.closes_at, Round.id)
    ).all()
    ids = []
    for round_, coop in rows:
        due = reminder_time(round_, coop)
        if due is not None and due <= now:
            ids.append(round_.id)
    return ids


@dataclass(frozen=True)
class Standing:
    """Where the round's orders stand for the reminder: who ordered, and who is short."""

    ordered: set[int]  # households with something on offer in their order, firm or extra
    short: dict[int, list[ShortCase]]  # households with firm units in a case not filled


def order_standing(round_: Round) -> Standing:
    """Return who has ordered and whose units would not be ordered if the round closed now.

    The rules are closing's own: the queue of active households' requests,
    whole cases by the round's fill threshold, and the round's allocation
    policy to say whose firm units are left out. Items of a dropped supplier
    count for nothing.
    """
    queues = active_requests(round_.id)
    ordered: set[int] = set()
    short: dict[int, list[ShortCase]] = defaultdict(list)
    for item in item_facts(round_).values():
        queue = queues.get(item.id, [])
        if item.dropped or not queue:
            continue
        ordered.update(request.household for request in queue)
        firm = sum(request.quantity for request in queue)
        extra = sum(request.tolerance for request in queue)
        progress = case_progress(firm, extra, item.case_size, round_.fill_percent)
        if not progress.needed or progress.partial_will_fill:
            continue
        given = allocate(
            queue, item.case_size, policy=round_.policy, fill_percent=round_.fill_percent
        )
        asked: dict[int, int] = defaultdict(int)
        for request in queue:
            asked[request.household] += request.quantity
        for household, units in asked.items():
            waiting = units - min(units, given.get(household, 0))
            if waiting > 0:
                short[household].append(
                    ShortCase(item.name, item.unit_label, progress.needed, waiting)
                )
    return Standing(ordered=ordered, short=dict(short))


def deadline_near(*, round_id: int) -> int:
    """The job: remind the households that have not ordered, or sit in an unfilled case.

    Returns how many households were written to; a round that is gone or no
    longer open is a logged no-op.
    """
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        current_app.logger.warning(
            "Deadline near: round %s no longer exists; nothing sent", round_id
        )
        return 0
    now = utcnow()
    if round_.state is not RoundState.OPEN or round_.closes_at <= now:
        current_app.logger.warning(
            "Deadline near: round %s is no longer taking orders; nothing sent", round_id
        )
        return 0
    due = reminder_time(round_, round_.coop)
    if due is None or due > now:
        current_app.logger.warning(
            "Deadline near: round %s has no reminder due now; nothing sent", round_id
        )
        return 0
    key = round_key(round_.id)
    everyone = active_households(round_.coop_id)
    told = already_sent(kind=KIND, key=key, membership_ids=[h.id for h in everyone])
    if len(told) == len(everyone):  # most runs in the window: everyone has heard
        return 0
    standing = order_standing(round_)
    wanted: list[Membership] = [
        household
        for household in everyone
        if household.id not in told
        and (household.id not in standing.ordered or household.id in standing.short)
    ]
    sent = notify(
        kind=KIND,
        key=key,
        households=wanted,
        template="notices/deadline_near.txt",
        values=lambda household: {
            "not_ordered": household.id not in standing.ordered,
            "short": standing.short.get(household.id, []),
        },
        round_=round_,
        link=links().order(round_),
    )
    return len(sent)
