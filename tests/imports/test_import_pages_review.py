"""Import pages after the user review: the finished page, counts, and the navigation."""

from __future__ import annotations

import re

from support import layout_problems, text

from coop.domain.money import plain_pounds
from imports.support import OWN_HEADER, csv_lines, upload


def _preview_url(response) -> str:
    assert response.status_code == 302, text(response)
    return response.headers["Location"]


def test_a_finished_import_is_headed_as_finished_with_counts_separated(client, auth, shop):
    shop.add_many(1_200)
    auth.login_as(shop.coordinator)
    rows = [f"C{i:05d},Product {i},each,1,{plain_pounds(200 + i)},0," for i in range(1_200)]
    rows += [f"N{i:05d},New {i},each,1,1.00,0," for i in range(1_500)]
    preview = _preview_url(upload(client, shop, csv_lines(OWN_HEADER, *rows)))

    before = text(client.get(preview))
    assert "<h1>Check the import for Greens Wholesale</h1>" in before
    assert "<dt>New products</dt><dd>1,500</dd>" in before
    assert "1,200 (1,200 with a new price or VAT rate)" in before

    after = client.post(preview + "/confirm", follow_redirects=True)

    page = text(after)
    assert "<h1>Import finished for Greens Wholesale</h1>" in page
    assert "Check the import" not in page
    assert "1,500 added, 1,200 changed (1,200 with a new price or VAT rate)" in page
    assert not layout_problems(after.get_data(as_text=True))


def test_the_import_pages_use_the_catalogue_navigation(client, auth, shop):
    auth.login_as(shop.coordinator)

    html = client.get(shop.url()).get_data(as_text=True)

    assert '<nav aria-label="Catalogue"' in html
    assert re.search(r'<nav aria-label="Catalogue".*?Shared catalogues', html, re.S)
