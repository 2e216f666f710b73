"""The card reconciliation and card payment settings pages in a real browser on a phone."""

from __future__ import annotations

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from playwright.sync_api import expect

from coop.domain.roles import Role

from .test_card_reconciliation import nov, paid, second_posting

pytestmark = BROWSER


def test_a_treasurer_sees_a_doubled_payment_and_the_days_totals_on_a_phone(page, factory):
    coop = factory.coop(name="Fishwick Food Co-op", slug="fishwick")
    user = factory.member(coop, Role.TREASURER)
    ann = factory.membership(coop=coop, user=factory.user(name="Ann Ashworth"))
    paid(ann, 2000, nov(3, 9), fee_pence=50)
    twice = paid(ann, 1500, nov(3, 10))
    second_posting(twice)

    log_in(page, user.email)
    page.goto("/coops/fishwick/admin/money/card-payments?month=2026-11")
    expect(page.get_by_role("heading", name="Card payments of Fishwick Food Co-op")).to_be_visible()
    expect(page.locator("#posting-problems")).to_contain_text("1 problem found")
    expect(page.get_by_role("row", name="Posted more than once")).to_contain_text(
        twice.payment_intent_id
    )
    expect(page.get_by_text("Total of 3 November")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_label("Month").fill("2026-10")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(page.get_by_text("No card payments were started in October 2026.")).to_be_visible()

    page.goto("/coops/fishwick/admin/settings/card-payments")
    expect(
        page.get_by_role("heading", name="Card payments for Fishwick Food Co-op")
    ).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)
