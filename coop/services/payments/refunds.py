"""Refunds of card payments: a treasurer's, and those the processor reports, each posted once.

A treasurer refunds a card payment in full or in part, never more than
remains (`refund_card_payment`). The amount is reserved on the payment's row
first, by a conditional UPDATE that only matches while the refunds and
disputes so far plus this one stay within what was paid (and the CHECKs on
``refunded_pence`` and ``disputed_pence`` back it), so two treasurers
refunding at once cannot together pass the payment; on PostgreSQL the second
waits for the first's row lock. Then the card processor is asked (with an
idempotency key of this refund's own); if it refuses, the error rolls back
the reservation with the rest of the caller's transaction. The refund is
posted household -> card processor (minus on the household's account, plus
on the card account: the money goes back out the way it came, `coop.models.ledger`)
and the household is told. An amount above the co-op's large amount is typed twice
(`coop.services.money.confirming`).

The processor also reports refunds (`charge.refunded`): one made in its
dashboard, or ours seen again (`post_processor_refunds`). Each refund id is
posted once (``CardRefund.refund_id`` is unique): the payment's row is locked
first, so a report that arrives while our own refund's transaction is still
open waits for it and then finds the refund posted. A reported refund that
would pass the payment is logged and not posted; a failed or cancelled one
is not posted. The treasurers are told of a refund posted from a report.
A posted refund that later fails or is cancelled (`record_refund_update`) is
reversed once and its amount released, so the payment can be refunded again.

localstripe refunds more than was paid without complaint: the limit is ours.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select, update

from coop.domain.money import format_pence
from coop.extensions import db
from coop.models import (
    CardPayment,
    CardPaymentStatus,
    CardRefund,
    Coop,
    LedgerTransaction,
    Membership,
    TransactionKind,
    User,
)
from coop.models.ledger import AccountKind
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.links import links
from coop.services.mail import send_message
from coop.services.money.confirming import check_confirmed
from coop.services.money.credit import money_managers
from coop.services.money.ledger import (
    Entry,
    household_accounts,
    post_transaction,
    reversed_once,
    single_account,
)
from coop.services.payments.gateway import Refund, gateway_for

#: Refund states the processor may still pay out, or has: these are posted.
POSTED_STATUSES = frozenset({"succeeded", "pending", "requires_action"})


def refundable_pence(payment: CardPayment) -> int:
    """Return how much of a card payment can still be refunded (less refunds and disputes)."""
    if payment.status is not CardPaymentStatus.SUCCEEDED or payment.ledger_transaction_id is None:
        return 0
    return payment.amount_pence - payment.refunded_pence - payment.disputed_pence


def _left_to_refund(payment: CardPayment) -> ServiceError:
    return ServiceError(
        f"At most {format_pence(refundable_pence(payment))} of this payment is left to refund.",
        field="amount",
    )


def _reserve(payment: CardPayment, amount_pence: int) -> bool:
    """Add *amount_pence* to the payment's refunds if it stays within the payment."""
    reserved = db.session.execute(
        update(CardPayment)
        .where(
            CardPayment.id == payment.id,
            CardPayment.status == CardPaymentStatus.SUCCEEDED,
            CardPayment.ledger_transaction_id.is_not(None),
            CardPayment.refunded_pence + CardPayment.disputed_pence + amount_pence
            <= CardPayment.amount_pence,
        )
        .values(refunded_pence=CardPayment.refunded_pence + amount_pence, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    return reserved.rowcount == 1  # type: ignore[attr-defined]


def _post(
    *, coop: Coop, payment: CardPayment, refund: Refund, amount_pence: int, by: User | None
) -> CardRefund:
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
    row = CardRefund(
        card_payment_id=payment.id,
        refund_id=refund.id,
        amount_pence=amount_pence,
        status=refund.status,
        ledger_transaction_id=transaction.id,
        created_by_id=by.id if by is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def tell_household_of_refund(*, coop: Coop, payment: CardPayment, amount_pence: int) -> None:
    """Email the household that *amount_pence* of its card payment is on its way back."""
    person = payment.membership.user
    if person.erased_at is not None:
        return
    send_message(
        "payments/card_refunded.txt",
        to=person.email,
        user=person,
        coop=coop,
        payment=payment,
        amount_pence=amount_pence,
        link=links().statement(coop),
    )


def refund_to_card(
    *, coop: Coop, payment: CardPayment, amount_pence: int | None, by: User
) -> CardRefund:
    """Refund and post *amount_pence* of a card payment without telling anyone (flushes).

    The rules of `refund_card_payment` without its large-amount check or its
    email, for a caller that checks and tells once for several refunds.
    """
    if payment.coop_id != coop.id:
        raise ServiceError("Choose one of this co-op's card payments.", field="payment")
    if refundable_pence(payment) == 0:
        raise ServiceError("Nothing of this payment can be refunded.", field="amount")
    if amount_pence is None or amount_pence <= 0:
        raise ServiceError("Enter an amount of more than £0.00.", field="amount")
    if amount_pence > refundable_pence(payment):
        raise _left_to_refund(payment)
    if not _reserve(payment, amount_pence):
        raise _left_to_refund(payment)
    processor_refund = gateway_for(stripe_account=payment.stripe_account).refund(
        payment_id=payment.payment_intent_id,
        amount_pence=amount_pence,
        idempotency_key=f"refund-{payment.id}-{uuid.uuid4().hex}",
    )
    return _post(
        coop=coop, payment=payment, refund=processor_refund, amount_pence=amount_pence, by=by
    )


def refund_card_payment(
    *,
    coop: Coop,
    payment: CardPayment,
    amount_pence: int | None,
    by: User,
    confirmed_pence: int | None = None,
) -> CardRefund:
    """Refund *amount_pence* of a posted card payment and tell the household (flushes).

    Refuses more than remains, and an amount above the co-op's large amount
    unless *confirmed_pence* repeats it.
    """
    within = amount_pence is not None and 0 < amount_pence <= refundable_pence(payment)
    if payment.coop_id == coop.id and within:
        check_confirmed(
            coop=coop,
            amount_pence=amount_pence,
            confirmed={"confirm-amount": confirmed_pence},
            field="amount",
        )
    refund = refund_to_card(coop=coop, payment=payment, amount_pence=amount_pence, by=by)
    tell_household_of_refund(coop=coop, payment=payment, amount_pence=amount_pence or 0)
    return refund


# --- reading a household's card payments ------------------------------------------------------


def card_payments_of(*, membership: Membership) -> Sequence[CardPayment]:
    """Return a household's card payments, newest first (reads only)."""
    return db.session.scalars(
        select(CardPayment)
        .where(CardPayment.membership_id == membership.id)
        .order_by(CardPayment.created_at.desc(), CardPayment.id.desc())
    ).all()


def coop_card_payment(*, coop: Coop, payment_id: int) -> CardPayment | None:
    """Return the co-op's card payment *payment_id*, or None (reads only)."""
    return db.session.scalar(
        select(CardPayment).where(CardPayment.id == payment_id, CardPayment.coop_id == coop.id)
    )


def refunds_of(*, payment: CardPayment) -> Sequence[CardRefund]:
    """Return a card payment's refunds, oldest first (reads only)."""
    return db.session.scalars(
        select(CardRefund)
        .where(CardRefund.card_payment_id == payment.id)
        .order_by(CardRefund.created_at, CardRefund.id)
    ).all()


# --- refunds the processor reports ----------------------------------------------------------


def post_processor_refunds(
    *, coop: Coop, payment: CardPayment, refunds: Sequence[Refund]
) -> list[CardRefund]:
    """Post each refund the processor reports that is not posted yet, once (flushes).

    Return those posted now. The household and the treasurers are told of them.
    """
    # Lock the payment's row first: our own refund still being written holds it.
    db.session.execute(select(CardPayment.id).where(CardPayment.id == payment.id).with_for_update())
    known = {
        row.refund_id: row
        for row in db.session.scalars(
            select(CardRefund).where(CardRefund.card_payment_id == payment.id)
        )
    }
    posted: list[CardRefund] = []
    for refund in refunds:
        if refund.id in known:
            if known[refund.id].status != refund.status and refund.status:
                known[refund.id].status = refund.status[:40]
            continue
        if refund.status not in POSTED_STATUSES or refund.amount_pence <= 0:
            continue
        if not _reserve(payment, refund.amount_pence):
            current_app.logger.error(
                "refund %s of %s not posted: it passes what is left of the payment",
                refund.id,
                payment.payment_intent_id,
            )
            continue
        row = _post(
            coop=coop, payment=payment, refund=refund, amount_pence=refund.amount_pence, by=None
        )
        known[refund.id] = row
        posted.append(row)
    db.session.flush()
    if posted:
        total = sum(row.amount_pence for row in posted)
        tell_household_of_refund(coop=coop, payment=payment, amount_pence=total)
        for treasurer in money_managers(coop=coop):
            send_message(
                "payments/card_refund_reported.txt",
                to=treasurer.email,
                treasurer=treasurer,
                coop=coop,
                payment=payment,
                household=payment.membership.user.name,
                amount_pence=total,
                link=links().card_payments(payment.membership),
            )
    return posted


#: Refund states that mean the money never reached the card: the posting is undone.
FAILED_STATUSES = frozenset({"failed", "canceled"})


def record_refund_update(*, coop: Coop, payment: CardPayment, refund: Refund) -> bool:
    """Keep a posted refund's new state; undo one that failed, once, and tell the treasurers.

    A refund that failed or was cancelled after it was posted is reversed (the
    household has the credit back, the payment can be refunded again); say
    whether anything was posted.
    """
    db.session.execute(select(CardPayment.id).where(CardPayment.id == payment.id).with_for_update())
    row = db.session.scalar(
        select(CardRefund).where(
            CardRefund.refund_id == refund.id, CardRefund.card_payment_id == payment.id
        )
    )
    if row is None or row.status in FAILED_STATUSES or not refund.status:
        return False
    row.status = refund.status[:40]
    if refund.status not in FAILED_STATUSES or row.ledger_transaction_id is None:
        db.session.flush()
        return False
    reversed_once(
        transaction=db.session.get_one(LedgerTransaction, row.ledger_transaction_id),
        reason=f"the card refund {refund.id} {refund.status}",
    )
    db.session.execute(
        update(CardPayment)
        .where(CardPayment.id == payment.id)
        .values(refunded_pence=CardPayment.refunded_pence - row.amount_pence, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(payment)
    for treasurer in money_managers(coop=coop):
        send_message(
            "payments/card_refund_failed.txt",
            to=treasurer.email,
            treasurer=treasurer,
            coop=coop,
            payment=payment,
            household=payment.membership.user.name,
            amount_pence=row.amount_pence,
            link=links().card_payments(payment.membership),
        )
    return True
