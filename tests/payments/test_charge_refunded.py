"""``charge.refunded``: each refund the processor reports is posted once, never past the payment."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CardPayment, CardRefund
from coop.services.money.ledger import household_balance_pence
from coop.services.payments.cards import start_top_up
from coop.services.payments.refunds import refund_card_payment

from .test_webhook import _events, deliver, event


def charge_event(kind: str, payment: CardPayment | None, **fields):
    """A signed-to-be event whose object is a charge (or dispute) of *payment*."""
    body = {
        "id": f"ch_test_{next(_events)}",
        "object": "charge",
        "amount": payment.amount_pence if payment else 2000,
        "currency": "gbp",
        "status": "succeeded",
        "payment_intent": payment.payment_intent_id if payment else "pi_never_ours",
        **fields,
    }
    return {
        "id": f"evt_test_{next(_events)}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": body},
    }


def refunds(*items: tuple[str, int] | tuple[str, int, str]):
    """A charge's ``refunds`` list: (id, pence) or (id, pence, status)."""
    return {
        "object": "list",
        "data": [
            {
                "id": item[0],
                "object": "refund",
                "amount": item[1],
                "status": item[2] if len(item) > 2 else "succeeded",
            }
            for item in items
        ],
    }


@pytest.fixture
def coop(stripe_app, factory):
    return factory.coop(name="Fishwick Food Co-op")


@pytest.fixture
def treasurer(factory, coop):
    return factory.member(coop, Role.TREASURER, user=factory.user(name="Tess Treasurer"))


@pytest.fixture
def paid(client, factory, coop, treasurer):
    """A £20 top-up the webhook has posted (signed here: localstripe never saw it paid)."""
    household = factory.membership(coop=coop, user=factory.user(name="Hana Household"))
    payment = start_top_up(membership=household, amount_pence=2000, by=household.user)
    db.session.commit()
    assert deliver(client, event("payment_intent.succeeded", payment)).json["outcome"] == "posted"
    db.session.refresh(payment)
    return payment


def _refund_rows(payment) -> int:
    return db.session.scalar(
        select(func.count(CardRefund.id)).where(CardRefund.card_payment_id == payment.id)
    )


def test_a_refund_made_in_the_dashboard_is_posted_once_and_the_treasurer_told(
    client, paid, treasurer, mailbox
):
    body = charge_event(
        "charge.refunded", paid, amount_refunded=500, refunds=refunds(("re_dash", 500))
    )
    assert [deliver(client, body).json["outcome"] for _ in range(3)] == [
        "posted",
        "replay",
        "replay",
    ]
    again = charge_event("charge.refunded", paid, refunds=refunds(("re_dash", 500)))
    assert deliver(client, again).json["outcome"] == "already_done"

    db.session.refresh(paid)
    assert paid.refunded_pence == 500
    assert household_balance_pence(membership=paid.membership) == 1500
    assert _refund_rows(paid) == 1
    (told,) = mailbox.to(treasurer.email, "by card")
    assert told["Subject"] == "Fishwick Food Co-op: £5.00 refunded to Hana Household by card"
    assert f"/admin/money/households/{paid.membership_id}/card-payments" in mailbox.body(told)
    assert [m["Subject"] for m in mailbox.to(paid.membership.user.email)] == [
        "Fishwick Food Co-op: £5.00 refunded to your card"
    ]


def test_a_second_refund_reported_later_posts_only_the_new_one(client, paid):
    deliver(client, charge_event("charge.refunded", paid, refunds=refunds(("re_one", 300))))
    both = refunds(("re_one", 300), ("re_two", 700))
    assert deliver(client, charge_event("charge.refunded", paid, refunds=both)).json["outcome"] == (
        "posted"
    )
    assert household_balance_pence(membership=paid.membership) == 1000
    assert _refund_rows(paid) == 2


def test_a_reported_refund_that_would_pass_the_payment_is_not_posted(client, paid, mailbox):
    deliver(client, charge_event("charge.refunded", paid, refunds=refunds(("re_one", 1500))))
    too_much = refunds(("re_one", 1500), ("re_two", 501))
    answer = deliver(client, charge_event("charge.refunded", paid, refunds=too_much))
    assert answer.json["outcome"] == "already_done"
    db.session.refresh(paid)
    assert paid.refunded_pence == 1500
    assert household_balance_pence(membership=paid.membership) == 500


def test_a_failed_refund_is_not_posted(client, paid):
    failed = refunds(("re_failed", 500, "failed"))
    assert (
        deliver(client, charge_event("charge.refunded", paid, refunds=failed)).json["outcome"]
        == "already_done"
    )
    assert household_balance_pence(membership=paid.membership) == 2000


def test_a_refund_of_a_payment_we_never_created_is_recorded_and_ignored(client, paid):
    answer = deliver(client, charge_event("charge.refunded", None, refunds=refunds(("re_x", 100))))
    assert answer.json["outcome"] == "unknown_payment"
    assert db.session.scalar(select(func.count(CardRefund.id))) == 0


@pytest.fixture
def paid_at_localstripe(client, factory, coop, raw_stripe):
    """A £30 top-up paid at localstripe and posted by its (signed) success event."""
    household = factory.membership(coop=coop)
    payment = start_top_up(membership=household, amount_pence=3000, by=household.user)
    db.session.commit()
    raw_stripe.v1.payment_intents.update(
        payment.payment_intent_id, params={"payment_method": "pm_card_visa"}
    )
    raw_stripe.v1.payment_intents.confirm(payment.payment_intent_id)
    assert deliver(client, event("payment_intent.succeeded", payment)).json["outcome"] == "posted"
    db.session.refresh(payment)
    return payment


def test_our_own_refund_seen_again_in_charge_refunded_posts_nothing_more(
    client, paid_at_localstripe, treasurer
):
    payment = paid_at_localstripe
    ours = refund_card_payment(
        coop=payment.membership.coop, payment=payment, amount_pence=1200, by=treasurer
    )
    db.session.commit()
    reported = charge_event("charge.refunded", payment, refunds=refunds((ours.refund_id, 1200)))
    assert [deliver(client, reported).json["outcome"] for _ in range(2)] == [
        "already_done",
        "replay",
    ]
    assert household_balance_pence(membership=payment.membership) == 1800
    assert _refund_rows(payment) == 1


def test_a_charge_without_its_refunds_list_is_asked_for_them(
    client, paid_at_localstripe, raw_stripe
):
    payment = paid_at_localstripe
    # Made at the processor, as in its dashboard: the app has not seen it.
    made = raw_stripe.v1.refunds.create(
        params={"payment_intent": payment.payment_intent_id, "amount": 700}
    )
    answer = deliver(client, charge_event("charge.refunded", payment, amount_refunded=700))
    assert answer.json["outcome"] == "posted"
    assert db.session.scalar(select(CardRefund.refund_id)) == made.id
    assert household_balance_pence(membership=payment.membership) == 2300


def test_a_refund_that_fails_after_it_was_posted_is_undone_once(client, paid, treasurer, mailbox):
    deliver(client, charge_event("charge.refunded", paid, refunds=refunds(("re_fails", 800))))
    assert household_balance_pence(membership=paid.membership) == 1200
    failed = charge_event(
        "charge.refund.updated",
        paid,
        id="re_fails",
        object="refund",
        amount=800,
        status="failed",
    )
    assert deliver(client, failed).json["outcome"] == "posted"
    again = charge_event(
        "refund.failed", paid, id="re_fails", object="refund", amount=800, status="failed"
    )
    assert deliver(client, again).json["outcome"] == "already_done"

    assert household_balance_pence(membership=paid.membership) == 2000
    db.session.refresh(paid)
    assert paid.refunded_pence == 0
    assert db.session.scalar(select(CardRefund.status)) == "failed"
    (told,) = mailbox.to(treasurer.email, "failed")
    assert "has the £8.00 as credit again" in mailbox.body(told)
