"""Support records in a real browser on a phone: a coordinator proposes, an officer confirms."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from coop.extensions import db
from coop.models import CoopCouncilLink

pytestmark = BROWSER


def test_a_proposed_room_is_confirmed_and_shows_as_due_on_a_phone(page, rounds):
    council = rounds.factory.council(name="Preston City Council")
    db.session.add(CoopCouncilLink(coop=rounds.coop, council=council, starts_on=date(2024, 1, 1)))
    db.session.commit()
    officer = rounds.factory.officer(council, rounds.factory.user(name="Olu Officer"))
    officer_email, council_id = officer.email, council.id

    log_in(page, rounds.coordinator.email)
    page.goto(f"/coops/{rounds.coop.slug}/admin/support/propose")
    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_label("Programme").fill("Community centre room")
    page.get_by_label("Premises").check()
    page.get_by_label("Value", exact=True).fill("360.00")
    page.get_by_label("Awarded on").fill(date.today().isoformat())
    page.get_by_role("button", name="Propose the support").click()
    page.wait_for_load_state()
    expect(page.locator("#value_basis-error")).to_contain_text("Say how the value was estimated")
    page.get_by_label("How the value was estimated").fill("£15 an hour x 24 hours")
    page.get_by_label("Monitoring returns").select_option("3")
    page.get_by_label("Next monitoring return due").fill(
        (date.today() + timedelta(days=10)).isoformat()
    )
    page.get_by_role("button", name="Propose the support").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The support is proposed")).to_be_visible()
    no_axe_violations(page)
    page.get_by_role("button", name="Log out").click()

    log_in(page, officer_email)
    page.goto(f"/councils/{council_id}/")
    page.get_by_role("link", name="Community centre room").click()
    page.wait_for_load_state()
    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_label("Note").fill("Agreed with the centre manager.")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The support is confirmed and in force.")).to_be_visible()

    page.goto(f"/councils/{council_id}/")
    no_axe_violations(page)
    fits_a_phone(page)
    expect(page.get_by_role("cell", name="Monitoring return due")).to_be_visible()
