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


def test_existing_spaces_and_staff_get_the_notices(fresh_database_url, tmp_path):
    """0015n: every staff member is told by default, every space says "each" time, and an
    existing space gets the notices' templates in every language."""
    import flask_migrate

    from djaboo import create_app
    from djaboo.mail.events import LANGUAGES
    from djaboo.notices.mail_events import NOTICE_EVENTS
    from tests.fixtures.database import base_config

    app = create_app(base_config(fresh_database_url), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0010d")  # 0011 makes the settings rows of this space
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO space (id, name, timezone, default_language, created_at) "
                    "VALUES (9, 'Old Co', 'UTC', 'en', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO staff_user (space_id, email, name, role, password_hash, active, "
                    "signature_html, session_token, created_at) VALUES (9, 'old@example.com', "
                    "'Old', 'admin', 'x', true, '', 'token-9', CURRENT_TIMESTAMP)"
                )
            )
        flask_migrate.upgrade(revision="0014")
        with db.engine.begin() as conn:  # what 0011 added with today's texts: as before them
            conn.execute(
                sa.text("DELETE FROM email_template WHERE event IN :events").bindparams(
                    sa.bindparam("events", list(NOTICE_EVENTS), expanding=True)
                )
            )
        flask_migrate.upgrade()
        notice_templates = sa.text(
            "SELECT count(*) FROM email_template WHERE space_id = 9 AND event IN :events"
        ).bindparams(sa.bindparam("events", list(NOTICE_EVENTS), expanding=True))
        with db.engine.connect() as conn:
            choices = conn.execute(
                sa.text(
                    "SELECT notify_estimate_answers, notify_own_failures, notify_space_failures "
                    "FROM staff_user WHERE space_id = 9"
                )
            ).one()
            mode = conn.execute(
                sa.text("SELECT failure_notices FROM email_settings WHERE space_id = 9")
            ).scalar_one()
            count = conn.execute(notice_templates).scalar_one()
        assert tuple(bool(c) for c in choices) == (True, True, True) and mode == "each"
        assert count == len(NOTICE_EVENTS) * len(LANGUAGES)
        flask_migrate.downgrade(revision="0014")
        with db.engine.connect() as conn:
            assert conn.execute(notice_templates).scalar_one() == 0
        db.engine.dispose()
