"""A household pays its bill by card in a real browser on a phone, with localstripe's Stripe.js."""

from __future__ import annotations

import re

import pytest
from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from money.treasury_support import settled_round

from coop.extensions import db
from coop.models import Membership
from coop.services.money.ledger import household_balance_pence

from .bill_pay_support import awaiting_3d_secure, bill_payments, bill_url
from .test_card_payment_browser import stripe_page  # noqa: F401  (the tab on the card app)

pytestmark = [*BROWSER, pytest.mark.committing]

# Chromium reads the link's hidden words after a space: "Pay this bill by card : £12.00 owing".
OWING_LINK = re.compile(r"^Pay this bill by card\W+£12\.00 owing$")


def test_a_bill_paid_by_card_from_the_statement_leaves_nothing_owing(
    rounds,
    stripe_page,  # noqa: F811
    raw_stripe,
):
    page = stripe_page
    round_ = settled_round(rounds, 6, 6)
    household = rounds.households[0]
    log_in(page, household.user.email)

    page.goto("/coops/fishwick/statement")
    page.get_by_text("You owe: £12.00").wait_for()
    page.get_by_role("link", name=OWING_LINK).click()
    page.get_by_text("To pay: £12.00").wait_for()
    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_role("button", name="Pay £12.00 by card").click()
    page.get_by_role("button", name="Pay £12.00").wait_for()
    no_axe_violations(page)
    fits_a_phone(page)

    db.session.rollback()  # see what the live server committed
    [payment] = bill_payments(household)
    assert (payment.amount_pence, payment.round_id) == (1200, round_.id)
    awaiting_3d_secure(raw_stripe, payment)
    page.get_by_role("button", name="Pay £12.00").click()
    page.get_by_role("button", name="Complete authentication").click()
    page.get_by_text("Paid: £12.00 is on your balance with Fishwick Food.").wait_for()

    page.goto("/coops/fishwick/statement")
    page.get_by_text("Nothing owed: £0.00").wait_for()
    assert page.get_by_role("link", name="Pay this bill by card").count() == 0
    page.goto(bill_url(round_))
    assert page.get_by_role("link", name="Pay this bill by card").count() == 0
    db.session.rollback()
    membership = db.session.get_one(Membership, household.id)
    assert household_balance_pence(membership=membership) == 0
