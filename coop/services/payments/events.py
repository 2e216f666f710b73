"""What a verified webhook event does, once.

`handle_event` first writes the event's id (unique) and then its effect, in
the caller's one transaction: a replay of an event already handled finds
the id and changes nothing; of two deliveries at the same time, the second
waits for the first on the id's unique key and then writes nothing. Events
may come in any order: a failure after a success changes nothing, a success
after a failure posts (`coop.services.payments.cards`).

A PaymentIntent we never created, or one that belongs to another connected
account than the event's, is recorded and ignored; so is any event type
not handled here.

Charges: ``charge.refunded`` posts each refund not yet posted, once
(`coop.services.payments.refunds`), and a refund that later fails
(``charge.refund.updated``, ``refund.updated``, ``refund.failed``) is
reversed once; ``charge.succeeded`` and
``charge.updated`` post the processor's fee once its balance transaction is
known (`coop.services.payments.fees`); ``charge.dispute.created`` and
``charge.dispute.closed`` post what a dispute took back and, if won, give it
back (`coop.services.payments.disputes`). Each finds the payment by the
object's ``payment_intent``: a charge of a payment we never created is
recorded and ignored.

Connect: ``account.updated`` keeps what Stripe says of the co-op's own
account whose id is the event's ``account``
(`coop.services.payments.connect`); ``payout.paid`` and ``payout.failed``
keep the payout for the card reconciliation page
(`coop.services.payments.card_reconciliation`) and post a paid one card ->
bank, or reverse it once it failed, once (`coop.services.payments.payouts`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from flask import current_app
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from coop.extensions import db
from coop.models import CardPayment, Coop, StripeEvent
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.payments.card_reconciliation import record_payout
from coop.services.payments.cards import card_payment, record_failure, record_success
from coop.services.payments.connect import AccountUpdate, apply_account_event
from coop.services.payments.disputes import DisputeOutcome, record_dispute
from coop.services.payments.fees import record_card_fee
from coop.services.payments.gateway import (
    Event,
    balance_transaction_from,
    gateway_for,
    payment_from,
    refund_from,
)
from coop.services.payments.refunds import post_processor_refunds, record_refund_update


class Outcome(StrEnum):
    """What handling an event did."""

    POSTED = "posted"
    MARKED_FAILED = "marked_failed"
    ALREADY_DONE = "already_done"  # the payment had already reached this state
    UNKNOWN_PAYMENT = "unknown_payment"
    NOT_POSTED = "not_posted"  # the event disagrees with the payment we created
    IGNORED = "ignored"  # a type this app does not act on
    REPLAY = "replay"  # this event id was handled before
    RECORDED = "recorded"  # kept, nothing to post (a dispute inquiry, a dispute lost)
    ACCOUNT_UPDATED = "account_updated"  # a co-op's connected account changed
    UNKNOWN_ACCOUNT = "unknown_account"  # no co-op holds the event's account
    PAYOUT_RECORDED = "payout_recorded"


def handle_event(*, event: Event) -> Outcome:
    """Record *event* and do what it says (flushes); a replay does nothing."""
    # INSERT ... ON CONFLICT DO NOTHING: a delivery racing another of the same
    # event waits for it on the unique key, then inserts nothing, and no error
    # spoils the transaction.
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    row_id = db.session.scalar(
        dialect.insert(StripeEvent)
        .values(
            event_id=event.id,
            type=event.type,
            account=event.account,
            received_at=utcnow(),
            result="",
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(StripeEvent.id)
    )
    if row_id is None:
        return Outcome.REPLAY
    outcome, payment = _dispatch(event)
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == row_id)
        .values(result=outcome.value, card_payment_id=payment.id if payment else None)
    )
    return outcome


Handler = Callable[[Event], tuple[Outcome, CardPayment | None]]


def _payment_intent(event: Event) -> tuple[Outcome, CardPayment | None]:
    intent = payment_from(event.object)
    payment = card_payment(payment_intent_id=intent.id)
    if payment is None or payment.stripe_account != event.account:
        return Outcome.UNKNOWN_PAYMENT, None
    if intent.metadata.get("coop_id") not in (None, str(payment.coop_id)):
        return Outcome.UNKNOWN_PAYMENT, None
    if event.type == "payment_intent.succeeded":
        try:
            posted = record_success(payment=payment, intent=intent)
        except ServiceError as refusal:
            current_app.logger.error("card payment not posted: %s", refusal.message)
            return Outcome.NOT_POSTED, payment
        return (Outcome.POSTED if posted else Outcome.ALREADY_DONE), payment
    failed = record_failure(payment=payment, message=intent.failure_message)
    return (Outcome.MARKED_FAILED if failed else Outcome.ALREADY_DONE), payment


def _account_updated(event: Event) -> tuple[Outcome, CardPayment | None]:
    done = apply_account_event(event=event)
    if done is AccountUpdate.UNKNOWN:
        return Outcome.UNKNOWN_ACCOUNT, None
    if done is AccountUpdate.STALE:
        return Outcome.ALREADY_DONE, None
    return Outcome.ACCOUNT_UPDATED, None


def _payout(event: Event) -> tuple[Outcome, CardPayment | None]:
    return (Outcome.PAYOUT_RECORDED if record_payout(event=event) else Outcome.ALREADY_DONE), None


def _charged_payment(event: Event) -> CardPayment | None:
    """Return our payment that a charge or dispute object belongs to, on the event's account."""
    intent = event.object.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    if not isinstance(intent, str):
        return None
    payment = card_payment(payment_intent_id=intent)
    if payment is None or payment.stripe_account != event.account:
        return None
    return payment


def _charge_refunded(event: Event) -> tuple[Outcome, CardPayment | None]:
    payment = _charged_payment(event)
    if payment is None:
        return Outcome.UNKNOWN_PAYMENT, None
    listed = event.object.get("refunds")
    data = listed.get("data") if isinstance(listed, dict) else None
    if isinstance(data, list):
        refunds = [refund_from(item, payment.payment_intent_id) for item in data]
    else:  # newer API versions leave the list out of the charge: ask for it
        gateway = gateway_for(stripe_account=payment.stripe_account)
        refunds = gateway.list_refunds(payment.payment_intent_id)
    coop = db.session.get_one(Coop, payment.coop_id)
    posted = post_processor_refunds(coop=coop, payment=payment, refunds=refunds)
    return (Outcome.POSTED if posted else Outcome.ALREADY_DONE), payment


def _refund_updated(event: Event) -> tuple[Outcome, CardPayment | None]:
    payment = _charged_payment(event)
    if payment is None or not isinstance(event.object.get("id"), str):
        return Outcome.UNKNOWN_PAYMENT, None
    coop = db.session.get_one(Coop, payment.coop_id)
    undone = record_refund_update(
        coop=coop, payment=payment, refund=refund_from(event.object, payment.payment_intent_id)
    )
    return (Outcome.POSTED if undone else Outcome.ALREADY_DONE), payment


def _charge_fee(event: Event) -> tuple[Outcome, CardPayment | None]:
    payment = _charged_payment(event)
    if payment is None:
        return Outcome.UNKNOWN_PAYMENT, None
    balance = event.object.get("balance_transaction")
    if isinstance(balance, str):
        gateway = gateway_for(stripe_account=payment.stripe_account)
        found = gateway.read_balance_transaction(balance)
    elif isinstance(balance, dict) and isinstance(balance.get("id"), str):
        found = balance_transaction_from(balance)
    else:
        return Outcome.IGNORED, payment  # the fee is not known yet
    return (
        Outcome.POSTED if record_card_fee(payment=payment, balance=found) else Outcome.ALREADY_DONE
    ), payment


def _dispute(event: Event) -> tuple[Outcome, CardPayment | None]:
    payment = _charged_payment(event)
    if payment is None or not isinstance(event.object.get("id"), str):
        return Outcome.UNKNOWN_PAYMENT, None
    coop = db.session.get_one(Coop, payment.coop_id)
    done = record_dispute(
        coop=coop,
        payment=payment,
        data=event.object,
        closed=event.type == "charge.dispute.closed",
    )
    return {
        DisputeOutcome.POSTED: Outcome.POSTED,
        DisputeOutcome.RECORDED: Outcome.RECORDED,
        DisputeOutcome.ALREADY_DONE: Outcome.ALREADY_DONE,
        DisputeOutcome.NOT_POSTED: Outcome.NOT_POSTED,
    }[done], payment


#: The event types acted on, each with its handler; any other type is ignored.
HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": _payment_intent,
    "payment_intent.payment_failed": _payment_intent,
    "charge.refunded": _charge_refunded,
    "charge.refund.updated": _refund_updated,
    "refund.updated": _refund_updated,
    "refund.failed": _refund_updated,
    "charge.succeeded": _charge_fee,
    "charge.updated": _charge_fee,
    "charge.dispute.created": _dispute,
    "charge.dispute.closed": _dispute,
    "account.updated": _account_updated,
    "payout.paid": _payout,
    "payout.failed": _payout,
}


def _dispatch(event: Event) -> tuple[Outcome, CardPayment | None]:
    handler = HANDLERS.get(event.type)
    if handler is None:
        return Outcome.IGNORED, None
    return handler(event)
