"""A household pays what a bill leaves it owing, by card, in one tap.

**What is owing on a bill.** The bill's unpaid remainder, as far as the
household's debt reaches with its newest bills taking it first
(`coop.services.payments.owing.owed_on_bill_pence`, the same amount
auto-pay charges): the remainder is what the ledger charged the household
for the round less what it has paid by card for that bill, and the debt is
what its whole account owes, so a household in credit, or one that paid a
treasurer since (which pays its oldest bills first), is never asked for
more than it owes. Nothing owing, nothing to pay; less than `BILL_PAY_MIN_PENCE`
(the processor's smallest charge) is left for cash or a bank transfer.

**One open payment per bill.** `start_bill_payment` creates the
PaymentIntent for exactly that amount (metadata purpose ``bill`` and the
round), with an idempotency key of this attempt (the token of the page the
button was on, so the same tap sent twice asks Stripe once), and writes its
row holding the bill's ``open_key``. A second tap, a reload or a second tab
finds that open payment and pays it, charging nothing more; should the
amount owing have changed since (a payment in cash, a correction), the
open payment is cancelled at the processor and a new one takes its place,
unless the processor has it under way already. Two taps at the same moment
both reach the unique ``open_key``: the second finds the first's payment
and cancels its own unused PaymentIntent. While auto-pay is charging the
bill, paying it by hand is refused.

Households that have left may still pay what they owe. The webhook posts a
bill payment as it does a top-up: card processor -> household, once, with
the round (`coop.services.payments.cards.record_success`).
"""

from __future__ import annotations

import contextlib
import re
import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from coop.domain.money import format_pence
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import (
    CardPayment,
    CardPaymentStatus,
    CardPurpose,
    Coop,
    Membership,
    Round,
    User,
)
from coop.models.payments import OPEN_STATUSES
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.payments.cards import _metadata, _status
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.payments.gateway import Gateway, GatewayError, coop_gateway
from coop.services.payments.owing import CARD_MIN_PENCE, bill_open_key, owed_on_bill_pence

#: The card processor's smallest charge in GBP.
BILL_PAY_MIN_PENCE = CARD_MIN_PENCE

CARDS_OFF = "Card payments are not available for {coop}. Pay this bill by bank transfer or in cash."
NOTHING_OWING = "Nothing is owing on this bill, so there is nothing to pay."
TOO_LITTLE = "{amount} is less than a card payment can be: pay it in cash or by bank transfer."
NOT_A_HOUSEHOLD = "Only a household of {coop} can pay its bill."
AUTO_PAYING = (
    "Your saved card is being charged for this bill automatically. Your statement shows"
    " the payment once it is through."
)

_ATTEMPT = re.compile(r"[0-9a-f]{32}")


def new_attempt() -> str:
    """A fresh token for one attempt at paying, carried by the page's button."""
    return uuid.uuid4().hex


def open_bill_payment(*, membership: Membership, round_: Round) -> CardPayment | None:
    """Return the bill's open card payment (by hand or auto-pay), if any (reads only)."""
    key = bill_open_key(membership_id=membership.id, round_id=round_.id)
    return db.session.scalar(select(CardPayment).where(CardPayment.open_key == key))


def _attempt_key(membership: Membership, round_: Round, attempt: str | None) -> str:
    token = attempt if attempt and _ATTEMPT.fullmatch(attempt) else new_attempt()
    key = f"bill-{membership.id}-{round_.id}-{token}"
    if db.session.scalar(select(CardPayment.id).where(CardPayment.idempotency_key == key)):
        # That attempt made a payment which has finished since (the page was sent again).
        key = f"bill-{membership.id}-{round_.id}-{new_attempt()}"
    return key


def _cancelled(payment: CardPayment, gateway: Gateway) -> bool:
    """Cancel an open payment at the processor and mark it; False when it is under way there."""
    try:
        intent = gateway.cancel_payment(payment.payment_intent_id)
    except GatewayError as refusal:
        if refusal.code == GatewayError.UNREACHABLE:
            raise
        intent = gateway.read_payment(payment.payment_intent_id)
    if intent.status != "canceled":
        return False
    db.session.execute(
        update(CardPayment)
        .where(
            CardPayment.id == payment.id,
            CardPayment.ledger_transaction_id.is_(None),
            CardPayment.status.in_(OPEN_STATUSES),
        )
        .values(status=CardPaymentStatus.CANCELED, open_key=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    return True


def start_bill_payment(
    *, membership: Membership, round_: Round, attempt: str | None, by: User
) -> CardPayment:
    """Return the bill's one open card payment for what it leaves owing, made if need be (flushes).

    The caller has found the bill (another household's or co-op's is not
    asked for here); this refuses with nothing written when card payments
    are off for the co-op, nothing is owing, or auto-pay is charging it.
    """
    coop = db.session.get_one(Coop, membership.coop_id)
    if membership.status not in (MembershipStatus.ACTIVE, MembershipStatus.LEFT):
        raise ServiceError(NOT_A_HOUSEHOLD.format(coop=coop.name))
    if not card_payments_enabled_for(coop):
        raise ServiceError(CARDS_OFF.format(coop=coop.name), code=GatewayError.NOT_CONFIGURED)
    if round_.coop_id != coop.id:
        raise ServiceError(NOTHING_OWING)
    owed = owed_on_bill_pence(membership=membership, round_=round_)
    gateway = coop_gateway(coop)
    open_ = open_bill_payment(membership=membership, round_=round_)
    if open_ is not None:
        if open_.purpose is CardPurpose.AUTO_PAY:
            raise ServiceError(AUTO_PAYING)
        if open_.amount_pence == owed or open_.status is CardPaymentStatus.PROCESSING:
            return open_
    if owed <= 0:
        raise ServiceError(NOTHING_OWING)
    if owed < BILL_PAY_MIN_PENCE:
        raise ServiceError(TOO_LITTLE.format(amount=format_pence(owed)))
    if open_ is not None and not _cancelled(open_, gateway):
        return open_  # under way at the processor: its page follows it
    key = _attempt_key(membership, round_, attempt)
    intent = gateway.create_payment(
        amount_pence=owed,
        metadata=_metadata(CardPurpose.BILL, membership, round_.id),
        idempotency_key=key,
    )
    payment = CardPayment(
        coop_id=coop.id,
        membership_id=membership.id,
        purpose=CardPurpose.BILL,
        round_id=round_.id,
        amount_pence=owed,
        payment_intent_id=intent.id,
        stripe_account=coop.stripe_account_id,
        status=_status(intent.status),
        idempotency_key=key,
        open_key=bill_open_key(membership_id=membership.id, round_id=round_.id),
        created_by_id=by.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
            db.session.flush()
    except IntegrityError:
        # Another tap on the same bill got there first: pay that one instead.
        first = open_bill_payment(membership=membership, round_=round_)
        if first is None:
            raise ServiceError("Your payment was not started. Try again.") from None
        if first.payment_intent_id != intent.id:
            _cancel_unused(gateway, intent.id)
        return first
    return payment


def _cancel_unused(gateway: Gateway, payment_intent_id: str) -> None:
    """Cancel a PaymentIntent no page will confirm; left at the processor if it refuses."""
    # Never confirmed either way, since its client secret went to no page.
    with contextlib.suppress(GatewayError):
        gateway.cancel_payment(payment_intent_id)
