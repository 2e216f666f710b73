"""The gateway against localstripe: payments, declines, 3-D Secure, refunds, saved cards."""

from __future__ import annotations

import pytest

from coop.services.payments.gateway import (
    Gateway,
    GatewayError,
    card_payments_enabled,
    gateway_for,
)


@pytest.fixture
def gateway(stripe_app) -> Gateway:
    return gateway_for()


def _paid(gateway: Gateway, amount_pence: int = 1250, card: str = "pm_card_visa"):
    payment = gateway.create_payment(
        amount_pence=amount_pence,
        metadata={"coop_id": 1, "membership_id": 2, "purpose": "top_up", "round_id": None},
        idempotency_key=f"test-{amount_pence}-{card}",
        payment_method_id=card,
    )
    return gateway.confirm_payment(payment.id)


def test_card_payments_are_off_without_a_secret_key(app):
    assert not card_payments_enabled(app)
    with pytest.raises(GatewayError) as refused:
        gateway_for()
    assert refused.value.code == GatewayError.NOT_CONFIGURED
    assert "bank transfer" in refused.value.message


def test_card_payments_are_on_with_a_secret_key(stripe_app):
    assert card_payments_enabled(stripe_app)


def test_a_payment_is_created_in_pence_and_gbp_with_its_metadata(gateway):
    payment = gateway.create_payment(
        amount_pence=1250,
        metadata={"coop_id": 7, "membership_id": 9, "purpose": "bill", "round_id": 3},
        idempotency_key="attempt-1",
    )
    assert payment.id.startswith("pi_")
    assert payment.amount_pence == 1250
    assert payment.currency == "gbp"
    assert payment.client_secret
    assert payment.status == "requires_payment_method"
    assert dict(payment.metadata) == {
        "coop_id": "7",
        "membership_id": "9",
        "purpose": "bill",
        "round_id": "3",
    }
    assert gateway.read_payment(payment.id) == payment


def test_a_visa_card_payment_succeeds(gateway):
    payment = _paid(gateway)
    assert payment.succeeded
    assert payment.charge_id
    assert gateway.read_payment(payment.id).status == "succeeded"


def test_a_declined_card_gives_a_clear_message(gateway):
    with pytest.raises(GatewayError) as declined:
        gateway.create_payment(
            amount_pence=1000,
            metadata={},
            idempotency_key="declined",
            payment_method_id="pm_card_chargeCustomerFail",
            confirm=True,
        )
    assert declined.value.code == GatewayError.DECLINED
    assert declined.value.message.startswith("Your card was declined.")
    assert "bank transfer or in cash" in declined.value.message


def test_a_card_needing_3d_secure_waits_for_the_bank(gateway, raw_stripe):
    card = raw_stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    payment = _paid(gateway, card=card.id)
    assert payment.status == "requires_action"
    assert not payment.succeeded


def test_a_payment_not_yet_paid_can_be_cancelled(gateway):
    payment = gateway.create_payment(amount_pence=700, metadata={}, idempotency_key="cancel")
    assert gateway.cancel_payment(payment.id).status == "canceled"


def test_a_payment_is_refunded_in_part_then_in_full(gateway):
    payment = _paid(gateway, 2000)
    part = gateway.refund(payment_id=payment.id, amount_pence=500, idempotency_key="r1")
    assert (part.amount_pence, part.status, part.payment_id) == (500, "succeeded", payment.id)
    rest = gateway.refund(payment_id=payment.id, idempotency_key="r2")
    assert rest.id != part.id
    assert rest.status == "succeeded"


def test_a_failed_payment_cannot_be_refunded(gateway):
    payment = gateway.create_payment(amount_pence=900, metadata={}, idempotency_key="unpaid")
    with pytest.raises(GatewayError) as refused:
        gateway.refund(payment_id=payment.id, idempotency_key="r3")
    assert refused.value.code == GatewayError.REFUSED
    assert "refund a failed payment" in refused.value.message


def test_a_card_is_saved_to_a_customer_and_removed(gateway):
    customer = gateway.create_customer(
        email="sam@example.org", name="Sam", metadata={"membership_id": 4}, idempotency_key="c1"
    )
    setup = gateway.create_card_setup(customer_id=customer, metadata={"membership_id": 4})
    assert (setup.status, setup.customer_id) == ("requires_payment_method", customer)
    assert setup.client_secret
    saved = gateway.confirm_card_setup(setup.id, payment_method_id="pm_card_visa")
    assert saved.status == "succeeded"
    assert saved.payment_method_id
    assert gateway.read_card_setup(setup.id).status == "succeeded"
    gateway.detach_payment_method(saved.payment_method_id)


def test_an_unreachable_processor_charges_nothing_and_says_so():
    gateway = Gateway(secret_key="sk_test_coop", api_base="http://127.0.0.1:9")
    with pytest.raises(GatewayError) as unreachable:
        gateway.create_payment(amount_pence=500, metadata={}, idempotency_key="nowhere")
    assert unreachable.value.code == GatewayError.UNREACHABLE
    assert "Nothing was charged" in unreachable.value.message


@pytest.mark.parametrize("amount", [0, -5, 100_000_000])
def test_an_amount_out_of_range_never_reaches_the_processor(gateway, amount):
    with pytest.raises(GatewayError) as refused:
        gateway.create_payment(amount_pence=amount, metadata={}, idempotency_key="bad")
    assert refused.value.field == "amount"
