"""The annual account in a real browser: on a phone, and printed, the report alone on A4."""

from __future__ import annotations

from money.books_year import year_of_books
from playwright.sync_api import expect

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations

pytestmark = BROWSER


def test_a_treasurer_reads_the_annual_account_on_a_phone_and_prints_it(page, rounds):
    books = year_of_books(rounds)

    log_in(page, books.treasurer.email)
    page.goto(f"/coops/{rounds.coop.slug}/admin/money/reports/annual")
    expect(page.get_by_role("heading", name="Receipts and payments account")).to_be_visible()
    expect(page.get_by_text("they agree to the penny")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2025-01-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(page.locator("#end-error")).to_contain_text("must end after")
    no_axe_violations(page)

    page.goto(f"/coops/{rounds.coop.slug}/admin/money/reports/monthly")
    expect(page.get_by_role("rowheader", name="Hall hire")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)

    page.goto(f"/coops/{rounds.coop.slug}/admin/money/reports/annual")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Money")).to_be_hidden()
    expect(page.get_by_text("Statement of assets and liabilities")).to_be_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
