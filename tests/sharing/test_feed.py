"""The signed JSON feed other coop instances read a shared catalogue through."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest
from sqlalchemy import select
from support import count_rows, field_error, text

from coop.extensions import db
from coop.models import CatalogueFeed, ShareScope
from coop.services.catalogue.feed import create_feed, signature_matches
from sharing.support import add_supplier, share, sharing_url


@pytest.fixture
def feed(four_coops) -> tuple[CatalogueFeed, str]:
    """A feed of Fishwick's shared wholesaler, and its token."""
    share(four_coops.supplier, ShareScope.COUNCIL)
    made = create_feed(
        supplier=four_coops.supplier,
        label="Lancaster instance",
        created_by=four_coops.publisher_coordinator,
    )
    db.session.commit()
    return made


def _url(supplier) -> str:
    return f"/api/catalogues/{supplier.id}.json"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_feed_returns_the_catalogue_as_json(four_coops, client, feed):
    _, token = feed

    response = client.get(_url(four_coops.supplier), headers=_bearer(token))

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    document = response.get_json()
    assert document["format"] == "coop-catalogue-feed/1"
    assert document["published_by"] == "Fishwick Food Co-op"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", document["generated_at"])
    assert document["supplier"] == {
        "id": four_coops.supplier.id,
        "name": "Northern Wholefoods",
        "kind": "wholesaler",
        "email": "orders@northern.example.org",
        "min_order_pence": 25_000,
        "delivery_charge_pence": 1_500,
    }
    assert [product["code"] for product in document["products"]] == ["RICE-1", "SOAP-1"]
    assert document["products"][0] == {
        "code": "RICE-1",
        "name": "Basmati rice",
        "description": "",
        "category": "Rice and grains",
        "tags": ["vegan", "gluten-free"],
        "unit_label": "1 kg bag",
        "case_size": 10,
        "case_price_pence": 2_000,
        "vat_bp": 0,
        "deposit_pence": 0,
        "origin": "",
        "manufacturer": "",
        "reference_price_pence": 275,
        "reference_price_date": None,
        "reference_price_source": "Tesco.com, 2026-11-02",
        "available": True,
    }
    assert document["products"][1]["vat_bp"] == 2000


def test_the_signature_is_an_hmac_of_the_exact_body_keyed_with_the_token(four_coops, client, feed):
    _, token = feed

    response = client.get(_url(four_coops.supplier), headers=_bearer(token))

    body = response.get_data()
    expected = hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    assert response.headers["X-Coop-Signature"] == f"sha256={expected}"
    assert signature_matches(body, token, response.headers["X-Coop-Signature"])
    assert not signature_matches(body + b" ", token, response.headers["X-Coop-Signature"])
    assert not signature_matches(body, "another-token", response.headers["X-Coop-Signature"])


@pytest.mark.parametrize("with_header", [False, True], ids=["address only", "header too"])
def test_a_token_in_the_address_is_refused_with_a_pointer_to_the_header(
    four_coops, client, feed, with_header
):
    _, token = feed

    response = client.get(
        _url(four_coops.supplier),
        query_string={"token": token},
        headers=_bearer(token) if with_header else {},
    )

    # Addresses end up in server and proxy logs, so a token never rides in one.
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert "Authorization: Bearer" in error
    assert "not in the address" in error
    assert token not in response.get_data(as_text=True)
    assert "X-Coop-Signature" not in response.headers


def test_reading_a_feed_records_when_it_was_last_used(four_coops, client, feed):
    made, token = feed
    assert made.last_used_at is None

    client.get(_url(four_coops.supplier), headers=_bearer(token))

    assert four_coops.reload(made).last_used_at is not None


def test_a_price_change_reaches_the_feed_at_once(four_coops, client, feed):
    _, token = feed
    four_coops.rice.case_price_pence = 2_345
    db.session.commit()

    document = client.get(_url(four_coops.supplier), headers=_bearer(token)).get_json()

    assert document["products"][0]["case_price_pence"] == 2_345


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-the-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Accept": "text/html"},
    ],
    ids=["no token", "wrong token", "empty token", "basic auth", "a browser"],
)
def test_without_a_valid_token_the_feed_answers_401_in_json(four_coops, client, feed, headers):
    response = client.get(_url(four_coops.supplier), headers=headers)

    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": "A valid feed token for this catalogue is required."}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Location" not in response.headers
    assert "X-Coop-Signature" not in response.headers


def test_a_revoked_feed_answers_401(four_coops, auth, client, feed):
    made, token = feed
    auth.login_as(four_coops.publisher_coordinator)
    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier, f"/feeds/{made.id}/revoke")
    )
    auth.logout()

    refused = client.get(_url(four_coops.supplier), headers=_bearer(token))

    assert response.status_code == 302
    assert four_coops.reload(made).revoked_at is not None
    assert refused.status_code == 401
    assert refused.get_json()["error"]


def test_a_token_opens_only_its_own_catalogue(four_coops, client, feed):
    _, token = feed
    other = add_supplier(four_coops.publisher, "Goosnargh Growers", share_scope=ShareScope.COUNCIL)

    response = client.get(_url(other), headers=_bearer(token))
    unknown = client.get("/api/catalogues/999999.json", headers=_bearer(token))

    assert response.status_code == unknown.status_code == 401


def test_a_catalogue_no_longer_shared_answers_404_in_json(four_coops, client, feed):
    made, token = feed
    share(four_coops.supplier, ShareScope.PRIVATE)

    response = client.get(_url(four_coops.supplier), headers=_bearer(token))

    assert response.status_code == 404
    assert response.get_json() == {"error": "This catalogue is no longer shared."}
    assert four_coops.reload(made).last_used_at is None


def test_a_coordinator_makes_a_feed_and_sees_its_token_only_once(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.PLATFORM)
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier, "/feeds"),
        data={"label": "Lancaster instance"},
    )
    first = text(client.get(response.location))
    second = text(client.get(response.location))

    assert response.status_code == 302
    token = re.search(r'id="feed-token" value="([^"]+)"', first).group(1)
    assert "Token for Lancaster instance" in first
    assert token not in second and 'id="feed-token"' not in second
    stored = db.session.scalar(select(CatalogueFeed))
    assert stored.label == "Lancaster instance"
    assert stored.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert "Lancaster instance" in second and "Never" in second
    assert client.get(_url(four_coops.supplier), headers=_bearer(token)).status_code == 200
    assert "Never" not in text(client.get(response.location))  # the last read is shown


def test_a_feed_needs_a_name_and_a_shared_catalogue(four_coops, auth, client):
    auth.login_as(four_coops.publisher_coordinator)
    url = sharing_url(four_coops.publisher, four_coops.supplier, "/feeds")

    unnamed = client.post(url, data={"label": "  "})
    private = client.post(url, data={"label": "Lancaster instance"})

    assert "Say who the feed is for" in field_error(text(unnamed), "label")
    assert "Share the catalogue first" in field_error(text(private), "label")
    assert count_rows(CatalogueFeed) == 0


def test_treasurers_see_feeds_but_cannot_make_or_revoke_them(four_coops, auth, client, feed):
    made, _ = feed
    auth.login_as(four_coops.publisher_treasurer)

    page = text(client.get(sharing_url(four_coops.publisher, four_coops.supplier)))
    revoke = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier, f"/feeds/{made.id}/revoke")
    )

    assert "Lancaster instance" in page and "Revoke" not in page
    assert revoke.status_code == 403
    assert four_coops.reload(made).revoked_at is None


def test_another_coops_coordinator_cannot_revoke_a_feed(four_coops, auth, client, feed):
    made, _ = feed
    own = add_supplier(four_coops.neighbour, "Ribbleton Veg")
    auth.login_as(four_coops.neighbour_coordinator)

    wrong_supplier = client.post(
        sharing_url(four_coops.neighbour, four_coops.supplier, f"/feeds/{made.id}/revoke")
    )
    wrong_feed = client.post(sharing_url(four_coops.neighbour, own, f"/feeds/{made.id}/revoke"))

    assert wrong_supplier.status_code == wrong_feed.status_code == 404
    assert four_coops.reload(made).revoked_at is None


def test_the_feed_body_is_compact_utf8_json(four_coops, client, feed):
    _, token = feed
    four_coops.rice.name = "Riz basmati à l'ancienne"
    db.session.commit()

    body = client.get(_url(four_coops.supplier), headers=_bearer(token)).get_data()

    assert "à l'ancienne".encode() in body
    assert json.loads(body)["products"][0]["name"] == "Riz basmati à l'ancienne"


def test_reading_feeds_is_limited_per_network_address_even_without_a_token(
    app, four_coops, client, feed
):
    app.config["FEED_RATE_LIMIT"] = "3 per minute"
    _, token = feed
    for _ in range(2):
        assert client.get(_url(four_coops.supplier), headers=_bearer(token)).status_code == 200
    assert client.get(_url(four_coops.supplier), headers=_bearer("guess")).status_code == 401

    refused = client.get(_url(four_coops.supplier), headers=_bearer(token))
    elsewhere = client.get(
        _url(four_coops.supplier),
        headers=_bearer(token),
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )

    assert refused.status_code == 429
    assert refused.mimetype == "application/json"
    assert "X-Coop-Signature" not in refused.headers
    assert elsewhere.status_code == 200
