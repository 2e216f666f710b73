"""The dialect-aware pieces of report SQL: a timestamp's day and its month."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class day_of(FunctionElement[Any]):
    """The UTC day of a naive-UTC timestamp, comparable with a date on both databases."""

    type = Date()
    inherit_cache = True


class month_of(FunctionElement[Any]):
    """The month of a timestamp or date as text, "2026-04", sortable and the same on both."""

    type = String()
    inherit_cache = True


@compiles(day_of)
def _day_default(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day_of, "sqlite")
def _day_sqlite(element: day_of, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(month_of)
def _month_default(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


def as_day(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """Return *column*'s day, typed as a date."""
    return day_of(column)
