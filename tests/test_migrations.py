"""The migrations build exactly the schema the models describe, and unwind."""

from __future__ import annotations

from pprint import pformat

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import make_app, scratch_database
from sqlalchemy import inspect

from coop.extensions import db


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

                flask_migrate.downgrade(revision="base")
                assert inspect(db.engine).get_table_names() == ["alembic_version"]
            finally:
                db.engine.dispose()
