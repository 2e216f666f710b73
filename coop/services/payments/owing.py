"""What a household's bill leaves it owing, for paying it by card by hand or by auto-pay.

The lesser of the bill's unpaid remainder and the household's debt. The
remainder is what the ledger charged the household for the round (the
bill's charge, with its corrections and reversals) less what the household
paid by card for that bill and still has paid (less refunds and disputes);
the debt is what its whole account owes. So a household in credit, or one
that has paid a treasurer since, is never asked for more than it owes, and
a bill paid by card leaves nothing. Never below nothing. Reads only.

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
    bill = bill_for(round_=round_, membership=membership)
    if bill is None:
        return 0
    debt = -household_balance_pence(membership=membership)
    remainder = bill.charged_pence - _paid_by_card(membership, round_.id).get(round_.id, 0)
    return max(0, min(remainder, debt))


def bills_owing_pence(*, membership: Membership) -> dict[int, int]:
    """Return what each of the household's rounds leaves owing, by round, where anything does.

    As `owed_on_bill_pence` works it out for one bill, in three queries for
    them all (the statement's links to pay a bill).
    """
    debt = -household_balance_pence(membership=membership)
    if debt <= 0:
        return {}
    charged = db.session.execute(
        household_postings(membership)
        .with_only_columns(LedgerTransaction.round_id, func.sum(Posting.amount_pence))
        .where(LedgerTransaction.round_id.is_not(None))
        .group_by(LedgerTransaction.round_id)
    ).all()
    paid = _paid_by_card(membership)
    owing = {
        int(round_id): min(-int(pence) - paid.get(int(round_id), 0), debt)
        for round_id, pence in charged
        if round_id is not None
    }
    return {round_id: pence for round_id, pence in owing.items() if pence > 0}
