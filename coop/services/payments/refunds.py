"""A treasurer refunds a card payment, in full or in part, never more than remains.

The amount is reserved on the payment's row first, by a conditional UPDATE
that only matches while the refunds so far plus this one stay within what
was paid (and the CHECK on ``refunded_pence`` backs it), so two treasurers
refunding at once cannot together pass the payment; on PostgreSQL the second
waits for the first's row lock. Then the card processor is asked (with an
idempotency key of this refund's own); if it refuses, the error rolls back
the reservation with the rest of the caller's transaction. The refund is
posted household -> card processor (minus on the household's account, plus
on the card account: the money goes back out the way it came, `coop.models.ledger`)
and the household is told.

localstripe refunds more than was paid without complaint: the limit is ours.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update

from coop.domain.money import format_pence
from coop.extensions import db
from coop.models import (
    CardPayment,
    CardPaymentStatus,
    CardRefund,
    Coop,
    TransactionKind,
    User,
)
from coop.models.ledger import AccountKind
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.links import links
from coop.services.mail import send_message
from coop.services.money.ledger import Entry, household_accounts, post_transaction, single_account
from coop.services.payments.gateway import gateway_for


def refundable_pence(payment: CardPayment) -> int:
    """Return how much of a card payment can still be refunded."""
    if payment.status is not CardPaymentStatus.SUCCEEDED or payment.ledger_transaction_id is None:
        return 0
    return payment.amount_pence - payment.refunded_pence


def refund_card_payment(
    *, coop: Coop, payment: CardPayment, amount_pence: int | None, by: User
) -> CardRefund:
    """Refund *amount_pence* of a posted card payment (flushes); refuse more than remains."""
    if payment.coop_id != coop.id:
        raise ServiceError("Choose one of this co-op's card payments.", field="payment")
    remaining = refundable_pence(payment)
    if remaining == 0:
        raise ServiceError("Nothing of this payment can be refunded.", field="amount")
    if amount_pence is None or amount_pence <= 0:
        raise ServiceError("Enter an amount of more than £0.00.", field="amount")
    if amount_pence > remaining:
        raise ServiceError(
            f"At most {format_pence(remaining)} of this payment is left to refund.",
            field="amount",
        )
    reserved = db.session.execute(
        update(CardPayment)
        .where(
            CardPayment.id == payment.id,
            CardPayment.status == CardPaymentStatus.SUCCEEDED,
            CardPayment.refunded_pence + amount_pence <= CardPayment.amount_pence,
        )
        .values(refunded_pence=CardPayment.refunded_pence + amount_pence, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if reserved.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(payment)
        raise ServiceError(
            f"At most {format_pence(refundable_pence(payment))} of this payment is left to refund.",
            field="amount",
        )
    processor_refund = gateway_for(stripe_account=payment.stripe_account).refund(
        payment_id=payment.payment_intent_id,
        amount_pence=amount_pence,
        idempotency_key=f"refund-{payment.id}-{uuid.uuid4().hex}",
    )
    membership = payment.membership
    account = household_accounts(coop_id=coop.id, membership_ids=[membership.id])[membership.id]
    card = single_account(coop_id=coop.id, kind=AccountKind.CARD).id
    transaction = post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.REFUND,
        memo=f"Card refund to {membership.user.name} ({payment.payment_intent_id})",
        entries=[
            Entry(account, -amount_pence, "card refund"),
            Entry(card, amount_pence, "card"),
        ],
        by=by,
    )
    refund = CardRefund(
        card_payment_id=payment.id,
        refund_id=processor_refund.id,
        amount_pence=amount_pence,
        status=processor_refund.status,
        ledger_transaction_id=transaction.id,
        created_by_id=by.id,
    )
    db.session.add(refund)
    db.session.flush()
    db.session.refresh(payment)
    send_message(
        "payments/card_refunded.txt",
        to=membership.user.email,
        user=membership.user,
        coop=coop,
        payment=payment,
        amount_pence=amount_pence,
        link=links().statement(coop),
    )
    return refund
