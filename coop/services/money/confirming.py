"""A second confirmation for amounts above a co-op's large amount.

An entry above ``Coop.large_amount_pence`` (£500 unless the co-op says
otherwise) is a likely typing slip, so it is written only when the same
amount was typed a second time; the refusal repeats the amount, at the
confirmation field (``confirm-<field>``).
"""

from __future__ import annotations

from collections.abc import Mapping

from coop.domain.money import format_pence
from coop.models import Coop
from coop.services.errors import ServiceError


def confirm_field(field: str) -> str:
    """The form field where an amount typed in *field* is typed again."""
    return f"confirm-{field}"


def needs_confirming(*, coop: Coop, amount_pence: int | None) -> bool:
    """Whether *amount_pence* (either sign) is above the co-op's large amount."""
    return amount_pence is not None and abs(amount_pence) > coop.large_amount_pence


def check_confirmed(
    *, coop: Coop, amount_pence: int | None, confirmed: Mapping[str, int | None], field: str
) -> None:
    """Refuse a large amount unless *confirmed* holds the same amount at its confirmation field."""
    if not needs_confirming(coop=coop, amount_pence=amount_pence):
        return
    assert amount_pence is not None
    again = confirmed.get(confirm_field(field))
    if again is None or abs(again) != abs(amount_pence):
        raise ServiceError(
            f"{format_pence(abs(amount_pence))} is more than "
            f"{format_pence(coop.large_amount_pence)}: type {format_pence(abs(amount_pence))} "
            "again to confirm it.",
            field=confirm_field(field),
        )
