"""The council reports API: a council's token reads its suppressed reports as JSON."""

from __future__ import annotations

import re

import jsonschema
import pytest
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from coop.domain.household import Fact
from coop.extensions import db
from coop.models import CouncilApiToken
from coop.services.tokens import token_digest
from council_reports.world import build_world, give_facts, load_places

Q1 = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def world(factory):
    return build_world(factory)


@pytest.fixture
def officer(world, factory):
    return factory.officer(world.council)


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def conforms(document, response, status: int) -> dict:
    """Check *response* has *status* and a body its schema in *document* accepts; return it."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    operation = document["paths"]["/api/v1/councils/{gss}/reports"]["get"]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:coop-openapi", resource)
    wrapped = {"$ref": "urn:coop-openapi" + schema["$ref"]}
    body = response.get_json()
    jsonschema.Draft202012Validator(
        wrapped, registry=registry, format_checker=jsonschema.FormatChecker()
    ).validate(body)
    return body


def make_token(client, auth, officer, council, name="Data warehouse") -> str:
    auth.login_as(officer)
    made = client.post(f"/councils/{council.id}/api-tokens", data={"name": name})
    assert made.status_code == 302
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    return re.search(r'id="api-token" value="([^"]+)"', page).group(1)


def get(client, gss, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1/councils/{gss}/reports", query_string=params, headers=headers)


def test_the_openapi_document_is_valid_and_public(document):
    validate(document)
    assert document["openapi"].startswith("3.1")
    for status in ("200", "400", "401", "403", "404", "429"):
        assert status in document["paths"]["/api/v1/councils/{gss}/reports"]["get"]["responses"]


def test_an_officer_makes_a_token_sees_it_once_and_only_its_digest_is_kept(
    client, auth, world, officer
):
    token = make_token(client, auth, officer, world.council)

    again = client.get(f"/councils/{world.council.id}/api-tokens").get_data(as_text=True)
    stored = db.session.scalars(select(CouncilApiToken)).all()

    assert token not in again
    assert "Data warehouse" in again and "Working" in again
    assert [t.token_digest for t in stored] == [token_digest(token)]
    assert all(token not in str(vars(t)) for t in stored)


def test_the_report_comes_back_as_json_its_schema_accepts(client, auth, world, officer, document):
    token = make_token(client, auth, officer, world.council)

    body = conforms(document, get(client, world.council.gss_code, token, **Q1), 200)

    assert body["council"] == {"name": "Preston City Council", "gss_code": "E07000123"}
    assert body["period"]["from"] == "2026-01-01" and body["period"]["to"] == "2026-03-31"
    assert body["reference_price_method"] and body["definitions"] and body["produced_at"]
    assert "imd_edition" in body
    active = next(t for t in body["tables"] if t["id"] == "active")
    rows = {row["label"]: row for row in active["rows"]}
    # 15 households in all; the 3-household co-op's row is hidden, and so the other's with it.
    assert active["total"]["households"] == 15
    assert rows["Tiny Pantry"]["total"]["households"] == {
        "suppressed": True,
        "reason": "small",
        "threshold": 10,
    }
    assert rows[world.big.coop.name]["total"]["households"]["reason"] == "secondary"
    used = db.session.scalars(select(CouncilApiToken)).one()
    assert used.last_used_at is not None


def _numbers(value):
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, dict):
        if value.get("suppressed") is True:
            return
        for inner in value.values():
            yield from _numbers(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _numbers(inner)


def test_a_coop_of_three_households_gives_away_no_figure(client, auth, world, officer, document):
    load_places({"PR1 1AA": ("E05000001", "E01000001", "E07000123", 1)})
    give_facts(world.small.households, Fact.POSTCODE, ["PR1 1AA"] * 3)
    give_facts(world.small.households, Fact.HOUSEHOLD_SIZE, [2, 3, 4])
    token = make_token(client, auth, officer, world.council)

    response = get(client, world.council.gss_code, token, coop=world.small.coop.id, **Q1)
    body = conforms(document, response, 200)

    headline = {k: v for k, v in body["headline"].items() if k != "coops_active"}  # co-ops
    figures = [*_numbers(body["tables"]), *_numbers(headline), *_numbers(body["derived"])]
    assert [n for n in figures if n != 0] == []
    assert any(
        isinstance(cell, dict) and cell.get("suppressed")
        for t in body["tables"]
        for row in t["rows"]
        for cell in [row["total"]["households"]]
    )
    text = response.get_data(as_text=True)
    for member in [*world.small.households, *world.big.households]:
        assert member.user.name not in text
        assert member.user.email not in text
    assert "PR1" not in text
    assert body["imd_edition"] is not None


def test_no_token_or_a_wrong_one_is_401_with_www_authenticate(client, world, document):
    for token in (None, "not-a-token"):
        response = get(client, world.council.gss_code, token, **Q1)
        body = conforms(document, response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert body["error"]["code"] == "unauthorised"


def test_a_revoked_token_no_longer_works(client, auth, world, officer, document):
    token = make_token(client, auth, officer, world.council)
    made = db.session.scalars(select(CouncilApiToken)).one()

    revoked = client.post(f"/councils/{world.council.id}/api-tokens/{made.id}/revoke")
    page = client.get(revoked.headers["Location"]).get_data(as_text=True)

    assert "Revoked" in page
    response = get(client, world.council.gss_code, token, **Q1)
    conforms(document, response, 401)
    assert "WWW-Authenticate" in response.headers


def test_a_token_of_another_council_is_403(client, auth, world, officer, factory, document):
    other = factory.council(name="Chorley Council")
    token = make_token(client, auth, factory.officer(other), other)

    body = conforms(document, get(client, world.council.gss_code, token, **Q1), 403)

    assert "Preston City Council" in body["error"]["message"]


def test_an_officer_cannot_revoke_another_councils_token(client, auth, world, officer, factory):
    other = factory.council(name="Chorley Council")
    make_token(client, auth, factory.officer(other), other)
    theirs = db.session.scalars(select(CouncilApiToken)).one()
    auth.logout()
    auth.login_as(officer)

    refused = client.post(f"/councils/{other.id}/api-tokens/{theirs.id}/revoke")
    mismatched = client.post(f"/councils/{world.council.id}/api-tokens/{theirs.id}/revoke")

    assert refused.status_code in (403, 404) and mismatched.status_code == 404
    db.session.refresh(theirs)
    assert theirs.revoked_at is None


def test_an_unknown_gss_code_is_404(client, auth, world, officer, document):
    token = make_token(client, auth, officer, world.council)

    body = conforms(document, get(client, "E09999999", token, **Q1), 404)

    assert body["error"]["code"] == "unknown_council"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"from": "2026-13-01", "to": "2026-03-31"}, "from", "not a date"),
        ({"from": "yesterday", "to": "2026-03-31"}, "from", "not a date"),
        ({"from": "2026-03-31", "to": "2026-01-01"}, "to", "before it starts"),
        ({"from": "2020-01-01", "to": "2026-03-31"}, "to", "at most 5 years"),
        ({"to": "2026-03-31"}, "from", "from= and to="),
        ({"from": "2026-01-01", "to": "2026-03-31", "coop": "tiny"}, "coop", "number"),
        (
            {"from": "2026-01-01", "to": "2026-03-31", "coop": "99999999999999999999"},
            "coop",
            "number",
        ),
    ],
)
def test_bad_dates_and_periods_are_400_at_their_field(
    client, auth, world, officer, document, params, field, words
):
    token = make_token(client, auth, officer, world.council)

    body = conforms(document, get(client, world.council.gss_code, token, **params), 400)

    assert body["error"]["field"] == field
    assert words in body["error"]["message"]


def test_a_coop_outside_the_council_is_400(client, auth, world, officer, factory, document):
    token = make_token(client, auth, officer, world.council)
    elsewhere = factory.coop(name="Far Away Pantry", slug="far")

    body = conforms(
        document, get(client, world.council.gss_code, token, coop=elsewhere.id, **Q1), 400
    )

    assert body["error"] == {
        "code": "coop_outside_council",
        "message": body["error"]["message"],
        "field": "coop",
    }
    assert "Far Away Pantry" in body["error"]["message"]


def test_requests_are_limited_per_token(app, client, auth, world, officer, document):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    token = make_token(client, auth, officer, world.council)
    other = make_token(client, auth, officer, world.council, name="Dashboard")

    for _ in range(2):
        assert get(client, world.council.gss_code, token, **Q1).status_code == 200
    refused = get(client, world.council.gss_code, token, **Q1)

    body = conforms(document, refused, 429)
    assert body["error"]["code"] == "rate_limited"
    assert get(client, world.council.gss_code, other, **Q1).status_code == 200


def test_a_token_stops_working_when_its_officer_leaves_the_council(
    client, auth, world, officer, document
):
    from coop.models import CouncilOfficer

    token = make_token(client, auth, officer, world.council)
    db.session.execute(
        CouncilOfficer.__table__.delete().where(CouncilOfficer.user_id == officer.id)
    )
    db.session.commit()

    conforms(document, get(client, world.council.gss_code, token, **Q1), 401)
