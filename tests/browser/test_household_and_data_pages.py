"""Household facts, volunteer hours and a person's own data, in a real browser on a phone."""

from __future__ import annotations

from playwright.sync_api import expect
from support import PASSWORD

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from coop.domain.household import Fact
from coop.extensions import db
from coop.models import User

pytestmark = BROWSER


def test_a_household_gives_a_fact_with_its_consent_on_a_phone(page, rounds):
    household = rounds.households[0]
    log_in(page, household.user.email)
    page.goto(f"/coops/{rounds.coop.slug}/household")

    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_label("Children under 5 (optional)").fill("1")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator("#children_under_5_consent-error")).to_have_text(
        "Tick the box to let the co-op keep this, or leave it empty."
    )
    page.get_by_role("checkbox", name="children under 5 live in my household").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Your household details are saved.")).to_be_visible()
    db.session.expire_all()
    assert household.fact(Fact.CHILDREN_UNDER_5).number == 1


def test_volunteer_hours_are_logged_on_a_phone(page, rounds):
    household = rounds.households[0]
    log_in(page, household.user.email)
    page.goto(f"/coops/{rounds.coop.slug}/volunteering")

    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_label("Task").select_option("Driving")
    page.get_by_label("Time spent").fill("1:30")
    page.get_by_role("button", name="Log time").click()
    page.wait_for_load_state()

    expect(page.get_by_text("1 h 30 min of Driving logged.")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)


def test_a_member_reads_their_data_then_erases_it(page, rounds):
    household = rounds.households[0]
    log_in(page, household.user.email)
    page.goto("/account/data")

    no_axe_violations(page)
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    page.get_by_role("link", name="ask for it to be erased").click()
    page.wait_for_load_state()
    no_axe_violations(page)
    fits_a_phone(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Erase my data").click()
    page.wait_for_load_state()

    expect(
        page.get_by_text("Your personal data has been erased and you are signed out.")
    ).to_be_visible()
    db.session.expire_all()
    assert db.session.get(User, household.user_id).erased_at is not None
