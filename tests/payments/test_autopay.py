"""Auto-pay against localstripe: a saved card charged once per settled bill, posted by webhook."""

from __future__ import annotations

import pytest
from money.treasury_support import settled_round
from sqlalchemy import func, select

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import (
    CardPayment,
    CardPaymentStatus,
    LedgerTransaction,
    Membership,
    Round,
    TransactionKind,
)
from coop.services.errors import ServiceError
from coop.services.jobs import enqueue
from coop.services.links import links
from coop.services.money.ledger import household_balance_pence
from coop.services.payments.autopay import (
    charge_auto_pay,
    confirm_auto_pay,
    finish_saving_card,
    owed_on_bill_pence,
    start_saving_card,
)
from coop.services.payments.saved_cards import saved_card
from coop.services.people.memberships import leave_coop

from .autopay_support import auto_payments, save_card
from .test_webhook import deliver

THREE_D_SECURE = "4000002500003155"
_events = iter(range(1, 1_000_000))


def card_postings(household: Membership) -> int:
    return db.session.scalar(
        select(func.count(LedgerTransaction.id)).where(
            LedgerTransaction.coop_id == household.coop_id,
            LedgerTransaction.kind == TransactionKind.PAYMENT,
            LedgerTransaction.memo.like("Card payment from %"),
        )
    )


def intents_at_localstripe(raw_stripe) -> int:
    return sum(1 for _ in raw_stripe.v1.payment_intents.list().auto_paging_iter())


def event_of(raw_stripe, payment: CardPayment, kind: str) -> dict:
    """The webhook event localstripe would send for the payment, as it has it now."""
    intent = raw_stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
    return {
        "id": f"evt_auto_{next(_events)}",
        "object": "event",
        "type": kind,
        "created": 1_700_000_000,
        "data": {"object": intent.to_dict()},
    }


@pytest.fixture
def household(stripe_app, rounds):
    return rounds.households[0]


def test_saving_a_card_keeps_its_brand_last_digits_and_expiry_and_turns_auto_pay_on(
    household, raw_stripe
):
    saved = save_card(household, raw_stripe)
    assert saved.customer_id.startswith("cus_")
    assert saved.payment_method_id.startswith("pm_")
    assert (saved.brand, saved.last4, saved.exp_month) == ("visa", "4242", 12)
    assert saved.exp_year >= 2026
    assert saved.auto_pay is True
    assert saved.setup_intent_id is None
    customer = raw_stripe.v1.customers.retrieve(saved.customer_id)
    assert customer.metadata["membership_id"] == str(household.id)


def test_a_settled_bill_is_charged_once_and_posted_once_by_the_webhook(
    household, rounds, raw_stripe, client, mailbox
):
    save_card(household, raw_stripe)
    round_ = settled_round(rounds, 6, 6)
    owed = owed_on_bill_pence(membership=household, round_=round_)
    assert owed > 0
    assert household_balance_pence(membership=household) == -owed

    [payment] = auto_payments(household)
    assert payment.amount_pence == owed
    assert payment.round_id == round_.id
    assert payment.idempotency_key == f"auto_pay-{household.id}-{round_.id}-auto"
    assert payment.status is CardPaymentStatus.PROCESSING
    assert payment.ledger_transaction_id is None  # the job never posts
    intent = raw_stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert (intent.status, intent.amount, intent.customer) == (
        "succeeded",
        owed,
        saved_card(membership=household).customer_id,
    )
    # The other households saved no card: nothing is charged to them.
    assert auto_payments(rounds.households[1]) == []

    succeeded = event_of(raw_stripe, payment, "payment_intent.succeeded")
    for _ in range(3):
        assert deliver(client, succeeded).status_code == 200
    assert deliver(client, {**succeeded, "id": "evt_auto_again"}).status_code == 200
    db.session.expire_all()
    assert card_postings(household) == 1
    assert household_balance_pence(membership=household) == 0
    assert db.session.get_one(CardPayment, payment.id).status is CardPaymentStatus.SUCCEEDED

    # The job again, as a retried or duplicated job would: no second charge.
    intents_before = intents_at_localstripe(raw_stripe)
    enqueue(charge_auto_pay, membership_id=household.id, round_id=round_.id)
    enqueue(confirm_auto_pay, payment_id=payment.id)
    db.session.expire_all()
    assert len(auto_payments(household)) == 1
    assert intents_at_localstripe(raw_stripe) == intents_before
    assert card_postings(household) == 1
    assert mailbox.to(household.user.email, "did not go through") == []


def test_a_household_in_credit_is_charged_only_what_the_bill_leaves_owing(
    household, rounds, raw_stripe
):
    from money.statement_support import pay

    save_card(household, raw_stripe)
    pay(household, 500)
    round_ = settled_round(rounds, 6, 6)
    charged = -household_balance_pence(membership=household)
    [payment] = auto_payments(household)
    assert payment.amount_pence == charged
    assert owed_on_bill_pence(membership=household, round_=round_) == charged


def test_a_household_in_credit_for_the_whole_bill_is_not_charged(household, rounds, raw_stripe):
    from money.statement_support import pay

    save_card(household, raw_stripe)
    pay(household, 100_000)
    settled_round(rounds, 6, 6)
    assert auto_payments(household) == []


def test_a_declined_card_fails_the_payment_and_sends_a_reminder_with_the_pay_link(
    household, rounds, raw_stripe, client, mailbox
):
    save_card(household, raw_stripe, "pm_card_chargeCustomerFail")
    round_ = settled_round(rounds, 6, 6)
    owed = owed_on_bill_pence(membership=household, round_=round_)

    [payment] = auto_payments(household)
    assert payment.status is CardPaymentStatus.FAILED
    assert payment.open_key is None
    assert "declined" in payment.failure_message
    assert household_balance_pence(membership=household) == -owed
    [reminder] = mailbox.to(household.user.email, "automatic card payment did not go through")
    body = mailbox.body(reminder)
    assert links().pay_bill(db.session.get_one(Round, round_.id)) in body
    assert "declined" in body
    assert "nothing was taken from your card" in body

    # Stripe's own failure event for the same charge changes nothing and mails nothing more.
    failed = event_of(raw_stripe, payment, "payment_intent.payment_failed")
    assert deliver(client, failed).status_code == 200
    assert len(mailbox.to(household.user.email, "did not go through")) == 1
    assert card_postings(household) == 0
    # Auto-pay stays on for the next bill.
    assert saved_card(membership=household).auto_pay is True


def test_a_card_whose_bank_asks_for_its_holder_is_not_charged_and_the_household_is_reminded(
    household, rounds, raw_stripe, mailbox
):
    method = raw_stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": THREE_D_SECURE, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    saved = start_saving_card(membership=household)
    db.session.commit()
    # The 3-D Secure check passes on the page when the card is saved ...
    raw_stripe.v1.setup_intents.confirm(saved.setup_intent_id, params={"payment_method": method.id})
    raw_stripe.v1.setup_intents.confirm(saved.setup_intent_id)
    finish_saving_card(membership=household)
    db.session.commit()
    # ... but the bank asks again for the charge, with nobody there.
    settled_round(rounds, 6, 6)
    [payment] = auto_payments(household)
    assert payment.status is CardPaymentStatus.FAILED
    assert "confirm each payment" in payment.failure_message
    intent = raw_stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert intent.status == "canceled"
    assert len(mailbox.to(household.user.email, "automatic card payment did not go through")) == 1


def test_turning_auto_pay_off_keeps_the_card_and_charges_nothing(
    household, rounds, raw_stripe, client, auth
):
    save_card(household, raw_stripe)
    auth.login_as(household.user)
    answer = client.post(f"/coops/{rounds.coop.slug}/auto-pay/switch", data={"on": "no"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert saved_card(membership=household).auto_pay is False
    assert saved_card(membership=household).has_card
    settled_round(rounds, 6, 6)
    assert auto_payments(household) == []


def test_a_household_that_leaves_has_auto_pay_turned_off(household, rounds, raw_stripe):
    save_card(household, raw_stripe)
    leave_coop(membership=household)
    db.session.commit()
    assert household.status is MembershipStatus.LEFT
    assert saved_card(membership=household).auto_pay is False


def test_the_fixed_contribution_is_charged_once_in_the_fixed_contribution_model(
    household, rounds, raw_stripe
):
    rounds.coop.contribution_pence = 1500
    db.session.commit()
    save_card(household, raw_stripe)
    round_ = settled_round(rounds, 6, 6)
    assert household_balance_pence(membership=household) == -1500
    [payment] = auto_payments(household)
    assert (payment.amount_pence, payment.round_id) == (1500, round_.id)
    intent = raw_stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert (intent.status, intent.amount) == ("succeeded", 1500)


def test_a_co_op_not_yet_connected_on_a_platform_saves_no_card_and_charges_nothing(
    household, rounds, raw_stripe, stripe_app, monkeypatch
):
    save_card(household, raw_stripe)
    monkeypatch.setitem(stripe_app.config, "STRIPE_CONNECT", "1")
    settled_round(rounds, 6, 6)
    assert auto_payments(household) == []
    with pytest.raises(ServiceError, match="not available"):
        start_saving_card(membership=household)
