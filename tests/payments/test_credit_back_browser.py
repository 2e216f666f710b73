"""A household asks for its credit back and the treasurer pays it, in a real browser on a phone."""

from __future__ import annotations

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from playwright.sync_api import expect

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import Membership
from coop.services.money.ledger import household_balance_pence
from coop.services.money.treasury import Method, record_payment

pytestmark = BROWSER


def test_a_household_asks_for_its_credit_back_and_the_treasurer_pays_it(page, factory):
    coop = factory.coop(name="Fishwick Food Co-op")
    household = factory.membership(coop=coop, user=factory.user(name="Hana Household"))
    treasurer = factory.member(coop, Role.TREASURER)
    record_payment(
        coop=coop,
        membership_id=household.id,
        amount_pence=2000,
        method=Method.BANK,
        note="",
        by=treasurer,
    )
    db.session.commit()

    log_in(page, household.user.email)
    page.goto(f"/coops/{coop.slug}/statement")
    page.get_by_role("link", name="Ask for your credit back").click()
    expect(page.get_by_role("heading", name="Ask for your credit back")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_label("Amount").fill("25")
    page.get_by_label("A message for the treasurer (optional)").fill("Moving to Leeds")
    page.get_by_role("button", name="Ask for it back").click()
    page.wait_for_load_state()
    expect(page.locator("#amount-error")).to_contain_text("You have £20.00 in credit")
    expect(page.get_by_label("A message for the treasurer (optional)")).to_have_value(
        "Moving to Leeds"
    )
    no_axe_violations(page)
    page.get_by_label("Amount").fill("15")
    page.get_by_role("button", name="Ask for it back").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your request is sent")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, treasurer.email)
    page.goto(f"/coops/{coop.slug}/admin/money")
    page.get_by_role("link", name="1 household asking for its credit back").click()
    expect(page.get_by_role("heading", name="Hana Household asks for £15.00")).to_be_visible()
    expect(page.get_by_text("Moving to Leeds")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Pay £15.00 back").click()
    page.wait_for_load_state()
    expect(page.get_by_text("£15.00 is paid back to Hana Household")).to_be_visible()
    no_axe_violations(page)

    db.session.expire_all()
    back = db.session.get_one(Membership, household.id)
    assert household_balance_pence(membership=back) == 500
