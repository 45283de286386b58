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


def test_existing_spaces_get_what_new_spaces_are_created_with(fresh_database_url, tmp_path):
    """0011: a space made before it gets its settings rows and every shipped template."""
    import flask_migrate

    from djaboo import create_app
    from djaboo.email_templates.default_texts import DEFAULT_TEXTS
    from tests.fixtures.database import base_config

    app = create_app(base_config(fresh_database_url), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0010d")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO space (id, name, timezone, default_language, created_at) "
                    "VALUES (7, 'Old <Co>', 'UTC', 'en', CURRENT_TIMESTAMP)"
                )
            )
        flask_migrate.upgrade(revision="0011")
        with db.engine.connect() as conn:
            signature = conn.execute(
                sa.text("SELECT signature_html FROM email_settings WHERE space_id = 7")
            ).scalar_one()
            hour = conn.execute(
                sa.text("SELECT send_hour FROM reminder_settings WHERE space_id = 7")
            ).scalar_one()
            templates = conn.execute(
                sa.text("SELECT count(*) FROM email_template WHERE space_id = 7")
            ).scalar_one()
        assert signature == "<p>Kind regards,<br>Old &lt;Co&gt;</p>" and hour == 9
        assert templates == len(DEFAULT_TEXTS)
        flask_migrate.upgrade()  # and on to head
        db.engine.dispose()
