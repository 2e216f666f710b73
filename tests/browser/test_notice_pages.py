"""Choosing what to hear and unsubscribing, in a real browser: keyboard, labels, axe-core."""

from __future__ import annotations

from playwright.sync_api import expect

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from coop.domain.notifications import NotificationKind
from coop.extensions import db
from coop.services import notices

pytestmark = BROWSER


def test_a_household_turns_a_kind_off_with_the_keyboard_on_a_phone(page, rounds):
    household = rounds.households[0]
    log_in(page, household.user.email)
    page.goto("/account#notifications")

    no_axe_violations(page)
    fits_a_phone(page)
    announcements = page.get_by_role("checkbox", name="Announcements")
    expect(announcements).to_be_checked()
    announcements.focus()
    page.keyboard.press("Space")
    expect(announcements).not_to_be_checked()
    page.keyboard.press("Tab")
    # Focus moves on to this co-op's own save button.
    assert page.evaluate("document.activeElement.value") == "Save what I hear"
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.get_by_text(f"Saved what you hear from {rounds.coop.name}.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Announcements")).not_to_be_checked()
    db.session.expire_all()
    assert notices.choices(membership=household) == frozenset(NotificationKind) - {
        NotificationKind.ANNOUNCEMENT
    }


def test_the_unsubscribe_page_works_logged_out_and_says_what_it_stopped(page, rounds):
    household = rounds.households[1]
    token = notices.unsubscribe_token(
        membership_id=household.id, kind=NotificationKind.READY_FOR_PICKUP
    )
    page.goto(f"/unsubscribe/{token}")
    expect(page.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    no_axe_violations(page)

    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    no_axe_violations(page)
    db.session.expire_all()
    assert NotificationKind.READY_FOR_PICKUP not in notices.choices(membership=household)
    assert NotificationKind.ROUND_OPENED in notices.choices(membership=household)
