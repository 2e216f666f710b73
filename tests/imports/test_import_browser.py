"""The upload page in a real browser: with its script, and without JavaScript at all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from browser.pages import fits_a_phone, no_axe_violations
from support import CHROMIUM, PASSWORD, PHONE

from coop.services.catalogue.imports import preview_import
from coop.web.admin.catalogue import imports as imports_view
from imports.support import OWN_HEADER, csv_lines

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

ROWS = 3000
FILE = csv_lines(OWN_HEADER, *(f"N{i:05d},Thing {i},each,1,1.00,0,Misc" for i in range(ROWS)))


@pytest.fixture
def signed_in(app, browser, live_server, shop):
    """Open a tab signed in as the shop's coordinator, with or without JavaScript."""

    @contextmanager
    def open_tab(*, javascript: bool) -> Iterator:
        context = browser.new_context(
            base_url=live_server, viewport=PHONE, java_script_enabled=javascript
        )
        context.set_default_timeout(15_000)
        tab = context.new_page()
        tab.goto("/login")
        tab.get_by_label("Email address").fill(shop.coordinator.email)
        tab.get_by_label("Password", exact=True).fill(PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(lambda url: "/login" not in url)
        try:
            yield tab
        finally:
            context.close()

    return open_tab


@pytest.fixture
def catalogue_file(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text(FILE, encoding="utf-8")
    return path


@pytest.mark.parametrize("javascript", [True, False], ids=["with-script", "without-javascript"])
def test_a_file_goes_up_and_the_preview_follows(signed_in, shop, catalogue_file, javascript):
    with signed_in(javascript=javascript) as tab:
        tab.goto(shop.url())

        tab.get_by_label("Catalogue file").set_input_files(catalogue_file)
        tab.get_by_role("button", name="Upload and check").click()

        tab.wait_for_url("**/import/*")
        assert tab.get_by_role("heading", level=1).inner_text() == (
            "Check the import for Greens Wholesale"
        )
        tab.get_by_role("button", name="Confirm the import").click()
        # A file this large is imported as a job, followed on its status page.
        tab.wait_for_url("**/jobs/*")
        tab.get_by_role("status").filter(has_text=f"{ROWS:,} of {ROWS:,} rows").wait_for()
        assert tab.get_by_role("heading", name="What the import wrote").is_visible()


def test_the_script_shows_the_upload_then_the_rows_being_checked(
    signed_in, shop, catalogue_file, monkeypatch
):
    # The live server runs in this process: hold its answer back until the
    # page has been seen while the server checks the file.
    answer = threading.Event()

    def slow_preview(**kwargs):
        answer.wait(timeout=20)
        return preview_import(**kwargs)

    monkeypatch.setattr(imports_view, "preview_import", slow_preview)
    with signed_in(javascript=True) as tab:
        tab.goto(shop.url())
        progress = tab.locator("progress")
        assert not progress.is_visible()

        tab.get_by_label("Catalogue file").set_input_files(catalogue_file)
        tab.get_by_role("button", name="Upload and check").click()

        tab.get_by_text(f"Checking {ROWS:,} rows…").wait_for()
        assert progress.is_visible()
        assert tab.get_by_role("button", name="Upload and check").is_disabled()
        answer.set()
        tab.wait_for_url("**/import/*")


def test_the_script_shows_the_servers_refusal_on_the_page(signed_in, shop, tmp_path):
    path = tmp_path / "prices.pdf"
    path.write_text(FILE, encoding="utf-8")
    with signed_in(javascript=True) as tab:
        tab.goto(shop.url())

        tab.get_by_label("Catalogue file").set_input_files(path)
        tab.get_by_role("button", name="Upload and check").click()

        tab.get_by_role("alert").get_by_text("Choose a CSV file or a spreadsheet").wait_for()
        assert tab.url.endswith(shop.url())
        assert tab.get_by_role("button", name="Upload and check").is_enabled()


def test_the_pages_fit_a_phone(signed_in, shop, tmp_path):
    shop.add(code="OLD-1", name="Discontinued beans")
    shop.add(code="N00001", name="Thing 1", case_price_pence=50)
    path = tmp_path / "prices.csv"
    path.write_text(FILE.replace("N00002,Thing 2,each", "N00002,,each"), encoding="utf-8")
    with signed_in(javascript=True) as tab:
        tab.goto(shop.url())
        widths = {"upload": tab.evaluate("document.documentElement.scrollWidth")}
        tab.get_by_label("Catalogue file").set_input_files(path)
        tab.get_by_role("button", name="Upload and check").click()
        tab.wait_for_url("**/import/*")
        widths["preview"] = tab.evaluate("document.documentElement.scrollWidth")

        assert widths == {"upload": PHONE["width"], "preview": PHONE["width"]}


def test_a_wholesalers_columns_are_mapped_on_a_phone(signed_in, shop, tmp_path):
    path = tmp_path / "greens.csv"
    path.write_text(
        csv_lines(
            "Item No,Description,Pack,Qty per case,Trade price,VAT %",
            "W-100,Porridge oats,1 kg bag,10,12.50,0",
        ),
        encoding="utf-8",
    )
    with signed_in(javascript=True) as tab:
        tab.goto(shop.url())
        tab.get_by_label("Catalogue file").set_input_files(path)
        tab.get_by_role("button", name="Upload and check").click()
        tab.get_by_role("heading", name="Which column holds what").wait_for()
        fits_a_phone(tab)
        no_axe_violations(tab)
        tab.get_by_label("Code (required)").select_option("Item No")
        tab.get_by_label("Name (required)").select_option("Description")
        tab.get_by_label("Case size", exact=True).select_option("Qty per case")
        tab.get_by_label("Price (required)").select_option("Trade price")
        tab.get_by_role("button", name="Use these columns").click()

        tab.get_by_role("button", name="Confirm the import").click()
        tab.get_by_text("1 added, 0 changed").wait_for()

    assert shop.product("W-100").case_price_pence == 1250
