"""Council support records: what falls due, and how a monitoring schedule moves on.

Pure and standard library only. A record in force has up to three dates an
officer must act on: its spend-by date, its next monitoring return, and the
end of its period. Each is due from `DUE_WITHIN_DAYS` before it, and stays
due (overdue) until the record is closed or, for monitoring, the return is
recorded and the next one is scheduled.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

DUE_WITHIN_DAYS = 30

SPEND_BY, MONITORING, PERIOD_END = "spend_by", "monitoring", "period_end"
WHAT_IS_DUE = {
    SPEND_BY: "Money to be spent by",
    MONITORING: "Monitoring return due",
    PERIOD_END: "Period ends",
}


@dataclass(frozen=True)
class Due:
    """Something an officer must act on for a record, by a date."""

    what: str
    due_on: date

    @property
    def label(self) -> str:
        return WHAT_IS_DUE[self.what]

    def overdue(self, today: date) -> bool:
        return self.due_on < today


def due_items(
    *,
    spend_by: date | None,
    monitoring_next_due: date | None,
    period_end: date | None,
    today: date,
    within_days: int = DUE_WITHIN_DAYS,
) -> list[Due]:
    """Return what is due on a record in force by *today* + *within_days*, soonest first."""
    horizon = today + timedelta(days=within_days)
    dates = ((SPEND_BY, spend_by), (MONITORING, monitoring_next_due), (PERIOD_END, period_end))
    found = [Due(what, day) for what, day in dates if day is not None and day <= horizon]
    return sorted(found, key=lambda due: (due.due_on, due.what))


def add_months(day: date, months: int) -> date:
    """Return *day* moved on by *months*, on the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_problem(start: date | None, end: date | None) -> str | None:
    """Return why a period cannot be, or None."""
    if start is not None and end is not None and end < start:
        return "The period cannot end before it starts."
    return None


def covers(start: date | None, end: date | None, day: date) -> bool:
    """Tell whether a period with open ends contains *day*."""
    return (start is None or start <= day) and (end is None or day <= end)
