"""Second looks before money is written: large amounts, and cash or bank going below zero.

An entry above ``Coop.large_amount_pence`` (£500 unless the co-op says
otherwise) is a likely typing slip, so it is written only when the same
amount was typed a second time; the refusal repeats the amount, at the
confirmation field (``confirm-<field>``).

Money out of cash or the bank that would leave less than nothing there by
the books (fund spending, a refund, a payment to a supplier, paying a
leaving household's credit back) is a likely slip too (the wrong one of
cash and bank, a payment in not yet recorded), but it can be right: a bank
account may go overdrawn. So it is refused once with the code
``below_zero`` (`check_stays_above_zero`), saying what the account holds
and where the entry takes it, and written when the same entry is sent
again confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping

from coop.domain.money import format_pence
from coop.models import AccountKind, Coop
from coop.services.errors import ServiceError
from coop.services.money.ledger import balance_pence, single_account

#: The refusal code of money out that would take cash or the bank below zero by the books.
BELOW_ZERO = "below_zero"


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


def held_pence(*, coop: Coop, kind: AccountKind) -> int:
    """Return what the co-op holds in cash or the bank now, by the ledger (minus: overdrawn)."""
    return -balance_pence(account_id=single_account(coop_id=coop.id, kind=kind).id)


def check_stays_above_zero(
    *,
    coop: Coop,
    kind: AccountKind,
    amount_pence: int,
    confirmed: bool,
    doing: str,
    field: str = "method",
    advice: str = "Check the amount and whether it was cash or bank; "
    "if it is right, record it anyway.",
) -> None:
    """Refuse, once, money out of cash or the bank (*kind*) that takes it below zero.

    *doing* names the entry in the message ("spending", "paying back"); with
    *confirmed* the entry was sent again after this warning and goes through.
    """
    if confirmed:
        return
    held = held_pence(coop=coop, kind=kind)
    if held - amount_pence >= 0:
        return
    where = "Cash" if kind is AccountKind.CASH else "Bank"
    raise ServiceError(
        f"{where} holds {format_pence(held)} by the books, so {doing} "
        f"{format_pence(amount_pence)} takes it to {format_pence(held - amount_pence)}. " + advice,
        field=field,
        code=BELOW_ZERO,
    )
