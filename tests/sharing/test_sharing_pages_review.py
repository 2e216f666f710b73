"""Sharing pages after the user review: privacy, confirming a narrower share, accessibility."""

from __future__ import annotations

import re

from support import count_rows, layout_problems, text

from coop.extensions import db
from coop.models import CatalogueSubscription, PriceChange, ShareScope
from sharing.support import share, shared_url, sharing_url, subscribe


def _product_url(coop, product) -> str:
    return f"/coops/{coop.slug}/admin/suppliers/{product.supplier_id}/products/{product.id}/"


def _priced_by_the_publishers_coordinator(world) -> None:
    world.publisher_coordinator.name = "Catherine Pryce"
    db.session.add(
        PriceChange(
            product_id=world.rice.id,
            changed_by=world.publisher_coordinator,
            old_case_price_pence=1_800,
            new_case_price_pence=2_000,
            old_vat_bp=0,
            new_vat_bp=0,
            reason="edit",
        )
    )
    db.session.commit()


def test_a_subscriber_sees_the_keeping_coop_not_the_person_in_price_history(world, auth, client):
    share(world.supplier, ShareScope.COUNCIL)
    subscribe(world.neighbour, world.supplier)
    _priced_by_the_publishers_coordinator(world)
    auth.login_as(world.neighbour_coordinator)

    page = text(client.get(_product_url(world.neighbour, world.rice)))

    assert "£18.00 → £20.00" in page
    assert "Catherine Pryce" not in page
    assert re.search(r'data-label="Who">\s*Fishwick Food Co-op\s*<', page)


def test_the_keeping_coop_still_sees_who_changed_the_price(world, auth, client):
    _priced_by_the_publishers_coordinator(world)
    auth.login_as(world.publisher_coordinator)

    page = text(client.get(_product_url(world.publisher, world.rice)))

    assert "Catherine Pryce" in page


def test_stopping_sharing_with_subscribers_asks_first_and_names_them(world, auth, client, mailbox):
    share(world.supplier, ShareScope.PLATFORM)
    subscribe(world.neighbour, world.supplier)
    subscribe(world.outsider, world.supplier)
    auth.login_as(world.publisher_coordinator)

    response = client.post(sharing_url(world.publisher, world.supplier), data={"scope": "private"})

    page = text(response)
    assert response.status_code == 200
    assert "Stop sharing Northern Wholefoods?" in page
    assert "<li>Lancaster Larder</li>" in page and "<li>Ribbleton Pantry</li>" in page
    assert "Each keeps its own copy" in page and "emailed" in page
    assert not layout_problems(response.get_data(as_text=True))
    # Nothing has happened yet.
    assert world.reload(world.supplier).share_scope is ShareScope.PLATFORM
    assert count_rows(CatalogueSubscription) == 2
    assert not mailbox.messages

    confirmed = client.post(
        sharing_url(world.publisher, world.supplier), data={"scope": "private", "confirm": "yes"}
    )

    assert confirmed.status_code == 302
    assert world.reload(world.supplier).share_scope is ShareScope.PRIVATE
    assert count_rows(CatalogueSubscription) == 0


def test_narrowing_to_the_council_names_only_the_coops_that_lose_the_catalogue(world, auth, client):
    share(world.supplier, ShareScope.PLATFORM)
    subscribe(world.neighbour, world.supplier)
    subscribe(world.outsider, world.supplier)
    auth.login_as(world.publisher_coordinator)

    page = text(
        client.post(sharing_url(world.publisher, world.supplier), data={"scope": "council"})
    )

    assert "only with the co-ops of Preston City Council?" in page
    assert "<li>Lancaster Larder</li>" in page
    assert "Ribbleton Pantry" not in page
    assert world.reload(world.supplier).share_scope is ShareScope.PLATFORM
    assert count_rows(CatalogueSubscription) == 2


def test_a_change_that_loses_nobody_needs_no_confirmation(world, auth, client):
    share(world.supplier, ShareScope.PLATFORM)
    subscribe(world.neighbour, world.supplier)
    auth.login_as(world.publisher_coordinator)

    response = client.post(sharing_url(world.publisher, world.supplier), data={"scope": "council"})

    assert response.status_code == 302
    assert world.reload(world.supplier).share_scope is ShareScope.COUNCIL
    assert count_rows(CatalogueSubscription) == 1


def test_the_sharing_page_has_one_csrf_id_a_feeds_caption_and_named_revoke_buttons(
    world, auth, client
):
    share(world.supplier, ShareScope.COUNCIL)
    auth.login_as(world.publisher_coordinator)
    client.post(sharing_url(world.publisher, world.supplier, "/feeds"), data={"label": "Leeds"})

    response = client.get(sharing_url(world.publisher, world.supplier))

    html = response.get_data(as_text=True)
    assert 'id="csrf_token"' not in html
    assert not layout_problems(html)
    assert "<caption>Feeds of Northern Wholefoods</caption>" in html
    assert 'Revoke<span class="visually-hidden"> the feed for Leeds</span>' in html


def test_a_treasurer_is_not_told_to_make_a_feed_token(world, auth, client):
    auth.login_as(world.publisher_treasurer)

    page = text(client.get(sharing_url(world.publisher, world.supplier)))

    assert "a token you make for it here" not in page
    assert "you make for it" not in page
    assert "a coordinator of Fishwick Food Co-op makes for it" in page


def test_subscribe_buttons_name_the_catalogue_and_tables_have_captions(world, auth, client):
    share(world.supplier, ShareScope.COUNCIL)
    auth.login_as(world.neighbour_coordinator)

    listing = client.get(shared_url(world.neighbour)).get_data(as_text=True)
    assert 'Subscribe<span class="visually-hidden"> to Northern Wholefoods</span>' in listing
    assert "<caption>Catalogues shared with Ribbleton Pantry</caption>" in listing

    subscribe(world.neighbour, world.supplier)
    one = client.get(shared_url(world.neighbour, world.supplier)).get_data(as_text=True)
    assert 'Unsubscribe<span class="visually-hidden"> from Northern Wholefoods</span>' in one
    assert "<caption>Products of Northern Wholefoods</caption>" in one
    assert not layout_problems(one)
