"""The period a report covers: a month, a quarter, a financial year (April to March), or custom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from coop.services.errors import ServiceError

MAX_YEARS = 5


@dataclass(frozen=True)
class Period:
    """From *start* to *end*, both days included."""

    start: date
    end: date
    label: str

    @property
    def months(self) -> list[str]:
        """Every month the period touches, as "2026-04"."""
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    @property
    def after_end(self) -> date:
        return self.end + timedelta(days=1)


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def custom_period(*, start: date, end: date, label: str | None = None) -> Period:
    """Return the period from *start* to *end*, or refuse one that ends first or is too long."""
    if end < start:
        raise ServiceError(
            f"The period ends ({end:%-d %B %Y}) before it starts ({start:%-d %B %Y}).",
            field="to",
        )
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = date(start.year + MAX_YEARS, 3, 1)
    if end >= limit:
        raise ServiceError(
            f"A report covers at most {MAX_YEARS} years; choose an end before {limit:%-d %B %Y}.",
            field="to",
        )
    return Period(start, end, label or f"{start:%-d %B %Y} to {end:%-d %B %Y}")


def month_period(*, year: int, month: int) -> Period:
    """Return one calendar month."""
    if not 1 <= month <= 12:
        raise ServiceError("A month is 1 to 12.", field="month")
    start = date(year, month, 1)
    return Period(start, _month_end(year, month), f"{start:%B %Y}")


def quarter_period(*, year: int, quarter: int) -> Period:
    """Return a calendar quarter (1: January to March)."""
    if not 1 <= quarter <= 4:
        raise ServiceError("A quarter is 1 to 4.", field="quarter")
    first = 3 * quarter - 2
    return Period(date(year, first, 1), _month_end(year, first + 2), f"Q{quarter} {year}")


def financial_year(*, starting: int) -> Period:
    """Return the financial year from 1 April *starting* to 31 March the year after."""
    return Period(
        date(starting, 4, 1), date(starting + 1, 3, 31), f"{starting}/{(starting + 1) % 100:02d}"
    )


def parse_period(*, start: str, end: str) -> Period:
    """Return the custom period between two ISO dates as typed, or refuse them clearly."""
    days = []
    for text, field in ((start, "from"), (end, "to")):
        cleaned = text.strip()
        try:
            if not cleaned.isascii() or len(cleaned) != 10:
                raise ValueError
            days.append(date.fromisoformat(cleaned))
        except ValueError:
            raise ServiceError(
                f"“{text[:40]}” is not a date: give it as YYYY-MM-DD, such as 2026-04-01.",
                field=field,
            ) from None
    return custom_period(start=days[0], end=days[1])
