"""The co-op's markup: who sets it, what is refused, and where it shows."""

from __future__ import annotations

import pytest
from support import field_error, text

from coop.extensions import db

MARKUP = "/coops/fishwick/admin/catalogue/markup"


def markup_bp(coop) -> int:
    db.session.expire_all()
    return coop.markup_bp


def test_the_page_explains_the_markup_covers_shared_products(coordinator):
    page = text(coordinator.get(MARKUP))

    assert "catalogues shared with you" in page
    assert 'value="0"' in page


@pytest.mark.parametrize(
    ("typed", "expected"), [("2.5", 250), ("2.55%", 255), ("100", 10000), ("0", 0)]
)
def test_a_coordinator_sets_the_markup(coordinator, two_coops, typed, expected):
    response = coordinator.post(MARKUP, data={"markup": typed}, follow_redirects=True)

    assert markup_bp(two_coops.coop) == expected
    assert "The markup is now" in text(response)


def test_the_form_shows_the_markup_as_a_percentage(coordinator, two_coops):
    two_coops.coop.markup_bp = 250
    db.session.commit()

    assert 'value="2.5"' in text(coordinator.get(MARKUP))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("100.01", "Enter a markup from 0% to 100%."),
        ("-1", "Enter a markup from 0% to 100%."),
        ("-0.5", "Enter a markup from 0% to 100%."),
        ("-", "Enter a percentage with at most two decimals, such as 2.5."),
        ("2.555", "Enter a percentage with at most two decimals, such as 2.5."),
        ("lots", "Enter a percentage with at most two decimals, such as 2.5."),
        ("", "Enter a markup, such as 2.5, or 0 for none."),
    ],
)
def test_a_bad_markup_is_refused_at_the_field(coordinator, two_coops, typed, message):
    two_coops.coop.markup_bp = 300
    db.session.commit()

    response = coordinator.post(MARKUP, data={"markup": typed})

    assert response.status_code == 200
    assert field_error(text(response), "markup") == message
    assert markup_bp(two_coops.coop) == 300


def test_a_treasurer_cannot_set_the_markup(client, auth, two_coops):
    auth.login_as(two_coops.treasurer)

    assert client.get(MARKUP).status_code == 403
    assert client.post(MARKUP, data={"markup": "50"}).status_code == 403
    assert markup_bp(two_coops.coop) == 0


def test_another_coops_coordinator_cannot_set_ours(client, auth, two_coops):
    auth.login_as(two_coops.other_coordinator)

    assert client.post(MARKUP, data={"markup": "50"}).status_code == 403
    assert markup_bp(two_coops.coop) == 0


def test_the_new_markup_shows_in_member_prices(coordinator, two_coops, catalogue):
    supplier = catalogue.supplier(two_coops.coop)
    catalogue.product(supplier, case_price_pence=1000, case_size=4, vat_bp=0)

    coordinator.post(MARKUP, data={"markup": "10"})
    page = text(coordinator.get("/coops/fishwick/admin/catalogue"))

    assert '<td data-label="Member price per unit">£2.75</td>' in page
