"""A household tops up by card in a real browser, with localstripe's Stripe.js and webhooks.

localstripe's fake Stripe.js cannot charge a card typed into its Card
Element: its ``confirmCardPayment`` ignores the card and only completes
the 3-D Secure check of a PaymentIntent that already waits for one. So the
card here is one that needs 3-D Secure, attached to the PaymentIntent as
the household's bank would see it, and the page runs the check: the page's
own script, ``confirmCardPayment``, "pending", then the webhook and "Paid".
"""

from __future__ import annotations

import pytest
from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from support import PHONE

from coop.extensions import db
from coop.models import CardPayment, Membership
from coop.services.money.ledger import household_balance_pence

pytestmark = [*BROWSER, pytest.mark.committing]


@pytest.fixture
def stripe_page(stripe_app, browser, localstripe_webhooks):
    context = browser.new_context(base_url=localstripe_webhooks, viewport=PHONE)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def test_a_top_up_with_a_3d_secure_card_is_pending_then_paid(stripe_page, factory, raw_stripe):
    page = stripe_page
    coop = factory.coop(name="Fishwick Food Co-op", slug="fishwick")
    household = factory.membership(coop=coop)
    log_in(page, household.user.email)

    page.goto("/coops/fishwick/statement")
    page.get_by_role("link", name="Top up by card").click()
    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_label("Amount").fill("20")
    page.get_by_role("button", name="Continue to card details").click()
    page.get_by_role("button", name="Pay £20.00").wait_for()

    db.session.rollback()
    payment = db.session.query(CardPayment).one()
    card = raw_stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    raw_stripe.v1.payment_intents.update(
        payment.payment_intent_id, params={"payment_method": card.id}
    )
    assert raw_stripe.v1.payment_intents.confirm(payment.payment_intent_id).status == (
        "requires_action"
    )

    page.get_by_role("button", name="Pay £20.00").click()
    page.get_by_role("button", name="Complete authentication").click()
    page.get_by_text("Pending: your card payment is being confirmed").wait_for()
    page.get_by_text("Paid: £20.00 is on your balance with Fishwick Food Co-op.").wait_for()

    db.session.rollback()
    membership = db.session.get_one(Membership, household.id)
    assert household_balance_pence(membership=membership) == 2000
