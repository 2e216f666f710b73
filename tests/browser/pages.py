"""What the browser tests share: their marks, logging in, and checks every page should pass."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from support import CHROMIUM, PASSWORD, PHONE

BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
        "(.ci/run does)",
    ),
]


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the real page and wait for where it leads."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def no_axe_violations(page) -> None:
    """Run axe-core on the page as it is now; fail with its report if it finds anything."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def fits_a_phone(page) -> None:
    """The page scrolls up and down only, never sideways, on a phone's width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
