"""Recording the fund's spending in a real browser on a phone: a receipt, a refusal, a warning."""

from __future__ import annotations

from money.fund_support import NOT_A_PDF, PNG, record
from money.treasury_support import treasurer
from playwright.sync_api import expect

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from coop.extensions import db
from coop.models import FundEntry
from coop.services.money.fund import local_today

pytestmark = BROWSER


def test_a_treasurer_records_hall_hire_with_a_receipt_on_a_phone(page, rounds):
    user = treasurer(rounds)
    record(rounds.coop, user, key="grants_received", amount_pence=10_000)

    log_in(page, user.email)
    page.goto(f"/coops/{rounds.coop.slug}/admin/money/fund/spend")
    expect(page.get_by_role("heading", name="Record spending from the fund")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_label("Category").select_option(label="Hall hire")
    page.get_by_label("Amount", exact=True).fill("45.001")
    page.get_by_label("Bank").check()
    page.get_by_label("Reference (optional)").fill("INV-12")
    page.get_by_label("Receipt (optional)").set_input_files(
        {"name": "hall.pdf", "mimeType": "application/pdf", "buffer": NOT_A_PDF}
    )
    page.get_by_role("button", name="Record it").click()
    page.wait_for_load_state()

    expect(page.locator("#amount-error")).to_contain_text("two digits after the decimal point")
    expect(page.locator("#receipt-error")).to_have_count(0)  # one problem at a time: the amount
    expect(page.get_by_label("Reference (optional)")).to_have_value("INV-12")
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_label("Amount", exact=True).fill("45")
    page.get_by_label("Receipt (optional)").set_input_files(
        {"name": "hall.pdf", "mimeType": "application/pdf", "buffer": NOT_A_PDF}
    )
    page.get_by_role("button", name="Record it").click()
    page.wait_for_load_state()
    expect(page.locator("#receipt-error")).to_contain_text("not a PDF, PNG, JPEG or WebP")

    page.get_by_label("Receipt (optional)").set_input_files(
        {"name": "hall.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="Record it").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Recorded: Hall hire: paid from the bank (INV-12)")).to_be_visible()
    expect(page.get_by_role("cell", name="Spending: Hall hire")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)
    db.session.expire_all()
    entry = db.session.scalars(db.select(FundEntry).order_by(FundEntry.id.desc())).first()
    assert entry is not None and entry.amount_pence == 4500
    assert entry.receipt is not None and entry.receipt.content_type == "image/png"
    assert entry.occurred_on == local_today()


def test_spending_more_than_cash_holds_asks_first_on_a_phone(page, rounds):
    user = treasurer(rounds)

    log_in(page, user.email)
    page.goto(f"/coops/{rounds.coop.slug}/admin/money/fund/spend")
    page.get_by_label("Category").select_option(label="Bags and packaging")
    page.get_by_label("Amount", exact=True).fill("8.50")
    page.get_by_label("Cash").check()
    page.get_by_role("button", name="Record it").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Check before it is saved")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)
    db.session.expire_all()
    assert db.session.scalars(db.select(FundEntry)).all() == []

    page.get_by_role("button", name="Record it anyway").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Recorded: Bags and packaging: paid from cash")).to_be_visible()
