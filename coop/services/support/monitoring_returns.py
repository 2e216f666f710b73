"""A support record's monitoring return: its figures for a period, and the officer's narrative.

The figures are the council report's for the record's co-op and the period
(`council_report(council=, period=, coop_ids=[record.coop_id])`), already
suppressed: the return shows what the report shows and nothing else. The
council is the one whose officer asks: the record's own or, once it has
been replaced, its successor, whose report counts the co-op's rounds under
both (the record's own council stops counting them when the co-op moves).
A period in which the co-op was not the council's is refused, as the
report refuses it.

Spend against the award depends on the kind of support:

- a **subsidy** is paid out at settlement, and the ledger's council-support
  postings name the record, so the return gives what rounds counted in the
  period took from this record, what they took from its start to the end of
  the period, and what was left of the award then. These are money worked out
  from the co-op's households, so they are withheld, with the report's own
  marker, wherever the report withholds the co-op's money for the period;
- a **grant**, micro-grant, loan or other award is paid to the co-op, not
  through rounds, so the return gives the award, its dates and spend-by date,
  and the officer explains the spend in the narrative;
- **in-kind** support gives its estimated value and the basis of the estimate.

The narrative is saved whole or not at all: every field is checked first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coop.domain.support import add_months
from coop.domain.suppression import Shown, Suppressed
from coop.domain.text import holds_control_character
from coop.extensions import db
from coop.models import (
    Council,
    LedgerTransaction,
    MonitoringReturn,
    Posting,
    Round,
    SupportKind,
    SupportRecord,
    User,
)
from coop.models.monitoring import NARRATIVE_FIELDS
from coop.models.types import utcnow
from coop.services.council_reports.period import Period, custom_period, quarter_period
from coop.services.council_reports.report import council_report
from coop.services.council_reports.results import Report
from coop.services.council_reports.sql import local_midnight
from coop.services.errors import ServiceError
from coop.services.times import display_zone

# The most characters each narrative field takes.
NARRATIVE_MAX_LENGTH = 5000


@dataclass(frozen=True)
class Narrative:
    """What an officer writes in a return, field by field (see NARRATIVE_FIELDS)."""

    delivered: str = ""
    outcomes: str = ""
    story: str = ""
    challenges: str = ""
    next_plans: str = ""
    spend_notes: str = ""

    @classmethod
    def of(cls, saved: MonitoringReturn | None) -> Narrative:
        """Return the narrative a saved return holds (empty when there is none)."""
        if saved is None:
            return cls()
        return cls(**{name: getattr(saved, name) for name in NARRATIVE_FIELDS})


@dataclass(frozen=True)
class AwardSpend:
    """The award and, for a subsidy, what rounds took from it (None: not applicable)."""

    value_pence: int
    used_in_period: Shown | None
    used_to_end: Shown | None
    left_at_end: Shown | None


@dataclass(frozen=True)
class ReturnFigures:
    """What a return shows beside its narrative: the suppressed report and the award's spend."""

    record: SupportRecord
    period: Period
    report: Report
    award: AwardSpend


def last_quarter(today: date) -> Period:
    """Return the last full calendar quarter before *today*."""
    this = quarter_period(year=today.year, quarter=(today.month - 1) // 3 + 1)
    before = this.start - timedelta(days=1)
    return quarter_period(year=before.year, quarter=(before.month - 1) // 3 + 1)


def default_period(*, record: SupportRecord, today: date) -> Period:
    """Return the period a record's return is for unless an officer chooses another.

    The months before the next monitoring return falls due (from the record's
    start if that is later); else the record's own period, up to today while it
    has no end; else the last full quarter.
    """
    due, months = record.monitoring_next_due, record.monitoring_months
    if due is not None and months:
        start, end = add_months(due, -months), due - timedelta(days=1)
        if record.period_start is not None and start < record.period_start <= end:
            start = record.period_start
        return custom_period(start=start, end=end)
    if record.period_start is not None:
        end = record.period_end or max(today, record.period_start)
        try:
            return custom_period(start=record.period_start, end=end)
        except ServiceError:
            pass  # longer than a report may cover: fall back to a quarter
    return last_quarter(today)


def _used(record: SupportRecord, start: date | None, end: date) -> int:
    """Return what rounds counted from *start* to *end* took from *record*, from the ledger.

    A round counts on its pickup day (else its deadline's) in the UK, as in the report.
    """
    day = func.coalesce(Round.pickup_at, Round.closes_at)
    zone = display_zone()
    query = (
        select(func.coalesce(func.sum(Posting.amount_pence), 0))
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .join(Round, Round.id == LedgerTransaction.round_id)
        .where(
            Posting.support_record_id == record.id,
            day < local_midnight(end + timedelta(days=1), zone),
        )
    )
    if start is not None:
        query = query.where(day >= local_midnight(start, zone))
    # The council-support account is owed: its postings are negative.
    return -int(db.session.scalar(query) or 0)


def _award_spend(record: SupportRecord, period: Period, report: Report) -> AwardSpend:
    if record.kind is not SupportKind.SUBSIDY:
        return AwardSpend(record.value_pence, None, None, None)
    # What rounds took is money worked out from the co-op's households: hidden as its money is.
    withheld = report.headline.get("subsidy_pence")
    if isinstance(withheld, Suppressed):
        return AwardSpend(record.value_pence, withheld, withheld, withheld)
    to_end = _used(record, None, period.end)
    return AwardSpend(
        record.value_pence,
        _used(record, period.start, period.end),
        to_end,
        record.value_pence - to_end,
    )


def return_figures(*, council: Council, record: SupportRecord, period: Period) -> ReturnFigures:
    """Return the figures of *record*'s return for *period*, suppressed as *council*'s report is."""
    try:
        report = council_report(council=council, period=period, coop_ids=[record.coop_id])
    except ServiceError as refused:
        # The report names its co-op field; a return's choice is its period.
        raise ServiceError(refused.message, field="from", code=refused.code) from None
    return ReturnFigures(record, period, report, _award_spend(record, period, report))


def saved_return(*, record: SupportRecord, period: Period) -> MonitoringReturn | None:
    """Return what was saved of *record*'s return for *period*, or None."""
    return db.session.scalar(
        select(MonitoringReturn).where(
            MonitoringReturn.support_record_id == record.id,
            MonitoringReturn.period_start == period.start,
            MonitoringReturn.period_end == period.end,
        )
    )


def return_by_id(*, record: SupportRecord, return_id: int) -> MonitoringReturn | None:
    """Return *record*'s return *return_id*, or None when it is another record's."""
    found = db.session.get(MonitoringReturn, return_id)
    return found if found is not None and found.support_record_id == record.id else None


def ensure_return(*, record: SupportRecord, period: Period) -> MonitoringReturn:
    """Return *record*'s return for *period*, adding an empty one if none is saved; flushed."""
    found = saved_return(record=record, period=period)
    if found is not None:
        return found
    new = MonitoringReturn(
        support_record_id=record.id, period_start=period.start, period_end=period.end
    )
    try:
        with db.session.begin_nested():
            db.session.add(new)
            db.session.flush()
    except IntegrityError:
        # Another officer's first save of the same return came first: use theirs.
        found = saved_return(record=record, period=period)
        if found is None:
            raise
        return found
    return new


def _checked(narrative: Narrative) -> Narrative:
    cleaned = {}
    for name in NARRATIVE_FIELDS:
        value = getattr(narrative, name).strip().replace("\r\n", "\n")
        if holds_control_character(value):
            raise ServiceError("Remove the control characters.", field=name)
        if len(value) > NARRATIVE_MAX_LENGTH:
            raise ServiceError(f"Use at most {NARRATIVE_MAX_LENGTH:,} characters.", field=name)
        cleaned[name] = value
    return Narrative(**cleaned)


def save_narrative(
    *, record: SupportRecord, period: Period, narrative: Narrative, by: User
) -> MonitoringReturn:
    """Save the narrative of *record*'s return for *period*, all fields or none; flushed."""
    checked = _checked(narrative)
    saved = ensure_return(record=record, period=period)
    for name in NARRATIVE_FIELDS:
        setattr(saved, name, getattr(checked, name))
    saved.version += 1
    saved.saved_by_id = by.id
    saved.saved_at = utcnow()
    db.session.flush()
    return saved


def return_period(saved: MonitoringReturn) -> Period:
    """Return the period a saved return is for."""
    return custom_period(start=saved.period_start, end=saved.period_end)
