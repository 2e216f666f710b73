"""Column types shared by the models."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Enum, TypeDecorator

from coop.domain.catalogue import VAT_RATES_BP


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned time-zone aware.

    SQLite keeps no zone, so values are normalised to naive UTC on the way in
    and given back their zone on the way out; PostgreSQL gets the same naive
    UTC column, so both databases hold identical values.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Pence(TypeDecorator[int]):
    """A 64-bit sum of money in pence, for columns that amounts add up in.

    PostgreSQL's SUM of a bigint is a numeric, which the driver hands back as a
    Decimal; a sum or COALESCE over this column is read back as an int, as the
    rest of the code expects of pence.
    """

    impl = BigInteger
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else int(value)


def sql_in(column: str, values: Iterable[int | str]) -> str:
    """Return the SQL of a CHECK that *column* holds one of *values* (the domain's constants)."""
    literals = ", ".join(
        f"'{value}'" if isinstance(value, str) else str(int(value)) for value in values
    )
    return f"{column} IN ({literals})"


def sql_between(column: str, low: int, high: int) -> str:
    """Return the SQL of a CHECK that *column* lies from *low* to *high*, both included."""
    return f"{column} BETWEEN {int(low)} AND {int(high)}"


def sold_by_the_case_checks() -> tuple[CheckConstraint, ...]:
    """Return the CHECKs of anything priced by the case: a product, and its copy in a round."""
    return (
        CheckConstraint("case_size >= 1", name="case_size_positive"),
        CheckConstraint("case_price_pence >= 0", name="case_price_not_negative"),
        CheckConstraint(sql_in("vat_bp", VAT_RATES_BP), name="vat_rate_known"),
        CheckConstraint("deposit_pence >= 0", name="deposit_not_negative"),
    )


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """Store an enum as its value in a VARCHAR guarded by a CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
