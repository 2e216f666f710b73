"""Ordering on a phone in a real browser: with the page's script, and without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect
from support import CHROMIUM, PASSWORD, PHONE

from rounds.ordering_support import order_url, place, queue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def signed_in(app, browser, live_server, rounds):
    """Open a phone-sized tab signed in as the first household, with or without JavaScript."""

    @contextmanager
    def open_tab(*, javascript: bool) -> Iterator:
        context = browser.new_context(
            base_url=live_server, viewport=PHONE, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        tab = context.new_page()
        tab.goto("/login")
        tab.get_by_label("Email address").fill(rounds.households[0].user.email)
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(lambda url: "/login" not in url)
        try:
            yield tab
        finally:
            context.close()

    return open_tab


@pytest.fixture
def half_full(rounds):
    """A round of porridge oats, six to a case, in which another household has asked for 4."""
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    round_ = rounds.round(oats, title="December order")
    place(rounds, round_, oats, rounds.households[1], 4)
    return round_, oats


@pytest.mark.parametrize("javascript", [True, False], ids=["with-script", "without-javascript"])
def test_a_member_orders_on_a_phone_and_sees_the_case_fill(
    signed_in, rounds, half_full, javascript
):
    round_, oats = half_full
    item = rounds.item(round_, oats)
    with signed_in(javascript=javascript) as tab:
        tab.goto(order_url(round_))
        card = tab.locator(f"#item-{item.id}")
        assert card.locator("[data-indicator]").inner_text() == (
            "4 of 6 in this case; 2 more needed"
        )
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        if javascript:
            tab.evaluate("window.notReloaded = true")

        tab.get_by_label("How many of Porridge oats").fill("2")
        tab.get_by_role("button", name="Save Porridge oats").click()

        card.get_by_text("Case full").wait_for()
        assert tab.locator("#order-total").inner_text() == "£4.00"
        assert tab.locator("#available-funds").inner_text() == "-£4.00"
        if javascript:
            assert tab.evaluate("window.notReloaded") is True
            card.get_by_text("Saved: 2 of Porridge oats").wait_for()
        else:
            assert tab.url.endswith(f"#item-{item.id}")
            # The page opens at the item, which says what was saved, in view.
            expect(card.get_by_text("Saved: 2 of Porridge oats")).to_be_in_viewport()
    assert queue(rounds, round_, oats) == [
        (rounds.households[1].id, 4, 0),
        (rounds.households[0].id, 2, 0),
    ]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-script", "without-javascript"])
def test_a_bad_number_is_shown_next_to_the_field(signed_in, rounds, half_full, javascript):
    round_, oats = half_full
    item = rounds.item(round_, oats)
    with signed_in(javascript=javascript) as tab:
        tab.goto(order_url(round_))

        tab.get_by_label("How many of Porridge oats").fill("lots")
        tab.get_by_role("button", name="Save Porridge oats").click()

        error = tab.locator(f"#quantity-{item.id}-error")
        error.wait_for()
        assert error.inner_text() == "Enter a whole number from 0 to 10000."
        assert tab.get_by_label("How many of Porridge oats").input_value() == "lots"
        assert tab.get_by_label("How many of Porridge oats").get_attribute("aria-invalid") == "true"

        # Put right, the error goes away.
        tab.get_by_label("How many of Porridge oats").fill("1")
        tab.get_by_role("button", name="Save Porridge oats").click()
        tab.locator(f"#item-{item.id}").get_by_text("5 of 6 in this case").wait_for()
        assert tab.locator(f"#quantity-{item.id}-error").count() == 0


def test_the_indicators_refresh_while_the_page_is_visible(signed_in, rounds, half_full):
    round_, oats = half_full
    item = rounds.item(round_, oats)
    with signed_in(javascript=True) as tab:
        tab.goto(order_url(round_))
        assert tab.evaluate("document.visibilityState") == "visible"

        place(rounds, round_, oats, rounds.households[2], 2)
        # The page polls every 30 s and when it becomes visible again; do the latter now.
        tab.evaluate("document.dispatchEvent(new Event('visibilitychange'))")

        tab.locator(f"#item-{item.id}").get_by_text("Case full").wait_for()


def _slow_saves(tab, round_, *, delay_ms: int = 250) -> list[str]:
    """Hold every save of an order line for *delay_ms*, as a slow phone connection does.

    Returns the bodies posted, in order, so a test can see what each save carried.
    """
    posted: list[str] = []

    def hold(route) -> None:
        posted.append(route.request.post_data or "")
        tab.wait_for_timeout(delay_ms)
        route.continue_()

    tab.route(f"**{order_url(round_, 'items')}/*", hold)
    return posted


@pytest.mark.parametrize("delay_ms", [150, 300])
def test_an_extra_typed_quickly_on_a_slow_connection_is_saved(
    signed_in, rounds, half_full, delay_ms
):
    round_, oats = half_full
    item = rounds.item(round_, oats)
    with signed_in(javascript=True) as tab:
        tab.goto(order_url(round_))
        posted = _slow_saves(tab, round_, delay_ms=delay_ms)
        card = tab.locator(f"#item-{item.id}")

        tab.get_by_label("How many of Porridge oats").click()
        tab.keyboard.type("4")
        tab.keyboard.press("Tab")
        tab.keyboard.type("2")
        tab.keyboard.press("Tab")
        tab.keyboard.press("Enter")

        status = card.locator("[data-status]")
        expect(status).to_have_text(
            "Saved: 4 of Porridge oats (500 g bag), and up to 2 more to help fill a case."
        )
        assert tab.get_by_label("How many of Porridge oats").input_value() == "4"
        assert tab.get_by_label("Extra to help fill a case of Porridge oats").input_value() == "2"
        assert posted and all(
            'name="quantity"' in body and 'name="tolerance"' in body for body in posted
        )

        tab.reload()
        assert tab.get_by_label("How many of Porridge oats").input_value() == "4"
        assert tab.get_by_label("Extra to help fill a case of Porridge oats").input_value() == "2"
    assert queue(rounds, round_, oats) == [
        (rounds.households[1].id, 4, 0),
        (rounds.households[0].id, 4, 2),
    ]


def test_a_quantity_changed_while_its_save_is_in_flight_is_the_one_stored(
    signed_in, rounds, half_full
):
    round_, oats = half_full
    item = rounds.item(round_, oats)
    with signed_in(javascript=True) as tab:
        tab.goto(order_url(round_))
        _slow_saves(tab, round_, delay_ms=300)
        card = tab.locator(f"#item-{item.id}")
        quantity = tab.get_by_label("How many of Porridge oats")

        quantity.click()
        tab.keyboard.type("4")
        tab.keyboard.press("Tab")  # the save of 4 is now on its way
        tab.keyboard.press("Shift+Tab")
        tab.keyboard.press("ControlOrMeta+A")
        tab.keyboard.type("5")
        tab.keyboard.press("Tab")

        expect(card.locator("[data-status]")).to_have_text("Saved: 5 of Porridge oats (500 g bag).")
        assert quantity.input_value() == "5"
        tab.reload()
        assert quantity.input_value() == "5"
    # An increase queues behind others as a second request: 4, then 1 more.
    ours = [row for row in queue(rounds, round_, oats) if row[0] == rounds.households[0].id]
    assert sum(quantity for _, quantity, _ in ours) == 5
    assert sum(tolerance for _, _, tolerance in ours) == 0
