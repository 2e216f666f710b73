"""What a subsidy record has paid, round by round, read from the ledger itself.

Settlement posts each record's part of a round's subsidies to the co-op's
council-support account with the record's id, so what a record shows as used
is exactly what the ledger holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from coop.domain.support import covers
from coop.extensions import db
from coop.models import LedgerTransaction, Posting, Round, SupportKind, SupportRecord, SupportStatus


@dataclass(frozen=True)
class RoundUse:
    """What one settled round took from a record, and what was left after it."""

    round_id: int
    title: str
    settled_at: datetime | None
    used_pence: int
    left_after_pence: int


@dataclass(frozen=True)
class Usage:
    """A subsidy record's value, what rounds have used and what is left."""

    value_pence: int
    used_pence: int
    rounds: list[RoundUse]

    @property
    def left_pence(self) -> int:
        return self.value_pence - self.used_pence


def used_by_record(*, record_ids: list[int]) -> dict[int, int]:
    """Return what settled rounds have taken from each record (reads only)."""
    if not record_ids:
        return {}
    rows = db.session.execute(
        select(Posting.support_record_id, func.sum(Posting.amount_pence))
        .where(Posting.support_record_id.in_(record_ids))
        .group_by(Posting.support_record_id)
    ).all()
    # The council-support account is owed: its postings are negative.
    return {record_id: -int(total) for record_id, total in rows if record_id is not None}


def used_pence(*, record_id: int | None) -> int:
    """Return what settled rounds have taken from one record."""
    if record_id is None:
        return 0
    return used_by_record(record_ids=[record_id]).get(record_id, 0)


def record_usage(*, record: SupportRecord) -> Usage:
    """Return what each settled round took from *record*, oldest first."""
    rows = db.session.execute(
        select(Round.id, Round.title, Round.settled_at, func.sum(Posting.amount_pence))
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .join(Round, Round.id == LedgerTransaction.round_id)
        .where(Posting.support_record_id == record.id)
        .group_by(Round.id, Round.title, Round.settled_at)
        .order_by(Round.settled_at, Round.id)
    ).all()
    left, uses = record.value_pence, []
    for round_id, title, settled_at, total in rows:
        left -= -int(total)
        uses.append(RoundUse(round_id, title, settled_at, -int(total), left))
    return Usage(record.value_pence, record.value_pence - left, uses)


def round_day(round_: Round) -> date:
    """Return the day a round counts as happening on: its pickup, else its deadline."""
    return (round_.pickup_at or round_.closes_at).date()


def in_force_for(record: SupportRecord, round_: Round) -> bool:
    """Tell whether a subsidy record may pay towards *round_*: in force on the round's day."""
    day = round_day(round_)
    return (
        record.kind is SupportKind.SUBSIDY
        and record.status is SupportStatus.ACTIVE
        and covers(record.period_start, record.period_end, day)
        and (record.spend_by is None or day <= record.spend_by)
    )
