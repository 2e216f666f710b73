"""The period a report covers: a financial year by default, any span of days up to five years.

A co-op's financial year runs from 1 April to 31 March, as most small UK
charities' and community groups' do. A period's days are both included; it
may not end in the future, must end after it starts, and is at most five
years long. Bad dates are refused at their field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from coop.services.errors import ServiceError
from coop.services.times import display_zone

#: The month a financial year starts in.
YEAR_STARTS_IN = 4
MAX_YEARS = 5


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """From *start* to *end*, both days included."""

    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    @property
    def short_label(self) -> str:
        """A column heading: "2025-26" for a financial year, else the two dates."""
        if self.is_financial_year:
            return f"{self.start.year}-{(self.start.year + 1) % 100:02d}"
        return f"{self.start:%d/%m/%Y}-{self.end:%d/%m/%Y}"

    @property
    def is_financial_year(self) -> bool:
        return (
            self.start.month == YEAR_STARTS_IN
            and self.start.day == 1
            and self.end == _add_months(self.start, 12) - timedelta(days=1)
        )

    @property
    def months(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        found, month = [], self.start.replace(day=1)
        while month <= self.end:
            found.append(month)
            month = _add_months(month, 1)
        return found

    def previous(self) -> Period:
        """The period of the same length just before: the previous year for a year."""
        whole_months = self.start.day == 1 and (self.end + timedelta(days=1)).day == 1
        if whole_months:
            span = len(self.months)
            return Period(_add_months(self.start, -span), self.start - timedelta(days=1))
        days = (self.end - self.start).days + 1
        return Period(self.start - timedelta(days=days), self.start - timedelta(days=1))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants: the local midnight it starts at, and the one after it."""
        zone = display_zone()
        start = datetime.combine(self.start, time(), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
        return start, end


def financial_year_of(day: date) -> Period:
    """The financial year *day* falls in."""
    year = day.year if day.month >= YEAR_STARTS_IN else day.year - 1
    start = date(year, YEAR_STARTS_IN, 1)
    return Period(start, _add_months(start, 12) - timedelta(days=1))


def last_complete_year(today: date) -> Period:
    """The last financial year that has ended by *today*."""
    return financial_year_of(financial_year_of(today).start - timedelta(days=1))


def checked_period(*, start: date | None, end: date | None, today: date) -> Period:
    """Return the period from *start* to *end*, or refuse it at the field that is wrong."""
    if start is None:
        raise ServiceError("Enter the period's first day, like 2025-04-01.", field="start")
    if end is None:
        raise ServiceError("Enter the period's last day, like 2026-03-31.", field="end")
    if end > today:
        raise ServiceError(
            f"The period cannot end in the future: choose a day up to {today:%-d %B %Y}.",
            field="end",
        )
    if end <= start:
        raise ServiceError("The period must end after the day it starts.", field="end")
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = date(start.year + MAX_YEARS, 3, 1)
    if end >= limit:
        raise ServiceError(
            f"A period can be at most {MAX_YEARS} years long: choose a later first day "
            "or an earlier last day.",
            field="end",
        )
    return Period(start, end)
