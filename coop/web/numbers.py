"""Whole numbers in addresses: ASCII digits, no larger than the database's ids."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map, ValidationError

from coop.domain.numbers import MAX_WHOLE_NUMBER


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to `MAX_WHOLE_NUMBER` in ASCII digits, else not found.

    Werkzeug's own takes any length of any script's digits ("١٢", or an id past
    2^63 that SQLite cannot even compare), so such addresses would reach a query.
    """

    regex = r"[0-9]+"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_WHOLE_NUMBER)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        if len(value) > len(str(MAX_WHOLE_NUMBER)):
            raise ValidationError()  # not worth reading as a number
        return super().to_python(value)
