"""The migrations build exactly the schema the models describe, and unwind."""

from __future__ import annotations

import re
from pprint import pformat

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect
from support import make_app, scratch_database

from coop.extensions import db


def check_constraints(engine: Engine) -> dict[str, set[tuple[str | None, str]]]:
    """Return each table's CHECK constraints as the database holds them: name and SQL text.

    Alembic's `compare_metadata` leaves CHECK constraints out, so they are read
    back from the database itself. The text has its spacing and any parentheses
    around the whole expression taken away.
    """
    found = {}
    inspector = inspect(engine)
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        found[table] = {
            (check["name"], _plain_sql(check["sqltext"]))
            for check in inspector.get_check_constraints(table)
        }
    return found


def _plain_sql(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def test_migrations_build_the_models_schema_and_downgrade_to_nothing(server_database_url, tmp_path):
    with scratch_database(server_database_url, tmp_path, "migrations") as url:
        app = make_app(url)
        with app.app_context():
            try:
                flask_migrate.upgrade()
                with db.engine.connect() as connection:
                    context = MigrationContext.configure(
                        connection,
                        opts={"compare_type": True, "compare_server_default": True},
                    )
                    diff = compare_metadata(context, db.metadata)
                assert not diff, (
                    "The migrations do not produce the models' schema; run "
                    '`make migration m="..."` and check the new revision. Differences:\n'
                    + pformat(diff)
                )
                migrated = check_constraints(db.engine)
                with scratch_database(server_database_url, tmp_path, "models") as models_url:
                    models = create_engine(models_url)
                    try:
                        db.metadata.create_all(models)
                        modelled = check_constraints(models)
                    finally:
                        models.dispose()
                changed = {
                    table: {
                        "migrations only": sorted(migrated.get(table, set()) - checks),
                        "models only": sorted(checks - migrated.get(table, set())),
                    }
                    for table, checks in modelled.items()
                    if checks != migrated.get(table, set())
                }
                assert migrated.keys() == modelled.keys()
                assert not changed, (
                    "The migrations' CHECK constraints are not the models'; write a migration "
                    "that drops and recreates them (autogenerate does not see them). "
                    "Differences:\n" + pformat(changed)
                )

                flask_migrate.downgrade(revision="base")
                assert inspect(db.engine).get_table_names() == ["alembic_version"]
            finally:
                db.engine.dispose()
