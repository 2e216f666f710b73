"""The webhook: signed on the raw body, each event once, a succeeded payment posted once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    CardPayment,
    CardPaymentStatus,
    LedgerTransaction,
    Posting,
    StripeEvent,
    TransactionKind,
)
from coop.services.money.ledger import household_balance_pence
from coop.services.payments.cards import start_top_up

from .conftest import signed

URL = "/webhooks/stripe"
_events = iter(range(1, 1_000_000))


@pytest.fixture
def household(stripe_app, factory):
    coop = factory.coop(name="Fishwick Food Co-op")
    return factory.membership(coop=coop)


@pytest.fixture
def top_up(household):
    payment = start_top_up(membership=household, amount_pence=2000, by=household.user)
    db.session.commit()
    return payment


def event(kind: str, payment: CardPayment | None, **intent):
    body = {
        "id": payment.payment_intent_id if payment else "pi_never_ours",
        "object": "payment_intent",
        "amount": payment.amount_pence if payment else 2000,
        "currency": "gbp",
        "status": "succeeded" if kind == "payment_intent.succeeded" else "requires_payment_method",
        "metadata": {"coop_id": str(payment.coop_id)} if payment else {},
        **intent,
    }
    return {
        "id": f"evt_test_{next(_events)}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": body},
    }


def deliver(client, body, **sign):
    payload, header = signed(body, **sign)
    return client.post(
        URL, data=payload, headers={"Stripe-Signature": header}, content_type="application/json"
    )


def card_postings() -> int:
    return db.session.scalar(
        select(func.count(Posting.id))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.kind == AccountKind.CARD)
    )


def test_a_succeeded_payment_is_posted_from_the_card_processor_to_the_household(
    client, top_up, household
):
    answer = deliver(client, event("payment_intent.succeeded", top_up))
    assert answer.status_code == 200
    assert answer.json["outcome"] == "posted"
    db.session.refresh(top_up)
    assert top_up.status is CardPaymentStatus.SUCCEEDED
    assert household_balance_pence(membership=household) == 2000
    transaction = db.session.get(LedgerTransaction, top_up.ledger_transaction_id)
    assert transaction.kind is TransactionKind.PAYMENT
    assert sorted((p.account.kind, p.amount_pence) for p in transaction.postings) == [
        (AccountKind.CARD, -2000),
        (AccountKind.HOUSEHOLD, 2000),
    ]


def test_an_event_delivered_three_times_posts_once(client, top_up, household):
    body = event("payment_intent.succeeded", top_up)
    outcomes = [deliver(client, body).json["outcome"] for _ in range(3)]
    assert outcomes == ["posted", "replay", "replay"]
    assert household_balance_pence(membership=household) == 2000
    assert card_postings() == 1
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 1


def test_a_second_success_event_for_the_same_payment_posts_nothing(client, top_up, household):
    first = deliver(client, event("payment_intent.succeeded", top_up))
    second = deliver(client, event("payment_intent.succeeded", top_up))
    assert (first.json["outcome"], second.json["outcome"]) == ("posted", "already_done")
    assert household_balance_pence(membership=household) == 2000


def test_a_failure_after_the_success_changes_nothing(client, top_up, household, mailbox):
    deliver(client, event("payment_intent.succeeded", top_up))
    late = deliver(
        client,
        event(
            "payment_intent.payment_failed",
            top_up,
            last_payment_error={"message": "Your card was declined."},
        ),
    )
    assert late.json["outcome"] == "already_done"
    db.session.refresh(top_up)
    assert top_up.status is CardPaymentStatus.SUCCEEDED
    assert household_balance_pence(membership=household) == 2000
    assert not mailbox.to(household.user.email, "did not go through")


def test_a_failed_payment_is_marked_and_the_household_told(
    client, top_up, household, mailbox, runner
):
    answer = deliver(
        client,
        event(
            "payment_intent.payment_failed",
            top_up,
            last_payment_error={"message": "Your card has insufficient funds."},
        ),
    )
    assert answer.json["outcome"] == "marked_failed"
    db.session.refresh(top_up)
    assert top_up.status is CardPaymentStatus.FAILED
    assert top_up.failure_message == "Your card has insufficient funds."
    assert household_balance_pence(membership=household) == 0
    (message,) = mailbox.to(household.user.email, "did not go through")
    body = mailbox.body(message)
    assert "£20.00" in body
    assert "Your card has insufficient funds." in body
    assert "http://localhost/" in body


def test_a_success_after_a_failure_posts(client, top_up, household, mailbox):
    deliver(client, event("payment_intent.payment_failed", top_up))
    answer = deliver(client, event("payment_intent.succeeded", top_up))
    assert answer.json["outcome"] == "posted"
    db.session.refresh(top_up)
    assert top_up.status is CardPaymentStatus.SUCCEEDED
    assert top_up.failure_message is None
    assert household_balance_pence(membership=household) == 2000


def test_a_payment_we_never_created_is_recorded_and_ignored(client, household):
    answer = deliver(client, event("payment_intent.succeeded", None))
    assert answer.status_code == 200
    assert answer.json["outcome"] == "unknown_payment"
    assert card_postings() == 0
    assert db.session.scalar(select(StripeEvent.result)) == "unknown_payment"


def test_a_payment_on_another_connected_account_is_not_ours(client, top_up, household):
    body = event("payment_intent.succeeded", top_up)
    body["account"] = "acct_someone_else"
    assert deliver(client, body).json["outcome"] == "unknown_payment"
    assert household_balance_pence(membership=household) == 0


def test_an_event_whose_amount_differs_from_the_payment_is_not_posted(client, top_up, household):
    answer = deliver(client, event("payment_intent.succeeded", top_up, amount=200_000))
    assert answer.json["outcome"] == "not_posted"
    assert household_balance_pence(membership=household) == 0


def test_unknown_event_types_are_acknowledged_and_ignored(client, top_up, household):
    body = event("customer.created", None)
    body["data"] = {"object": {"id": "cus_1", "object": "customer"}}
    answer = deliver(client, body)
    assert (answer.status_code, answer.json["outcome"]) == (200, "ignored")
    assert card_postings() == 0


@pytest.mark.parametrize(
    "sign",
    [
        {"secret": "whsec_wrong"},
        {"at": int(time.time()) - 301},  # stale: older than the five-minute tolerance
    ],
    ids=["wrong-secret", "stale"],
)
def test_a_bad_or_stale_signature_is_refused_and_nothing_recorded(client, top_up, household, sign):
    answer = deliver(client, event("payment_intent.succeeded", top_up), **sign)
    assert answer.status_code == 400
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 0
    assert household_balance_pence(membership=household) == 0


@pytest.mark.parametrize("header", [None, "", "garbage", "t=1,v1=00", "v1=abc"], ids=repr)
def test_a_missing_or_malformed_signature_is_refused(client, top_up, header):
    payload, _ = signed(event("payment_intent.succeeded", top_up))
    headers = {} if header is None else {"Stripe-Signature": header}
    answer = client.post(URL, data=payload, headers=headers, content_type="application/json")
    assert answer.status_code == 400
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 0


def test_the_signature_is_checked_on_the_raw_body(client, top_up, household):
    payload, header = signed(event("payment_intent.succeeded", top_up))
    reformatted = payload.replace(b", ", b",")  # the same JSON, other bytes
    answer = client.post(
        URL, data=reformatted, headers={"Stripe-Signature": header}, content_type="application/json"
    )
    assert answer.status_code == 400


def test_a_signed_body_that_is_not_an_event_is_refused(client):
    for body in ([1, 2], {"id": "evt_1"}, {"id": "evt_1", "type": "x", "data": {"object": 5}}):
        answer = deliver(client, body)
        assert answer.status_code == 400


def test_with_no_webhook_secret_every_delivery_is_refused(client, top_up, stripe_app):
    body = event("payment_intent.succeeded", top_up)
    stripe_app.config["STRIPE_WEBHOOK_SECRET"] = ""
    assert deliver(client, body).status_code == 400


def test_a_body_larger_than_the_limit_is_refused_unread(client, stripe_app):
    limit = stripe_app.config["MAX_FORM_CONTENT_LENGTH"]
    answer = client.post(
        URL,
        data=b"{" + b" " * limit + b"}",
        headers={"Stripe-Signature": "t=1,v1=00"},
        content_type="application/json",
    )
    assert answer.status_code == 413
