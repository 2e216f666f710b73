"""A household tops up by card: the amount, the payment page, "pending" until the webhook."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import CardPayment, CardPaymentStatus

from .conftest import PUBLISHABLE_KEY
from .test_webhook import deliver, event


@pytest.fixture
def household(factory):
    coop = factory.coop(name="Fishwick Food Co-op", slug="fishwick")
    return factory.membership(coop=coop)


def _payments() -> int:
    return db.session.scalar(select(func.count(CardPayment.id)))


def test_with_card_payments_off_the_page_says_so_and_shows_how_to_pay(client, auth, household):
    auth.login_as(household.user)
    page = client.get("/coops/fishwick/top-up")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Card payments are not available for Fishwick Food Co-op" in text
    assert 'id="how-to-pay"' in text
    assert "<form" not in text.split('id="cards-off"')[1]
    answer = client.post("/coops/fishwick/top-up", data={"amount": "20"})
    assert answer.status_code == 200
    assert _payments() == 0


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter an amount"),
        ("abc", ""),
        ("1.234", ""),
        ("-1", ""),
        ("4.99", "Top up by £5.00 to £250.00."),
        ("250.01", "Top up by £5.00 to £250.00."),
    ],
)
def test_an_amount_out_of_bounds_or_not_money_is_refused_next_to_the_field(
    client, auth, household, stripe_app, typed, says
):
    auth.login_as(household.user)
    page = client.post("/coops/fishwick/top-up", data={"amount": typed})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="amount-error"' in text
    assert says in text
    assert f'value="{typed}"' in text or not typed
    assert _payments() == 0


def test_a_top_up_makes_a_payment_and_its_page_loads_stripe_js_alone(
    client, auth, household, stripe_app, localstripe
):
    auth.login_as(household.user)
    answer = client.post("/coops/fishwick/top-up", data={"amount": "£20"})
    assert answer.status_code == 302
    payment = db.session.scalars(select(CardPayment)).one()
    assert (payment.amount_pence, payment.membership_id) == (2000, household.id)
    assert payment.status is CardPaymentStatus.REQUIRES_PAYMENT_METHOD
    assert answer.location.endswith(f"/coops/fishwick/card-payments/{payment.id}")

    page = client.get(answer.location)
    text = page.get_data(as_text=True)
    script = f"{localstripe}/js.stripe.com/v3/"
    assert f'<script src="{script}">' in text
    assert f'data-key="{PUBLISHABLE_KEY}"' in text
    assert f'data-secret="{payment.payment_intent_id}_secret_' in text
    policy = page.headers["Content-Security-Policy"]
    assert f"script-src 'self' {script}" in policy
    assert f"connect-src 'self' {localstripe}" in policy
    # Only the payment page may load it.
    assert (
        "js.stripe.com"
        not in client.get("/coops/fishwick/top-up").headers["Content-Security-Policy"]
    )


def test_the_page_says_pending_until_the_webhook_posts_then_paid(
    client, auth, household, stripe_app
):
    auth.login_as(household.user)
    client.post("/coops/fishwick/top-up", data={"amount": "12.50"})
    payment = db.session.scalars(select(CardPayment)).one()
    status_url = f"/coops/fishwick/card-payments/{payment.id}/status"
    assert client.get(status_url).json["status"] == "requires_payment_method"

    deliver(client, event("payment_intent.succeeded", payment))

    assert client.get(status_url).json == {"status": "succeeded", "label": "Paid"}
    page = client.get(f"/coops/fishwick/card-payments/{payment.id}").get_data(as_text=True)
    assert "Paid: £12.50 is on your balance" in page
    assert "js.stripe.com" not in page


def test_a_failed_payment_page_says_why_and_offers_another_try(
    client, auth, household, stripe_app, mailbox
):
    auth.login_as(household.user)
    client.post("/coops/fishwick/top-up", data={"amount": "8"})
    payment = db.session.scalars(select(CardPayment)).one()
    deliver(
        client,
        event(
            "payment_intent.payment_failed",
            payment,
            last_payment_error={"message": "Your card has expired."},
        ),
    )
    page = client.get(f"/coops/fishwick/card-payments/{payment.id}").get_data(as_text=True)
    assert "This payment did not go through: Your card has expired." in page
    assert "Try again" in page


def test_another_household_cannot_see_a_payment(client, auth, household, factory, stripe_app):
    auth.login_as(household.user)
    client.post("/coops/fishwick/top-up", data={"amount": "10"})
    payment = db.session.scalars(select(CardPayment)).one()
    client.post("/logout")
    neighbour = factory.membership(coop=household.coop)
    auth.login_as(neighbour.user)
    assert client.get(f"/coops/fishwick/card-payments/{payment.id}").status_code == 404
    assert client.get(f"/coops/fishwick/card-payments/{payment.id}/status").status_code == 404


def test_another_coops_member_cannot_top_up_here(client, auth, household, factory, stripe_app):
    stranger = factory.membership(coop=factory.coop())
    auth.login_as(stranger.user)
    assert client.get("/coops/fishwick/top-up").status_code == 403
    assert client.post("/coops/fishwick/top-up", data={"amount": "10"}).status_code == 403
    assert _payments() == 0


def test_a_household_that_left_cannot_top_up(client, auth, household, stripe_app):
    household.status = MembershipStatus.LEFT
    db.session.commit()
    auth.login_as(household.user)
    assert client.post("/coops/fishwick/top-up", data={"amount": "10"}).status_code == 403
    assert _payments() == 0


def test_the_statement_links_to_top_up_only_with_card_payments_on(
    client, auth, household, localstripe
):
    auth.login_as(household.user)
    assert 'id="top-up-by-card"' not in client.get("/coops/fishwick/statement").get_data(
        as_text=True
    )
    client.application.config.update(STRIPE_SECRET_KEY="sk_test_coop", STRIPE_API_BASE=localstripe)
    page = client.get("/coops/fishwick/statement").get_data(as_text=True)
    assert 'href="/coops/fishwick/top-up" id="top-up-by-card"' in page


def test_an_unreachable_processor_is_a_clear_message_not_an_error_page(
    client, auth, household, stripe_app
):
    stripe_app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    auth.login_as(household.user)
    page = client.post("/coops/fishwick/top-up", data={"amount": "20"})
    assert page.status_code == 200
    assert "The card processor cannot be reached just now. Nothing was charged" in page.get_data(
        as_text=True
    )
    assert _payments() == 0
