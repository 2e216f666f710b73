"""Choosing what to hear and unsubscribing, in a real browser: keyboard, labels, axe-core."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from support import CHROMIUM, PASSWORD, PHONE

from coop.domain.notifications import NotificationKind
from coop.extensions import db
from coop.services import notices

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


def no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_household_turns_a_kind_off_with_the_keyboard_on_a_phone(page, rounds):
    household = rounds.households[0]
    log_in(page, household.user.email)
    page.goto("/account#notifications")

    no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
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
