"""localstripe's own signed webhooks reach the app and post a top-up once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from coop.extensions import db
from coop.models import CardPayment, CardPaymentStatus, Membership, OutboxMessage, StripeEvent
from coop.services.money.ledger import household_balance_pence
from coop.services.payments.cards import start_top_up

pytestmark = pytest.mark.committing


def _settled(payment_id: int, wanted: CardPaymentStatus, seconds: float = 10) -> CardPayment:
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()  # see what the live server committed since
        payment = db.session.get_one(CardPayment, payment_id)
        if payment.status is wanted or time.monotonic() > deadline:
            return payment
        time.sleep(0.1)


def test_a_top_up_paid_at_localstripe_is_posted_by_its_webhook(
    stripe_app, factory, localstripe_webhooks, raw_stripe
):
    household = factory.membership(coop=factory.coop())
    payment = start_top_up(membership=household, amount_pence=1750, by=household.user)
    db.session.commit()
    intent_id, payment_id = payment.payment_intent_id, payment.id

    # What Stripe.js does on the page: attach the card and confirm.
    raw_stripe.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    raw_stripe.v1.payment_intents.confirm(intent_id)

    payment = _settled(payment_id, CardPaymentStatus.SUCCEEDED)
    assert payment.status is CardPaymentStatus.SUCCEEDED
    assert payment.ledger_transaction_id is not None
    membership = db.session.get_one(Membership, household.id)
    assert household_balance_pence(membership=membership) == 1750
    results = db.session.scalars(
        select(StripeEvent.result).where(StripeEvent.card_payment_id == payment_id)
    ).all()
    assert results == ["posted"]


def test_a_declined_top_up_is_marked_failed_by_its_webhook(
    stripe_app, factory, localstripe_webhooks, raw_stripe
):
    household = factory.membership(coop=factory.coop())
    payment = start_top_up(membership=household, amount_pence=900, by=household.user)
    db.session.commit()
    intent_id, payment_id = payment.payment_intent_id, payment.id

    raw_stripe.v1.payment_intents.update(
        intent_id, params={"payment_method": "pm_card_chargeCustomerFail"}
    )
    with pytest.raises(Exception, match="declined"):
        raw_stripe.v1.payment_intents.confirm(intent_id)

    payment = _settled(payment_id, CardPaymentStatus.FAILED)
    assert payment.status is CardPaymentStatus.FAILED
    assert payment.failure_message == "Your card was declined."
    membership = db.session.get_one(Membership, household.id)
    assert household_balance_pence(membership=membership) == 0
    told = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == membership.user.email)
    ).all()
    assert told == [f"{membership.coop.name}: your card payment did not go through"]
