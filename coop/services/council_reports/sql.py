"""The dialect-aware pieces of report SQL: a timestamp's day and its month, scratch tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Select, String, Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.expression import ClauseElement, ColumnElement, FunctionElement


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
