"""Reminders to households that owe the co-op money, as often and from what amount it says.

A co-op turns them on by setting ``Coop.owing_reminder_days`` (every so
many days) and ``Coop.owing_reminder_from_pence`` (only households owing at
least that); they are off until it does. `flask tick` runs `owing_reminders`
for each co-op that has them on, and a household hears when:

- its account with the co-op (the ledger's, so also a household that has
  left and still owes) shows at least the amount owed;
- it has not had an owing reminder within the last so many days (the
  ``notifications_sent`` rows of the kind say when it last had one);
- its latest charge is at least a day old, so a reminder never lands on
  the heels of the bill that made the debt.

The event key is the day (``owing:<YYYY-MM-DD>``, UTC), so two ticks on one
day send once. The message gives the amount owed, the latest bill and how to
pay, with links to the statement and the bill, and, when the co-op takes
card payments and that bill still leaves something owing, to paying it by
card in one tap: a household that has
left still reads them all and may pay
(`coop.domain.permissions.can_view_own_account`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coop.domain.notifications import NotificationKind
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    BillLine,
    Coop,
    LedgerTransaction,
    Membership,
    NotificationSent,
    Posting,
    Round,
)
from coop.models.types import utcnow
from coop.services.links import links
from coop.services.money.bills import round_bills
from coop.services.money.ledger import balances
from coop.services.money.paying_in import paying_in
from coop.services.notices import notify
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.payments.owing import CARD_MIN_PENCE, owed_on_bill_pence

# A charge this recent holds the reminder back: the bill has only just told the household.
FRESH_CHARGE = timedelta(days=1)

# Households that may owe: members, and those who left with their account still open.
OWING_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.LEFT)


@dataclass(frozen=True)
class LatestBill:
    """A household's bill for the latest round settled, as the reminder shows it."""

    title: str
    charged_pence: int
    link: str | None
    pay_link: str | None = None  # paying it by card, when the co-op takes card payments


def owing_key(now: datetime) -> str:
    """The event key of the day's owing reminders."""
    return f"owing:{now.date().isoformat()}"


def owed_by_households(*, coop: Coop) -> dict[int, int]:
    """Return, by household, what each owing at least the co-op's reminder amount owes."""
    least = max(coop.owing_reminder_from_pence, 1)
    return {
        balance.membership_id: -balance.balance_pence
        for balance in balances(coop=coop)
        if balance.kind is AccountKind.HOUSEHOLD
        and balance.membership_id is not None
        and -balance.balance_pence >= least
    }


def _reminded_lately(membership_ids: set[int], since: datetime) -> set[int]:
    return set(
        db.session.scalars(
            select(NotificationSent.membership_id).where(
                NotificationSent.kind == NotificationKind.OWING_REMINDER,
                NotificationSent.membership_id.in_(membership_ids),
                NotificationSent.sent_at > since,
            )
        )
    )


def _charged_lately(coop: Coop, membership_ids: set[int], since: datetime) -> set[int]:
    return set(
        db.session.scalars(
            select(Account.membership_id)
            .join(Posting, Posting.account_id == Account.id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .where(
                Account.coop_id == coop.id,
                Account.kind == AccountKind.HOUSEHOLD,
                Account.membership_id.in_(membership_ids),
                Posting.amount_pence < 0,
                LedgerTransaction.created_at > since,
            )
            .distinct()
        )
    )


def latest_bills(*, households: list[Membership]) -> dict[int, LatestBill]:
    """Return each household's bill for the latest settled round it was billed in."""
    by_id = {household.id: household for household in households}
    if not by_id:
        return {}
    rows = db.session.execute(
        select(BillLine.membership_id, Round)
        .join(Round, Round.id == BillLine.round_id)
        .where(BillLine.membership_id.in_(by_id), Round.state == RoundState.SETTLED)
        .group_by(BillLine.membership_id, Round.id)
        .order_by(func.coalesce(Round.settled_at, Round.closes_at).desc(), Round.id.desc())
    ).all()
    latest: dict[int, Round] = {}
    for membership_id, round_ in rows:
        latest.setdefault(membership_id, round_)
    charged: dict[tuple[int, int], int] = {}
    for round_ in {round_.id: round_ for round_ in latest.values()}.values():
        for summary in round_bills(round_=round_):
            charged[(round_.id, summary.membership_id)] = summary.charged_pence
    builders = links()
    cards = {
        household.coop_id: card_payments_enabled_for(household.coop) for household in households
    }
    return {
        membership_id: LatestBill(
            title=round_.title,
            charged_pence=charged.get((round_.id, membership_id), 0),
            link=builders.bill(round_),
            pay_link=builders.pay_bill(round_)
            if cards[round_.coop_id]
            and owed_on_bill_pence(membership=by_id[membership_id], round_=round_) >= CARD_MIN_PENCE
            else None,
        )
        for membership_id, round_ in latest.items()
    }


def households_to_remind(*, coop: Coop, now: datetime) -> tuple[list[Membership], dict[int, int]]:
    """Return the households due an owing reminder now, and what each owes."""
    days = coop.owing_reminder_days
    if not days:
        return [], {}
    owed = owed_by_households(coop=coop)
    if not owed:
        return [], {}
    candidates = set(owed)
    candidates -= _reminded_lately(candidates, now - timedelta(days=days))
    candidates -= _charged_lately(coop, candidates, now - FRESH_CHARGE) if candidates else set()
    if not candidates:
        return [], {}
    households = list(
        db.session.scalars(
            select(Membership)
            .where(
                Membership.id.in_(candidates),
                Membership.coop_id == coop.id,
                Membership.status.in_(OWING_STATUSES),
            )
            .options(selectinload(Membership.user), selectinload(Membership.coop))
            .order_by(Membership.id)
        )
    )
    return households, owed


def send_owing_reminders(*, coop: Coop, now: datetime | None = None) -> list[Membership]:
    """Remind each household of *coop* that is due it of what it owes (flushes)."""
    now = now or utcnow()
    households, owed = households_to_remind(coop=coop, now=now)
    if not households:
        return []
    bills = latest_bills(households=households)
    paying = paying_in(coop=coop)
    builders = links()
    return notify(
        kind=NotificationKind.OWING_REMINDER,
        key=owing_key(now),
        households=households,
        template="notices/owing_reminder.txt",
        values=lambda household: {
            "owed_pence": owed[household.id],
            "bill": bills.get(household.id),
            "left": not household.is_active,
            "paying": paying(household.id),
        },
        statement_link=builders.statement(coop),
    )


def owing_reminders(*, coop_id: int) -> int:
    """The job: remind a co-op's owing households; returns how many were written to.

    A co-op that is gone, or has turned reminders off since, is a logged no-op.
    """
    coop = db.session.get(Coop, coop_id)
    if coop is None:
        current_app.logger.warning(
            "Owing reminders: co-op %s no longer exists; nothing sent", coop_id
        )
        return 0
    if not coop.owing_reminder_days:
        current_app.logger.info("Owing reminders: co-op %s has them off; nothing sent", coop_id)
        return 0
    return len(send_owing_reminders(coop=coop))


def coops_reminding_owing() -> list[int]:
    """Return the ids of the co-ops that send owing reminders."""
    return list(
        db.session.scalars(
            select(Coop.id).where(Coop.owing_reminder_days.is_not(None)).order_by(Coop.id)
        )
    )
