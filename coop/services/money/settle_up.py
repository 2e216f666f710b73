"""Settling up as a household leaves the co-op, or is removed, with money owed either way.

A household's account outlives its membership: nothing is deleted, its
postings stay, and a household that has left still appears on the balances
page, can be paid in for or refunded, and reads its own statement and bills.
So leaving never loses money; but nobody should leave (or be removed)
without seeing the balance first. The leaving and removal pages show it and
ask what happens to it:

- ``KEEP``: leave with the balance as it is. A debt stays on the balances
  page and the household pays later (owing reminders still reach it); a
  credit stays on its account until a treasurer pays it back.
- ``REFUND`` (removal only, a household in credit): pay the credit back now,
  in cash or by bank transfer, as one refund, then remove the household.

The page sends back the balance it showed; if the balance has changed since
(a payment came in meanwhile), nothing is done and the new balance is shown.
With a zero balance there is nothing to settle.
"""

from __future__ import annotations

from enum import StrEnum

from coop.domain.money import format_pence
from coop.models import Coop, Membership, User
from coop.services.errors import ServiceError
from coop.services.money.ledger import household_balance_pence
from coop.services.money.treasury import Method, record_payment
from coop.services.people.memberships import leave_coop, remove_member


class Settle(StrEnum):
    """What happens to a leaving household's balance."""

    KEEP = "keep"  # leave with it: a debt to pay later, or a credit to pay back later
    REFUND = "refund"  # pay the credit back now, then leave


def balance_words(name: str, balance_pence: int, *, own: bool = False) -> str:
    """Say what a household's balance means: "Sam owes £12.00.", "You are £5.00 in credit."."""
    who = "You" if own else name
    if balance_pence < 0:
        return f"{who} {'owe' if own else 'owes'} {format_pence(-balance_pence)}."
    if balance_pence > 0:
        return f"{who} {'are' if own else 'is'} {format_pence(balance_pence)} in credit."
    return f"{who} {'owe' if own else 'owes'} nothing."


def _check(
    membership: Membership, shown_pence: int | None, settle: Settle | None, *, own: bool
) -> int:
    """Return the household's balance, refusing when it is not settled up as the page showed."""
    balance = household_balance_pence(membership=membership)
    if balance == 0:
        return 0
    words = balance_words(membership.user.name, balance, own=own)
    if shown_pence != balance:
        raise ServiceError(
            f"The balance has changed since the page was shown: {words} "
            "Check what happens to it, then confirm again.",
            field="settle",
        )
    if settle is None:
        raise ServiceError(f"{words} Choose what happens to it.", field="settle")
    if settle is Settle.REFUND and balance < 0:
        raise ServiceError(
            "Only a credit can be paid back: a household that owes money leaves with its debt.",
            field="settle",
        )
    return balance


def remove_settling_up(
    *,
    coop: Coop,
    membership: Membership,
    shown_pence: int | None,
    settle: Settle | None,
    method: Method | None,
    by: User,
    below_zero_confirmed: bool = False,
) -> Membership:
    """Remove a household, first paying back its credit when *settle* says so (flushes).

    Paying it back from cash or the bank that would go below zero is refused once
    (code ``below_zero``), as any refund is, unless *below_zero_confirmed*.
    """
    balance = _check(membership, shown_pence, settle, own=False)
    if balance > 0 and settle is Settle.REFUND:
        if method is None:
            raise ServiceError("Choose cash or bank transfer.", field="method")
        record_payment(
            coop=coop,
            membership_id=membership.id,
            amount_pence=balance,
            method=Method(method),
            note="on leaving the co-op",
            by=by,
            refund=True,
            below_zero_confirmed=below_zero_confirmed,
        )
    return remove_member(coop=coop, membership=membership)


def leave_settling_up(
    *,
    membership: Membership,
    shown_pence: int | None,
    settle: Settle | None,
    members_link: str = "",
) -> Membership:
    """End the household's own membership once it has seen its balance (flushes).

    A member cannot pay itself back: a credit is kept for a treasurer to refund.
    """
    if settle is Settle.REFUND:
        raise ServiceError("A treasurer pays your credit back: choose to leave with it.")
    _check(membership, shown_pence, settle, own=True)
    return leave_coop(membership=membership, members_link=members_link)
