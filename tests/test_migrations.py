"""The migrations are the production path: they must build exactly what the models declare."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from djaboo.extensions import db


def test_migrated_schema_matches_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_from_empty_database_to_head_and_back(fresh_database_url, tmp_path):
    import flask_migrate
    from alembic.script import ScriptDirectory

    from djaboo import create_app
    from tests.fixtures.database import base_config

    app = create_app(base_config(fresh_database_url), instance_path=str(tmp_path))
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        flask_migrate.upgrade()
        head = ScriptDirectory.from_config(
            app.extensions["migrate"].migrate.get_config()
        ).get_current_head()
        with db.engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == head
        assert {"space", "staff_user", "login_failure"} <= set(
            sa.inspect(db.engine).get_table_names()
        )
        flask_migrate.downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_postgresql_half_really_runs_on_postgresql(engine_name, database_url):
    expected = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    assert engine_name == expected
    if engine_name == "postgresql":
        server_version = db.session.execute(sa.text("SELECT version()")).scalar_one()
        assert server_version.startswith("PostgreSQL")
