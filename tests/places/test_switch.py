"""A new edition is put in use in one switch: until its load commits, lookups see the one before."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from coop.demo.places import PRESTON, nspl_text, write
from coop.models import JobRunStatus
from coop.services.places import loading
from coop.services.places.lookup import place_of

pytestmark = pytest.mark.committing

IN_USE = text(
    "SELECT e.name, count(p.postcode) FROM postcode_editions e "
    "JOIN postcodes p ON p.edition_id = e.id WHERE e.active GROUP BY e.name"
)


def test_lookups_see_the_edition_before_until_the_new_one_is_whole(
    load_postcodes, tmp_path, monkeypatch, database_uri
):
    load_postcodes(write(tmp_path / "feb.csv", nspl_text()), name="NSPL Feb 2025")
    other = create_engine(database_uri)
    seen = []

    def writing_then_looking_from_elsewhere(connection, model, columns, rows):
        bulk_insert(connection, model, columns, rows)
        with other.connect() as elsewhere:
            seen.append(elsewhere.execute(IN_USE).all())

    bulk_insert = loading.bulk_insert
    monkeypatch.setattr(loading, "bulk_insert", writing_then_looking_from_elsewhere)
    monkeypatch.setattr(loading, "BATCH_ROWS", 1)
    moved = [
        ("PR1 5XX", "E05099999", "E01025300", PRESTON),
        ("PR3 2XX", "E05012347", "E01025302", PRESTON),
    ]

    run = load_postcodes(write(tmp_path / "may.csv", nspl_text(moved)), name="NSPL May 2025")

    assert run.status is JobRunStatus.DONE, run.error
    assert seen == [[("NSPL Feb 2025", 3)], [("NSPL Feb 2025", 3)]]
    with other.connect() as elsewhere:
        assert elsewhere.execute(IN_USE).all() == [("NSPL May 2025", 2)]
    other.dispose()
    assert place_of(postcode="PR1 5XX").ward == "E05099999"
