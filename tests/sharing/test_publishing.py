"""Publishing a supplier's catalogue: the sharing page and who may change it."""

from __future__ import annotations

import pytest
from support import count_rows, field_error, layout_problems, text

from coop.extensions import db
from coop.models import CatalogueSubscription, ShareScope, Supplier
from sharing.support import add_supplier, share, sharing_url, subscribe


def test_the_sharing_page_shows_the_scope_the_subscribers_and_the_controls(
    four_coops, auth, client
):
    four_coops.supplier.share_scope = ShareScope.COUNCIL
    subscribe(four_coops.neighbour, four_coops.supplier)
    auth.login_as(four_coops.publisher_coordinator)

    page = text(client.get(sharing_url(four_coops.publisher, four_coops.supplier)))

    assert "<h1>Sharing the catalogue of Northern Wholefoods</h1>" in page
    assert "Shared with the co-ops of our council" in page
    assert "Preston City Council" in page
    assert "<li>Ribbleton Pantry</li>" in page
    assert "Save sharing" in page and "Make a feed" in page


def test_a_coordinator_shares_a_catalogue_with_the_coops_of_the_council(four_coops, auth, client):
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "council"}
    )

    assert response.status_code == 302
    assert response.location.endswith(sharing_url(four_coops.publisher, four_coops.supplier))
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.COUNCIL
    page = text(client.get(response.location))
    assert "shared with the co-ops of Preston City Council" in page


def test_a_coordinator_shares_a_catalogue_with_the_whole_platform(four_coops, auth, client):
    auth.login_as(four_coops.publisher_coordinator)

    client.post(sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "platform"})

    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PLATFORM


def test_a_coop_without_a_council_cannot_share_with_its_council(four_coops, auth, client):
    supplier = add_supplier(four_coops.loner, "Loner's Wholesaler")
    auth.login_as(four_coops.loner_coordinator)

    response = client.post(sharing_url(four_coops.loner, supplier), data={"scope": "council"})

    assert response.status_code == 200
    message = field_error(text(response), "scope")
    assert message is not None and "does not belong to a council" in message
    assert four_coops.reload(supplier).share_scope is ShareScope.PRIVATE


def test_an_unknown_scope_is_refused_next_to_the_field(four_coops, auth, client):
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "world"}
    )

    assert field_error(text(response), "scope") is not None
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PRIVATE


def test_an_inactive_supplier_cannot_be_shared(four_coops, auth, client):
    four_coops.supplier.active = False
    db.session.commit()
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "platform"}
    )

    assert "not active" in field_error(text(response), "scope")
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PRIVATE


def test_a_treasurer_sees_how_a_catalogue_is_shared_but_cannot_change_it(four_coops, auth, client):
    auth.login_as(four_coops.publisher_treasurer)

    page = client.get(sharing_url(four_coops.publisher, four_coops.supplier))
    change = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "platform"}
    )
    feed = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier, "/feeds"), data={"label": "X"}
    )

    assert page.status_code == 200
    assert "Not shared" in text(page)
    assert "Save sharing" not in text(page) and "Make a feed" not in text(page)
    assert change.status_code == 403 and feed.status_code == 403
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PRIVATE


@pytest.mark.parametrize(
    ("who", "status"), [("neighbour_coordinator", 403), ("outsider_coordinator", 404)]
)
def test_only_the_publisher_reaches_a_catalogues_sharing_page(
    four_coops, auth, client, who, status
):
    """A subscriber is told who keeps the catalogue; anyone else finds nothing."""
    four_coops.supplier.share_scope = ShareScope.PLATFORM
    subscribe(four_coops.neighbour, four_coops.supplier)
    person = getattr(four_coops, who)
    coop = four_coops.neighbour if who == "neighbour_coordinator" else four_coops.outsider
    auth.login_as(person)

    page = client.get(sharing_url(coop, four_coops.supplier))
    change = client.post(sharing_url(coop, four_coops.supplier), data={"scope": "private"})

    assert page.status_code == status and change.status_code == status
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PLATFORM
    assert count_rows(CatalogueSubscription) == 1
    assert count_rows(Supplier) == 1


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
