"""The dialect-aware pieces of report SQL: days and months in the local zone, scratch tables.

Timestamps are stored as naive UTC (`coop.models.types.UTCDateTime`) and a
report's days are the UK's (`coop.services.times.display_zone`, Europe/London),
so a day or a month is a span of UTC instants worked out here, in Python:
its local midnight and the next. A period is picked by comparing timestamps
with its bounds (which an index can serve); its months are a CASE over
their bounds, written as literals so that the same expression in a SELECT
and its GROUP BY is the same text; a timestamp's local day, where a date
must meet dates (the days a co-op was a council's), is its UTC date after
the zone's offset, a CASE over the zone's changes of offset in the period.
The same SQL runs on SQLite (which knows no zones) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, DateTime, Select, Table, case, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.expression import ClauseElement, ColumnElement, FunctionElement


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the UTC instant *day* starts at in *zone* (aware)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _offset(at: datetime, zone: ZoneInfo) -> int:
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


@lru_cache(maxsize=64)
def zone_offsets(
    start: date, end: date, zone: ZoneInfo
) -> tuple[tuple[datetime, ...], tuple[int, ...]]:
    """Return when *zone* changed its clocks from *start* to *end*, and its offsets between.

    The changes are UTC instants (found to the second); the offsets, in
    seconds from UTC, are one more: the first holds before the first change.
    """
    at = local_midnight(start, zone) - timedelta(days=1)
    changes: list[datetime] = []
    offsets = [_offset(at, zone)]
    while at <= local_midnight(end, zone) + timedelta(days=1):
        after = at + timedelta(days=1)
        if _offset(after, zone) != offsets[-1]:
            low, high = at, after  # the change is after low, at or before high
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset(middle, zone) == offsets[-1]:
                    low = middle
                else:
                    high = middle
            changes.append(high.replace(microsecond=0))
            offsets.append(_offset(after, zone))
        at = after
    return tuple(changes), tuple(offsets)


def utc_instant(at: datetime) -> ColumnElement[Any]:
    """A UTC instant as a literal a naive-UTC timestamp column compares with on both databases.

    SQLAlchemy stores a SQLite DATETIME as this text, so there text order is
    time order; PostgreSQL reads the same text as a timestamp. Literal rather
    than bound, so that an expression holding it (a CASE of months) is the
    same text in a SELECT and in its GROUP BY.
    """
    naive = at.astimezone(UTC).replace(tzinfo=None)
    return literal_column(f"'{naive:%Y-%m-%d %H:%M:%S.%f}'", DateTime())


def bucket(
    moment: ColumnElement[Any],
    bounds: Sequence[datetime],
    values: Sequence[str | int],
    after: str | int | None = None,
) -> ColumnElement[Any]:
    """The value of the span *moment* falls in: values[i] before bounds[i], else *after*.

    *bounds* rise, one for each of *values*; a moment before the first bound
    takes the first value, so *moment* must be inside the spans already (a
    period's). Always a CASE, never a bare constant, which PostgreSQL
    refuses to GROUP BY.
    """

    def literal(value: str | int) -> ColumnElement[Any]:
        return literal_column(f"'{value}'" if isinstance(value, str) else str(int(value)))

    whens = [(moment < utc_instant(b), literal(v)) for b, v in zip(bounds, values, strict=True)]
    return case(*whens, else_=None if after is None else literal(after))


class shifted_day(FunctionElement[Any]):
    """The UTC date of a naive-UTC timestamp moved on by a number of seconds: (moment, seconds)."""

    type = Date()
    inherit_cache = True


@compiles(shifted_day)
def _shifted_default(element: shifted_day, compiler: Any, **kw: Any) -> str:
    moment, seconds = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST({moment} + ({seconds}) * INTERVAL '1 second' AS DATE)"


@compiles(shifted_day, "sqlite")
def _shifted_sqlite(element: shifted_day, compiler: Any, **kw: Any) -> str:
    moment, seconds = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({moment}, ({seconds}) || ' seconds')"


def local_day(
    moment: ColumnElement[Any], start: date, end: date, zone: ZoneInfo
) -> ColumnElement[Any]:
    """The day in *zone* of *moment* (a naive-UTC timestamp from *start* to *end*), as a date."""
    changes, offsets = zone_offsets(start, end, zone)
    if not changes:
        return shifted_day(moment, literal_column(str(offsets[0])))
    return shifted_day(moment, bucket(moment, changes, offsets[:-1], after=offsets[-1]))


class CreateScratch(Executable, ClauseElement):
    """``CREATE TEMPORARY TABLE name AS <select>``: rows a report reads several times.

    The table is the connection's own (no other connection sees it) and is
    written with the same SQL on both databases; `DropScratch` takes it away.
    """

    inherit_cache = False

    def __init__(self, table: Table, query: Select) -> None:
        self.table = table
        self.query = query


class DropScratch(Executable, ClauseElement):
    """``DROP TABLE name`` for a table `CreateScratch` made."""

    inherit_cache = False

    def __init__(self, table: Table) -> None:
        self.table = table


@compiles(CreateScratch)
def _create_scratch(element: CreateScratch, compiler: Any, **kw: Any) -> str:
    name = compiler.preparer.format_table(element.table)
    return f"CREATE TEMPORARY TABLE {name} AS {compiler.process(element.query, **kw)}"


@compiles(DropScratch)
def _drop_scratch(element: DropScratch, compiler: Any, **kw: Any) -> str:
    return f"DROP TABLE {compiler.preparer.format_table(element.table)}"
