"""A council's report in a real browser on a phone: the form, the charts, the tables."""

from __future__ import annotations

from council_reports.world import build_world
from playwright.sync_api import expect

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations

pytestmark = BROWSER


def test_an_officer_reads_a_quarters_report_and_corrects_a_bad_date_on_a_phone(page, factory):
    world = build_world(factory)
    officer = factory.officer(world.council, factory.user(name="Olu Officer"))
    email, council_id = officer.email, world.council.id

    log_in(page, email)
    page.goto(f"/councils/{council_id}/reports?kind=quarter&year=2026&quarter=1")
    expect(page.get_by_role("img", name="Active households by month")).to_be_visible()
    expect(page.get_by_role("heading", name="Active households, new and repeat")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_label("From one date to another").check()
    page.get_by_label("From (for two dates)").fill("2026-03-01")
    page.get_by_label("To (for two dates, included)").fill("2026-02-01")
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_load_state()
    expect(page.locator("#to-error")).to_contain_text("before it starts")
    no_axe_violations(page)
    fits_a_phone(page)
