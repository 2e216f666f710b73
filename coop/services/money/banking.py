"""The co-op's own money moved between its cash and its bank: pickup cash paid in, a float drawn.

Neither is a receipt or a payment: the money stays the co-op's. One balanced
`transfer` transaction takes it off one account and puts it on the other
(the ledger's signs: what the co-op holds is minus on cash and bank), so the
annual account shows it in no line, only in what cash and the bank hold at
the start and the end, and reconciling cash and the bank each finds it. It
is dated the day the money moved, as a household's payment is (today unless
the treasurer says otherwise: `treasury.money_moved_on`). As with every
money-out form, an amount above the co-op's large amount is typed twice,
and taking cash or the bank below zero by the books is asked once more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from coop.models import Coop, LedgerTransaction, TransactionKind, User
from coop.models.ledger import AccountKind
from coop.services.money.confirming import check_stays_above_zero
from coop.services.money.ledger import Entry, post_transaction, single_account
from coop.services.money.treasury import check_amount, check_large, check_note, money_moved_on


class Move(StrEnum):
    """Which way the money went."""

    PAY_IN = "pay_in"  # cash paid into the bank
    DRAW = "draw"  # cash drawn from the bank

    @property
    def label(self) -> str:
        return {Move.PAY_IN: "Cash paid into the bank", Move.DRAW: "Cash drawn from the bank"}[self]

    @property
    def source(self) -> AccountKind:
        return AccountKind.CASH if self is Move.PAY_IN else AccountKind.BANK

    @property
    def target(self) -> AccountKind:
        return AccountKind.BANK if self is Move.PAY_IN else AccountKind.CASH


def move_money(
    *,
    coop: Coop,
    move: Move,
    amount_pence: int | None,
    note: str,
    by: User,
    confirmed: Mapping[str, int | None] | None = None,
    below_zero_confirmed: bool = False,
    occurred_on: date | None = None,
) -> LedgerTransaction:
    """Post money moved between the co-op's cash and its bank (flushes).

    Refuses no amount, nothing or less, a note too long, and a day the money
    cannot have moved (*occurred_on*; None: today), at their fields; asks again
    (codes ``large_amount``, ``below_zero``) as the other money forms do.
    """
    move = Move(move)
    amount_pence = check_amount(amount_pence)
    note = check_note(" ".join(note.split()))
    day = money_moved_on(coop=coop, occurred_on=occurred_on)
    check_large(coop, amount_pence, confirmed)
    check_stays_above_zero(
        coop=coop,
        kind=move.source,
        amount_pence=amount_pence,
        confirmed=below_zero_confirmed,
        doing="moving",
        field="move",
        advice="Check the amount and which way it went; if it is right, record it anyway.",
    )
    source = single_account(coop_id=coop.id, kind=move.source).id
    target = single_account(coop_id=coop.id, kind=move.target).id
    return post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.TRANSFER,
        memo=f"{move.label}: {note}" if note else move.label,
        entries=[
            Entry(source, amount_pence, move.source.value),
            Entry(target, -amount_pence, move.target.value),
        ],
        by=by,
        occurred_on=day,
    )
