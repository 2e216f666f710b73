"""A support record's monitoring return in a real browser on a phone: figures, narrative, PDF."""

from __future__ import annotations

from datetime import date

from council_reports.world import award, build_world
from playwright.sync_api import expect

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from coop.extensions import db
from coop.models import SupportKind

pytestmark = BROWSER


def test_an_officer_fills_a_monitoring_return_on_a_phone(page, factory):
    world = build_world(factory)
    officer = factory.officer(world.council, factory.user(name="Olu Officer"))
    record = award(world.council, world.big.coop, SupportKind.GRANT, 500_000, date(2025, 12, 1))
    record.monitoring_months, record.monitoring_next_due = 3, date(2026, 4, 1)
    db.session.commit()
    email, council_id, record_id = officer.email, world.council.id, record.id

    log_in(page, email)
    page.goto(f"/councils/{council_id}/support/{record_id}")
    page.get_by_role("link", name="Monitoring return").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Reach")).to_be_visible()
    expect(page.get_by_label("Period from")).to_have_value("2026-01-01")
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_label("What was delivered").fill("Fortnightly rounds from the hall")
    page.get_by_role("button", name="Save the return").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("The monitoring return is saved")
    expect(page.get_by_label("What was delivered")).to_have_value(
        "Fortnightly rounds from the hall"
    )
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_role("button", name="Download PDF").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_role("link", name="Back").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="download the PDF made then")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_label("Period from").fill("2026-02-30")
    page.get_by_role("button", name="Show this period").click()
    page.wait_for_load_state()
    expect(page.locator("#from-error")).to_contain_text("is not a date")
    no_axe_violations(page)
    fits_a_phone(page)
