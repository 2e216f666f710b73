"""Catalogue pages after the user review: price history wording, link text, navigation."""

from __future__ import annotations

import re

from support import layout_problems, text

from coop.extensions import db
from coop.models import PriceChange


def _product_url(two_coops, product) -> str:
    return (
        f"/coops/{two_coops.coop.slug}/admin/suppliers/{product.supplier_id}/products/{product.id}/"
    )


def _change(product, user, **values) -> None:
    values = {
        "old_case_price_pence": 2_199,
        "new_case_price_pence": 2_199,
        "old_vat_bp": 0,
        "new_vat_bp": 0,
        "reason": "edit",
        **values,
    }
    db.session.add(PriceChange(product_id=product.id, changed_by=user, **values))
    db.session.commit()


def test_a_vat_only_change_shows_the_vat_and_not_an_unchanged_price(
    two_coops, catalogue, coordinator
):
    supplier = catalogue.supplier(two_coops.coop, name="Greens")
    soap = catalogue.product(supplier, name="Soap", case_price_pence=2_199, vat_bp=2000)
    _change(soap, two_coops.coordinator, old_vat_bp=0, new_vat_bp=2000)

    response = coordinator.get(_product_url(two_coops, soap))

    page = text(response)
    assert "VAT 0% → 20%" in page
    assert "£21.99 → £21.99" not in page
    assert not layout_problems(response.get_data(as_text=True))


def test_a_price_and_vat_change_shows_both_and_a_price_change_only_the_price(
    two_coops, catalogue, coordinator
):
    supplier = catalogue.supplier(two_coops.coop, name="Greens")
    soap = catalogue.product(supplier, name="Soap", case_price_pence=2_399, vat_bp=2000)
    _change(soap, two_coops.coordinator, new_case_price_pence=2_299, old_vat_bp=0, new_vat_bp=2000)
    _change(soap, two_coops.coordinator, old_case_price_pence=2_299, new_case_price_pence=2_399)

    page = text(coordinator.get(_product_url(two_coops, soap)))

    assert "£21.99 → £22.99; VAT 0% → 20%" in page
    cells = re.findall(r'data-label="Change">(.*?)</td>', page, re.S)
    assert [cell.strip() for cell in cells] == ["£22.99 → £23.99", "£21.99 → £22.99; VAT 0% → 20%"]


def test_the_price_history_table_has_a_caption(two_coops, catalogue, coordinator):
    supplier = catalogue.supplier(two_coops.coop, name="Greens")
    soap = catalogue.product(supplier, name="Soap")
    _change(soap, two_coops.coordinator, new_case_price_pence=2_299)

    html = coordinator.get(_product_url(two_coops, soap)).get_data(as_text=True)

    assert "<caption>Changes to the case price and VAT rate of Soap, newest first</caption>" in html


def test_product_links_name_the_unit_so_pack_sizes_differ(two_coops, catalogue, coordinator):
    supplier = catalogue.supplier(two_coops.coop, name="Greens")
    catalogue.product(supplier, name="Barilla fusilli", unit_label="500 g bag")
    catalogue.product(supplier, name="Barilla fusilli", unit_label="3 kg bag")
    catalogue.product(supplier, name="Porridge oats", unit_label="1 kg bag")

    html = coordinator.get(f"/coops/{two_coops.coop.slug}/admin/catalogue").get_data(as_text=True)

    assert 'Barilla fusilli<span class="visually-hidden">, 500 g bag</span></a>' in html
    assert 'Barilla fusilli<span class="visually-hidden">, 3 kg bag</span></a>' in html
    assert ">Porridge oats</a>" in html


def test_the_catalogue_navigation_marks_the_current_page(two_coops, coordinator):
    html = coordinator.get(f"/coops/{two_coops.coop.slug}/admin/suppliers").get_data(as_text=True)

    nav = re.search(r'<nav aria-label="Catalogue".*?</nav>', html, re.S).group(0)
    assert re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', nav) == ["Suppliers"]
