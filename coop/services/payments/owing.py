"""What a household's bill leaves it owing, for paying it by card by hand or by auto-pay.

The bill's unpaid remainder, as far as the household's debt reaches when
its newest bills take the debt first. The remainder is what the ledger
charged the household for the round (the bill's charge, with its
corrections and reversals) less what the household paid by card for that
bill and still has paid (less refunds and disputes); the debt is what its
whole account owes. Money paid in otherwise (cash, a transfer, credit)
names no bill, so it pays the oldest bills first, as a statement's balance
brought forward does: a bill paid by transfer leaves nothing, and the
bills together never ask for more than the account owes. Never below
nothing. Reads only.

A card payment's posting is not a charge of its round: it is posted
without the round, like a payment to a treasurer, so the bill still adds
up to what the ledger charged for the round; the round of a bill payment
is kept on its `CardPayment` row.
"""

from __future__ import annotations

from sqlalchemy import func, select

from coop.extensions import db
from coop.models import CardPayment, CardPurpose, LedgerTransaction, Membership, Posting, Round
from coop.services.money.bills import bill_for
from coop.services.money.ledger import household_balance_pence
from coop.services.money.statements import household_postings

#: The card processor's smallest charge in GBP; less than this is paid in cash or by bank.
CARD_MIN_PENCE = 30

BILL_PURPOSES = (CardPurpose.BILL, CardPurpose.AUTO_PAY)


def bill_open_key(*, membership_id: int, round_id: int) -> str:
    """The ``open_key`` an open payment of a bill holds: one per household and round."""
    return f"{membership_id}:{round_id}"


def _paid_by_card(membership: Membership, round_id: int | None = None) -> dict[int, int]:
    """Return, by round, what the household paid by card for its bills and still has paid."""
    query = (
        select(
            CardPayment.round_id,
            func.sum(
                CardPayment.amount_pence - CardPayment.refunded_pence - CardPayment.disputed_pence
            ),
        )
        .where(
            CardPayment.membership_id == membership.id,
            CardPayment.purpose.in_(BILL_PURPOSES),
            CardPayment.ledger_transaction_id.is_not(None),
        )
        .group_by(CardPayment.round_id)
    )
    if round_id is not None:
        query = query.where(CardPayment.round_id == round_id)
    return {
        int(round_): int(pence) for round_, pence in db.session.execute(query) if round_ is not None
    }


def owed_on_bill_pence(*, membership: Membership, round_: Round) -> int:
    """Return what the household's bill for *round_* leaves owing, in pence."""
    if bill_for(round_=round_, membership=membership) is None:
        return 0
    return bills_owing_pence(membership=membership).get(round_.id, 0)


def bills_owing_pence(*, membership: Membership) -> dict[int, int]:
    """Return what each of the household's rounds leaves owing, by round, where anything does.

    The debt goes to the newest bills first (by their first charge, then round),
    each up to its unpaid remainder; three queries for them all.
    """
    debt = -household_balance_pence(membership=membership)
    if debt <= 0:
        return {}
    charged = db.session.execute(
        household_postings(membership)
        .with_only_columns(
            LedgerTransaction.round_id,
            func.sum(Posting.amount_pence),
            func.min(LedgerTransaction.created_at),
        )
        .where(LedgerTransaction.round_id.is_not(None))
        .group_by(LedgerTransaction.round_id)
    ).all()
    paid = _paid_by_card(membership)
    owing: dict[int, int] = {}
    for round_id, pence, _first in sorted(charged, key=lambda row: (row[2], row[0]), reverse=True):
        if debt <= 0:
            break
        if round_id is None:
            continue
        remainder = -int(pence or 0) - paid.get(round_id, 0)
        if remainder > 0:
            owing[round_id] = min(remainder, debt)
            debt -= owing[round_id]
    return owing
