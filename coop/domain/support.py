"""Council support records: what falls due, and how a monitoring schedule moves on.

Pure and standard library only. A record in force has dates an officer must
act on: its spend-by date, its next monitoring return, the end of its
period, and, from its condition flags, the return of unspent money on the
spend-by date (underspend returnable) and the check that the co-op has
acknowledged the council's support, due `ACKNOWLEDGE_WITHIN_DAYS` into the
period (acknowledgement required). Each is due from `DUE_WITHIN_DAYS` before
it, and stays due (overdue) until the record is closed or, for monitoring,
the return is recorded and the next one is scheduled, or, for the
acknowledgement, it is recorded as seen.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

DUE_WITHIN_DAYS = 30
ACKNOWLEDGE_WITHIN_DAYS = 30

SPEND_BY, MONITORING, PERIOD_END = "spend_by", "monitoring", "period_end"
UNDERSPEND, ACKNOWLEDGEMENT = "underspend", "acknowledgement"
WHAT_IS_DUE = {
    SPEND_BY: "Money to be spent by",
    MONITORING: "Monitoring return due",
    PERIOD_END: "Period ends",
    UNDERSPEND: "Unspent money to be returned from",
    ACKNOWLEDGEMENT: "The co-op's acknowledgement of the support to be checked by",
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
    underspend_returnable: bool = False,
    acknowledgement_from: date | None = None,
) -> list[Due]:
    """Return what is due on a record in force by *today* + *within_days*, soonest first.

    *acknowledgement_from* is the day an acknowledgement still to be seen
    was first required (the start of the period); None when none is owed.
    """
    horizon = today + timedelta(days=within_days)
    acknowledge_by = (
        acknowledgement_from + timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)
        if acknowledgement_from is not None
        else None
    )
    dates = (
        (SPEND_BY, spend_by),
        (MONITORING, monitoring_next_due),
        (PERIOD_END, period_end),
        (UNDERSPEND, spend_by if underspend_returnable else None),
        (ACKNOWLEDGEMENT, acknowledge_by),
    )
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


# A record is paid from the Household Support Fund when its programme names the fund:
# "Household Support Fund round 6", "HSF 6", "HSF7", "hsf - round 7" (any case, any spacing).
_HSF_PROGRAMME = re.compile(
    r"\bhousehold\s+support\s+fund\b|\bhsf(?:\s*-?\s*\d+)?\b", re.IGNORECASE
)


def is_household_support_fund_programme(programme: str) -> bool:
    """Tell whether a support record's programme is the Household Support Fund.

    Councils type the programme as free text, so the fund is recognised by its
    name ("Household Support Fund", any round) or its usual abbreviation as a
    word of its own ("HSF", "HSF 6", "HSF6"); "HSFX" or "Fresh fund" are not it.
    The decision is the name alone: coop records no fund code, and an officer
    who wants a record in the fund's return names the fund in its programme.
    """
    return bool(_HSF_PROGRAMME.search(" ".join(programme.split())))
