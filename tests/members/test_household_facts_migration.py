"""Postcodes and household sizes move into consented facts, and back on a downgrade."""

from __future__ import annotations

from datetime import UTC, datetime

import flask_migrate
from sqlalchemy import text as sql
from support import make_app, scratch_database

from coop.extensions import db

BEFORE = "e6a2c4d8f1b3"
NOW = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)


def _seed(connection) -> None:  # type: ignore[no-untyped-def]
    connection.execute(
        sql(
            "INSERT INTO users (id, email, name, password_hash, is_platform_admin, created_at,"
            " password_changed_at) VALUES (1, 'a@example.org', 'A', 'x', false, :now, :now),"
            " (2, 'b@example.org', 'B', 'x', false, :now, :now)"
        ),
        {"now": NOW},
    )
    connection.execute(
        sql(
            "INSERT INTO coops (id, name, slug, pickup_address, household_cap, joining_policy,"
            " created_at) VALUES (1, 'C', 'fishwick', '', 20, 'open', :now)"
        ),
        {"now": NOW},
    )
    connection.execute(
        sql(
            "INSERT INTO memberships (id, coop_id, user_id, role, status, household_size,"
            " postcode, postcode_consent, requested_at) VALUES"
            " (1, 1, 1, 'member', 'active', 4, 'PR1 5XX', true, :now),"
            " (2, 1, 2, 'member', 'active', NULL, NULL, false, :now)"
        ),
        {"now": NOW},
    )


def test_existing_postcodes_and_sizes_become_consented_facts_and_come_back(
    server_database_url, tmp_path
):
    with scratch_database(server_database_url, tmp_path, "facts") as url:
        app = make_app(url)
        with app.app_context():
            try:
                flask_migrate.upgrade(revision=BEFORE)
                with db.engine.begin() as connection:
                    _seed(connection)

                flask_migrate.upgrade()
                with db.engine.connect() as connection:
                    facts = connection.execute(
                        sql(
                            "SELECT membership_id, fact, number, postcode, consent_version"
                            " FROM household_facts ORDER BY fact"
                        )
                    ).all()
                assert [tuple(row) for row in facts] == [
                    (1, "household_size", 4, None, 1),
                    (1, "postcode", None, "PR1 5XX", 1),
                ]

                flask_migrate.downgrade(revision=BEFORE)
                with db.engine.connect() as connection:
                    rows = connection.execute(
                        sql(
                            "SELECT id, household_size, postcode, postcode_consent"
                            " FROM memberships ORDER BY id"
                        )
                    ).all()
                assert [tuple(row) for row in rows] == [
                    (1, 4, "PR1 5XX", True),
                    (2, None, None, False),
                ]
                flask_migrate.upgrade()
            finally:
                db.engine.dispose()
