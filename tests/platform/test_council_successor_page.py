"""The platform admin records which council replaced another, from the council's page."""

from __future__ import annotations

from datetime import date

from support import field_error, text

from coop.extensions import db
from coop.models import Council


def test_an_admin_records_the_successor_and_the_old_council_ends_the_day_before(
    client, auth, factory
):
    preston = factory.council(name="Preston City Council")
    unitary = factory.council(name="Central Lancashire Council", valid_from=date(2028, 4, 1))
    auth.login_as(factory.user(is_platform_admin=True))
    assert "Replaced by" in text(client.get(f"/platform/councils/{preston.id}/"))

    response = client.post(
        f"/platform/councils/{preston.id}/successor",
        data={"successor": str(unitary.id)},
        follow_redirects=True,
    )

    page = text(response)
    assert "Preston City Council is replaced by Central Lancashire Council." in page
    db.session.expire_all()
    assert db.session.get(Council, preston.id).successor_id == unitary.id
    assert db.session.get(Council, preston.id).valid_to == date(2028, 3, 31)


def test_a_successor_that_came_first_is_refused_at_the_field(client, auth, factory):
    older = factory.council(name="Older", valid_from=date(2019, 4, 1))
    newer = factory.council(name="Newer", valid_from=date(2024, 4, 1))
    auth.login_as(factory.user(is_platform_admin=True))

    response = client.post(
        f"/platform/councils/{newer.id}/successor", data={"successor": str(older.id)}
    )

    assert response.status_code == 200
    assert "Older must come into being after Newer did" in field_error(text(response), "successor")
    db.session.expire_all()
    assert db.session.get(Council, newer.id).successor_id is None


def test_only_a_platform_admin_may_set_a_successor(client, auth, factory):
    council = factory.council()
    other = factory.council(valid_from=date(2028, 4, 1))
    auth.login_as(factory.officer(council))

    response = client.post(
        f"/platform/councils/{council.id}/successor", data={"successor": str(other.id)}
    )

    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Council, council.id).successor_id is None
