"""The pickup sheet in a real browser with card payments on: a QR code, cash, and paper."""

from __future__ import annotations

import pytest
from browser.pages import BROWSER, fits_a_phone, log_in, no_axe_violations
from money.treasury_support import settled_round

from coop.extensions import db
from coop.services.money.ledger import household_balance_pence

from .test_card_payment_browser import stripe_page  # noqa: F401  (the tab on the card app)

pytestmark = [*BROWSER, pytest.mark.committing]

PRINTED = """
() => ({
  forms: Array.from(document.querySelectorAll("form.pickup-cash"))
    .map((form) => getComputedStyle(form).display),
  owes: getComputedStyle(document.querySelector("td.owing")).display,
  qr: document.querySelector(".qr svg").getBoundingClientRect().width,
  wide: document.documentElement.scrollWidth,
})
"""


def test_the_sheet_shows_a_qr_code_takes_cash_and_prints(rounds, stripe_page):  # noqa: F811
    page = stripe_page
    round_ = settled_round(rounds, 4, 2)
    zara = rounds.households[0]
    zara.user.name = "Zara Quinn"
    db.session.commit()
    owed = -household_balance_pence(membership=zara)
    log_in(page, rounds.coordinator.email)

    page.goto(f"/coops/fishwick/admin/rounds/{round_.id}/pickup")
    no_axe_violations(page)
    fits_a_phone(page)
    code = page.get_by_role("img", name=f"QR code: pay £{owed / 100:.2f} by card at")
    assert code.first.bounding_box()["width"] >= 120

    page.get_by_label("Cash paid by Zara Quinn").fill("5")
    page.get_by_role("button", name="Record cash from Zara Quinn").click()
    page.get_by_text("Recorded: Cash from Zara Quinn").wait_for()
    page.wait_for_load_state("load")  # the sheet's own stylesheet, before it is measured
    db.session.expire_all()
    assert -household_balance_pence(membership=zara) == owed - 500

    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    printed = page.evaluate(PRINTED)
    assert set(printed["forms"]) == {"none"}
    assert printed["owes"] != "none"
    assert 90 <= printed["qr"] <= 110  # 2.6 cm
    assert printed["wide"] <= 794
