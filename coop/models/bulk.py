"""Writing many rows of one table at once, the fastest way each database takes them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Integer, String, Table, TypeDecorator

from coop.extensions import Base


def bulk_insert(
    connection: Connection,
    model: type[Base],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> None:
    """Insert *rows*, each the values of *columns* in order, into *model*'s table in one statement.

    On PostgreSQL, one INSERT of a column array each, unnested into rows:
    sent row by row, even pipelined, the statements take twice as long as
    the rows. Each array goes as the text of an array literal, since the
    driver would check every element of a list for quoting. On SQLite, one
    executemany of the plain tuples, as SQLAlchemy's handling of each row's
    parameters would take longer than the insert itself. The columns hold
    whole numbers or text (None is NULL); the table's types say which.
    """
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    text = [_holds_text(table, name) for name in columns]
    names = ", ".join(columns)
    if connection.dialect.name != "postgresql":
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        return
    arrays = ", ".join(f"%s::{'text' if is_text else 'integer'}[]" for is_text in text)
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays})",
        tuple(
            _array_literal(values, text=is_text)
            for is_text, values in zip(text, zip(*rows, strict=True), strict=True)
        ),
    )


def _holds_text(table: Table, name: str) -> bool:
    kind = table.c[name].type
    if isinstance(kind, TypeDecorator):  # such as money's Pence: what it stores decides
        kind = kind.impl_instance
    if isinstance(kind, String):  # an enum stored as its value is a String too
        return True
    if isinstance(kind, Integer):
        return False
    raise TypeError(f"bulk_insert writes whole numbers and text, not {kind} ({table.name}.{name})")


def _text(value: object) -> str:
    # A member of a (str, Enum) is its value as text; str() of one gives its name.
    return value if isinstance(value, str) else str(value)


def _array_literal(values: Sequence[object], *, text: bool) -> str:
    """Write a column of values as the text of a PostgreSQL array literal."""
    elements: Iterable[str]
    if text:  # a few distinct texts, each quoted once
        quoted = {
            value: "NULL"
            if value is None
            else '"' + _text(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
            for value in set(values)
        }
        elements = map(quoted.__getitem__, values)
    else:
        elements = ("NULL" if value is None else str(value) for value in values)
    return "{" + ",".join(elements) + "}"
