"""0018: existing spaces get the Password reset template, as new spaces do."""

import sqlalchemy as sa

from djaboo.extensions import db


def test_existing_spaces_get_the_password_reset_template(fresh_database_url, tmp_path):
    import flask_migrate

    from djaboo import create_app
    from djaboo.email_templates.default_texts import DEFAULT_TEXTS
    from tests.fixtures.database import base_config

    app = create_app(base_config(fresh_database_url), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0014")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO space (id, name, timezone, default_language, created_at) "
                    "VALUES (7, 'Old Co', 'UTC', 'fr', CURRENT_TIMESTAMP)"
                )
            )
        flask_migrate.upgrade(revision="0018")
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT language, subject, body_html, active FROM email_template "
                    "WHERE space_id = 7 AND event = 'password_reset' ORDER BY language"
                )
            ).all()
        assert [r.language for r in rows] == ["en", "fr", "ja"]
        for row in rows:
            assert (row.subject, row.body_html) == DEFAULT_TEXTS[("password_reset", row.language)]
            assert row.active
        flask_migrate.downgrade(revision="0014")
        with db.engine.connect() as conn:
            left = conn.execute(
                sa.text("SELECT count(*) FROM email_template WHERE event = 'password_reset'")
            ).scalar_one()
            tables = set(sa.inspect(conn).get_table_names())
        assert left == 0 and "password_reset" not in tables
        assert "password_reset_request" not in tables
        flask_migrate.upgrade()  # and on to head
        db.engine.dispose()
