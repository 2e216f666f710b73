"""Writing an announcement and reading it, in a real browser on a phone: keyboard, axe-core."""

from __future__ import annotations

from playwright.sync_api import expect

from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from coop.extensions import db
from coop.models import Announcement

pytestmark = BROWSER


def test_a_coordinator_previews_then_sends_and_members_read_it(page, two_coops):
    log_in(page, two_coops.coordinator.email)
    page.goto("/coops/fishwick/admin/announcements")
    no_axe_violations(page)
    fits_a_phone(page)

    page.get_by_label("Subject").fill("Pickup moves to the library")
    page.get_by_label("Announcement", exact=True).fill(
        "From next week we meet at the library.\nBring bags <3"
    )
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Preview the announcement")).to_be_visible()
    expect(page.get_by_text("Fishwick Food Co-op: Pickup moves to the library")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)
    db.session.expire_all()
    assert db.session.scalars(db.select(Announcement)).all() == []

    send = page.get_by_role("button", name="Send to 3 households")
    send.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.get_by_text("Sent to the queue: 3 households will get it.")).to_be_visible()
    no_axe_violations(page)
    db.session.expire_all()
    sent = db.session.scalars(db.select(Announcement)).one()
    assert sent.body == "From next week we meet at the library.\nBring bags <3"

    page.context.clear_cookies()
    log_in(page, two_coops.member.email)
    page.goto("/coops/fishwick/")
    expect(page.get_by_role("heading", name="Pickup moves to the library")).to_be_visible()
    expect(page.get_by_text("Bring bags <3")).to_be_visible()
    no_axe_violations(page)
    fits_a_phone(page)
