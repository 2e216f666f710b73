"""Card payments: starting one for a household, and what the webhook learns of it.

A payment starts here (`start_top_up`): the PaymentIntent is created at the
card processor first, in GBP pence, with the co-op, household and purpose
in its metadata and a fresh idempotency key for this attempt, then its row
is written. (Should the row's transaction then roll back, the PaymentIntent
is left at the processor, never confirmed, since its client secret went
to no page; its events are ignored as a payment we never created.) The
household's page confirms it with Stripe.js; nothing is
posted until the webhook says it succeeded (`record_success`), which posts
card processor -> household once. Signs follow `coop.models.ledger`: the
household's account is plus, the card account (money on its way from the
processor) minus.

Once, even when two deliveries run at the same time: the first statement
of `record_success` is a conditional UPDATE of the payment's row that only
a payment not yet posted matches. On PostgreSQL the second transaction waits
on that row's lock and then matches nothing; SQLite has one writer at a
time. The posting's id is then stored in the row's unique
``ledger_transaction_id``.

Top-up limits: £5 to £250 a time, the same for every co-op until a co-op
setting exists. The floor keeps the processor's fixed fee per payment a
small part of it; the ceiling keeps a mistyped amount from taking a
household's rent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update

from coop.domain.money import format_pence
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import (
    CardPayment,
    CardPaymentStatus,
    CardPurpose,
    Coop,
    Membership,
    TransactionKind,
    User,
)
from coop.models.ledger import AccountKind
from coop.models.payments import FAILURE_MESSAGE_LENGTH, OPEN_STATUSES
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.links import links
from coop.services.mail import send_message
from coop.services.money.ledger import Entry, household_accounts, post_transaction, single_account
from coop.services.payments.autopay import record_auto_pay_failure
from coop.services.payments.gateway import Payment, coop_gateway

TOP_UP_MIN_PENCE = 500
TOP_UP_MAX_PENCE = 25_000


def _metadata(payment_purpose: CardPurpose, membership: Membership, round_id: int | None) -> dict:
    return {
        "coop_id": membership.coop_id,
        "membership_id": membership.id,
        "purpose": payment_purpose.value,
        "round_id": round_id,
    }


def start_top_up(*, membership: Membership, amount_pence: int | None, by: User) -> CardPayment:
    """Create a PaymentIntent for a household's top-up and its row (flushes)."""
    if membership.status is not MembershipStatus.ACTIVE:
        raise ServiceError("Only a current household of the co-op can top up.")
    if amount_pence is None or not TOP_UP_MIN_PENCE <= amount_pence <= TOP_UP_MAX_PENCE:
        raise ServiceError(
            f"Top up by {format_pence(TOP_UP_MIN_PENCE)} to {format_pence(TOP_UP_MAX_PENCE)}.",
            field="amount",
        )
    key = f"top_up-{membership.id}-{uuid.uuid4().hex}"
    coop = db.session.get_one(Coop, membership.coop_id)
    intent = coop_gateway(coop).create_payment(
        amount_pence=amount_pence,
        metadata=_metadata(CardPurpose.TOP_UP, membership, None),
        idempotency_key=key,
    )
    payment = CardPayment(
        coop_id=membership.coop_id,
        membership_id=membership.id,
        purpose=CardPurpose.TOP_UP,
        amount_pence=amount_pence,
        payment_intent_id=intent.id,
        stripe_account=coop.stripe_account_id,
        status=_status(intent.status),
        idempotency_key=key,
        created_by_id=by.id,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def _status(stripe_status: str) -> CardPaymentStatus:
    if stripe_status in ("requires_confirmation", "requires_payment_method"):
        return CardPaymentStatus.REQUIRES_PAYMENT_METHOD
    try:
        return CardPaymentStatus(stripe_status)
    except ValueError:
        return CardPaymentStatus.PROCESSING


def card_payment(*, payment_intent_id: str) -> CardPayment | None:
    """Return the payment we created for *payment_intent_id*, if we did (reads only)."""
    return db.session.scalar(
        select(CardPayment).where(CardPayment.payment_intent_id == payment_intent_id)
    )


def household_card_payment(*, membership: Membership, payment_id: int) -> CardPayment | None:
    """Return one of a household's own card payments, or None (reads only)."""
    return db.session.scalar(
        select(CardPayment).where(
            CardPayment.id == payment_id, CardPayment.membership_id == membership.id
        )
    )


def pending_payments(*, membership: Membership) -> Sequence[CardPayment]:
    """Return a household's card payments still waiting for the processor (reads only)."""
    return db.session.scalars(
        select(CardPayment)
        .where(
            CardPayment.membership_id == membership.id,
            CardPayment.status.in_(OPEN_STATUSES),
        )
        .order_by(CardPayment.created_at, CardPayment.id)
    ).all()


def record_success(*, payment: CardPayment, intent: Payment) -> bool:
    """Post a succeeded payment card processor -> household, once; say whether it posted."""
    if intent.amount_pence != payment.amount_pence or intent.currency != "gbp":
        raise ServiceError(
            f"Payment {payment.payment_intent_id} is for {intent.amount_pence} {intent.currency},"
            f" not {payment.amount_pence} gbp as created; not posted.",
            code="amount_mismatch",
        )
    claimed = db.session.execute(
        update(CardPayment)
        .where(CardPayment.id == payment.id, CardPayment.ledger_transaction_id.is_(None))
        .values(
            status=CardPaymentStatus.SUCCEEDED,
            open_key=None,
            failure_message=None,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(payment)
        return False
    membership = payment.membership
    account = household_accounts(coop_id=payment.coop_id, membership_ids=[membership.id])
    card = single_account(coop_id=payment.coop_id, kind=AccountKind.CARD).id
    # Posted without the round, like a payment to a treasurer: the round's bill stays what
    # the ledger charged for it (`coop.services.payments.owing`); the row keeps the round.
    bill = f" for {payment.round_.title}" if payment.round_ is not None else ""
    transaction = post_transaction(
        coop_id=payment.coop_id,
        kind=TransactionKind.PAYMENT,
        memo=f"Card payment from {membership.user.name}{bill} ({payment.payment_intent_id})",
        entries=[
            Entry(account[membership.id], payment.amount_pence, "card payment"),
            Entry(card, -payment.amount_pence, "card"),
        ],
        by=None,
    )
    db.session.execute(
        update(CardPayment)
        .where(CardPayment.id == payment.id)
        .values(ledger_transaction_id=transaction.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    return True


def record_failure(*, payment: CardPayment, message: str | None) -> bool:
    """Mark an attempt failed with the processor's message and tell the household.

    A payment already succeeded stays so (a late failure event changes
    nothing); say whether anything changed.
    """
    if payment.purpose is CardPurpose.AUTO_PAY:  # the reminder to pay that bill by hand instead
        return record_auto_pay_failure(payment=payment, message=message)
    text = (message or "The card payment did not go through.")[:FAILURE_MESSAGE_LENGTH]
    changed = db.session.execute(
        update(CardPayment)
        .where(
            CardPayment.id == payment.id,
            CardPayment.ledger_transaction_id.is_(None),
            CardPayment.status != CardPaymentStatus.SUCCEEDED,
        )
        .values(
            status=CardPaymentStatus.FAILED,
            open_key=None,
            failure_message=text,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    membership = payment.membership
    coop = db.session.get_one(Coop, payment.coop_id)
    send_message(
        "payments/card_failed.txt",
        to=membership.user.email,
        user=membership.user,
        coop=coop,
        payment=payment,
        message=text,
        link=links().statement(coop),
    )
    return True
