"""Sharing pages after the user review: privacy, confirming a narrower share, accessibility."""

from __future__ import annotations

import re

from support import count_rows, layout_problems, text

from coop.extensions import db
from coop.models import CatalogueSubscription, PriceChange, ShareScope
from sharing.support import share, shared_url, sharing_url, subscribe


def _product_url(coop, product) -> str:
    return f"/coops/{coop.slug}/admin/suppliers/{product.supplier_id}/products/{product.id}/"


def _priced_by_the_publishers_coordinator(four_coops) -> None:
    four_coops.publisher_coordinator.name = "Catherine Pryce"
    db.session.add(
        PriceChange(
            product_id=four_coops.rice.id,
            changed_by=four_coops.publisher_coordinator,
            old_case_price_pence=1_800,
            new_case_price_pence=2_000,
            old_vat_bp=0,
            new_vat_bp=0,
            reason="edit",
        )
    )
    db.session.commit()


def test_a_subscriber_sees_the_keeping_coop_not_the_person_in_price_history(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    _priced_by_the_publishers_coordinator(four_coops)
    auth.login_as(four_coops.neighbour_coordinator)

    page = text(client.get(_product_url(four_coops.neighbour, four_coops.rice)))

    assert "£18.00 → £20.00" in page
    assert "Catherine Pryce" not in page
    assert re.search(r'data-label="Who">\s*Fishwick Food Co-op\s*<', page)


def test_the_keeping_coop_still_sees_who_changed_the_price(four_coops, auth, client):
    _priced_by_the_publishers_coordinator(four_coops)
    auth.login_as(four_coops.publisher_coordinator)

    page = text(client.get(_product_url(four_coops.publisher, four_coops.rice)))

    assert "Catherine Pryce" in page


def test_stopping_sharing_with_subscribers_asks_first_and_names_them(
    four_coops, auth, client, mailbox
):
    share(four_coops.supplier, ShareScope.PLATFORM)
    subscribe(four_coops.neighbour, four_coops.supplier)
    subscribe(four_coops.outsider, four_coops.supplier)
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "private"}
    )

    page = text(response)
    assert response.status_code == 200
    assert "Stop sharing Northern Wholefoods?" in page
    assert "<li>Lancaster Larder</li>" in page and "<li>Ribbleton Pantry</li>" in page
    assert "Each keeps its own copy" in page and "emailed" in page
    assert not layout_problems(response.get_data(as_text=True))
    # Nothing has happened yet.
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PLATFORM
    assert count_rows(CatalogueSubscription) == 2
    assert not mailbox.messages

    confirmed = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier),
        data={"scope": "private", "confirm": "yes"},
    )

    assert confirmed.status_code == 302
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PRIVATE
    assert count_rows(CatalogueSubscription) == 0


def test_narrowing_to_the_council_names_only_the_coops_that_lose_the_catalogue(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.PLATFORM)
    subscribe(four_coops.neighbour, four_coops.supplier)
    subscribe(four_coops.outsider, four_coops.supplier)
    auth.login_as(four_coops.publisher_coordinator)

    page = text(
        client.post(
            sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "council"}
        )
    )

    assert "only with the co-ops of Preston City Council?" in page
    assert "<li>Lancaster Larder</li>" in page
    assert "Ribbleton Pantry" not in page
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PLATFORM
    assert count_rows(CatalogueSubscription) == 2


def test_a_change_that_loses_nobody_needs_no_confirmation(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.PLATFORM)
    subscribe(four_coops.neighbour, four_coops.supplier)
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "council"}
    )

    assert response.status_code == 302
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.COUNCIL
    assert count_rows(CatalogueSubscription) == 1


def test_the_sharing_page_has_one_csrf_id_a_feeds_caption_and_named_revoke_buttons(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.publisher_coordinator)
    client.post(
        sharing_url(four_coops.publisher, four_coops.supplier, "/feeds"), data={"label": "Leeds"}
    )

    response = client.get(sharing_url(four_coops.publisher, four_coops.supplier))

    html = response.get_data(as_text=True)
    assert 'id="csrf_token"' not in html
    assert not layout_problems(html)
    assert "<caption>Feeds of Northern Wholefoods</caption>" in html
    assert 'Revoke<span class="visually-hidden"> the feed for Leeds</span>' in html


def test_a_treasurer_is_not_told_to_make_a_feed_token(four_coops, auth, client):
    auth.login_as(four_coops.publisher_treasurer)

    page = text(client.get(sharing_url(four_coops.publisher, four_coops.supplier)))

    assert "a token you make for it here" not in page
    assert "you make for it" not in page
    assert "a coordinator of Fishwick Food Co-op makes for it" in page


def test_subscribe_buttons_name_the_catalogue_and_tables_have_captions(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.neighbour_coordinator)

    listing = client.get(shared_url(four_coops.neighbour)).get_data(as_text=True)
    assert 'Subscribe<span class="visually-hidden"> to Northern Wholefoods</span>' in listing
    assert "<caption>Catalogues shared with Ribbleton Pantry</caption>" in listing

    subscribe(four_coops.neighbour, four_coops.supplier)
    one = client.get(shared_url(four_coops.neighbour, four_coops.supplier)).get_data(as_text=True)
    assert 'Unsubscribe<span class="visually-hidden"> from Northern Wholefoods</span>' in one
    assert "<caption>Products of Northern Wholefoods</caption>" in one
    assert not layout_problems(one)
