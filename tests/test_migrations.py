"""The migrations are the production path: they must build exactly what the models declare."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from djaboo.extensions import db


def test_migrated_schema_matches_models(app):
    with db.engine.connect() as conn:
        from djaboo.db import on_this_dialect

        include = on_this_dialect(conn.dialect.name)  # a trigram index is PostgreSQL's only
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include}
        )
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


def test_existing_spaces_do_not_start_emailing_customers_after_the_upgrade(
    fresh_database_url, tmp_path
):
    """0016: the thank-you and the expiry reminders are off for the spaces that exist (a new
    space gets them on); the invoices' ledger rows stay, and the ledger takes estimates."""
    import flask_migrate

    from djaboo import create_app
    from tests.fixtures.database import base_config

    app = create_app(base_config(fresh_database_url), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0014")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO space (id, name, timezone, default_language, created_at) "
                "VALUES (7, 'Old Co', 'UTC', 'en', CURRENT_TIMESTAMP)",
                "INSERT INTO reminder_settings (space_id, due_soon_enabled, due_soon_days, "
                "overdue_first_days, resend_every_days, max_resends, send_hour, attach_pdf) "
                "VALUES (7, true, 2, 1, 3, 3, 9, true)",
                "INSERT INTO customer (id, space_id, company, address, vat_number, language, "
                "currency, reminders_enabled, created_at) "
                "VALUES (1, 7, 'C', '', '', '', 'EUR', true, CURRENT_TIMESTAMP)",
                "INSERT INTO invoice (id, space_id, number, customer_id, issue_date, due_date, "
                "currency, status, notes, subtotal, tax_total, total, amount_paid, version, "
                "reminders_enabled, created_at, view_count) VALUES (1, 7, 'INV-1', 1, "
                "'2026-01-01', '2026-01-31', 'EUR', 'unpaid', '', 0, 0, 0, 0, 1, true, "
                "CURRENT_TIMESTAMP, 0)",
                "INSERT INTO estimate (id, space_id, number, customer_id, issue_date, "
                "expiry_date, currency, status, notes, subtotal, tax_total, total, version, "
                "created_at, view_count) VALUES (1, 7, 'EST-1', 1, '2026-01-01', '2026-01-31', "
                "'EUR', 'sent', '', 0, 0, 0, 1, CURRENT_TIMESTAMP, 0)",
                "INSERT INTO reminder_log (space_id, invoice_id, stage, occurrence, created_at) "
                "VALUES (7, 1, 'overdue', 0, CURRENT_TIMESTAMP)",
            ):
                conn.execute(sa.text(statement))
        flask_migrate.upgrade(revision="0016")
        with db.engine.begin() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT thank_you_enabled, estimate_expiry_enabled, estimate_expiry_days "
                    "FROM reminder_settings WHERE space_id = 7"
                )
            ).one()
            assert tuple(row) == (False, False, 3)
            conn.execute(
                sa.text(
                    "INSERT INTO reminder_log (space_id, estimate_id, stage, occurrence, "
                    "created_at) VALUES (7, 1, 'expiring', 0, CURRENT_TIMESTAMP)"
                )
            )
        for duplicate in (
            "(space_id, invoice_id, stage, occurrence, created_at) VALUES (7, 1, 'overdue', 0, ",
            "(space_id, estimate_id, stage, occurrence, created_at) VALUES (7, 1, 'expiring', 0, ",
            "(space_id, stage, occurrence, created_at) VALUES (7, 'overdue', 5, ",  # no document
        ):
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                conn.execute(sa.text(f"INSERT INTO reminder_log {duplicate}CURRENT_TIMESTAMP)"))
        flask_migrate.downgrade(revision="0014")  # the estimate's ledger row goes
        with db.engine.connect() as conn:
            left = conn.execute(sa.text("SELECT invoice_id FROM reminder_log")).scalars().all()
        assert left == [1]
        flask_migrate.upgrade()
        db.engine.dispose()


def test_going_down_and_up_again_keeps_every_row(fresh_database_url, tmp_path):
    """SQLite rewrites a table to change its constraints; with foreign keys on, dropping the
    old table deleted every row referring to it (an invoice's lines and payments) or emptied
    the reference (the reminder ledger's email). Down to 0012 and up again: nothing is lost."""
    from datetime import date
    from decimal import Decimal

    import flask_migrate

    from djaboo import create_app
    from djaboo.demo import ensure_demo_space
    from djaboo.documents.models import Invoice, Payment, ReminderLog
    from djaboo.mail.recording import NewEmail, record_email
    from tests.fixtures.database import base_config

    app = create_app(base_config(fresh_database_url), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade()
        ensure_demo_space()
        invoice = db.session.execute(sa.select(Invoice).limit(1)).scalar_one()
        db.session.add(
            Payment(
                space_id=invoice.space_id,
                invoice_id=invoice.id,
                amount=Decimal("1.00"),
                paid_on=date(2026, 1, 2),
            )
        )
        email = record_email(
            NewEmail(space_id=invoice.space_id, origin="reminder", key="r:1", composed=None)
        )
        db.session.add(
            ReminderLog(
                space_id=invoice.space_id,
                invoice_id=invoice.id,
                stage="overdue",
                occurrence=0,
                outbox_id=email.id,
            )
        )
        db.session.commit()
        db.session.remove()

        def snapshot():
            with db.engine.connect() as conn:
                names = sa.inspect(conn).get_table_names()
                counts = {
                    t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                    for t in names
                    if t != "alembic_version"
                }
                linked = conn.execute(
                    sa.text("SELECT count(*) FROM reminder_log WHERE outbox_id IS NOT NULL")
                ).scalar_one()
            return counts, linked

        before = snapshot()
        assert before[1] == 1 and before[0]["invoice_line"] and before[0]["payment"] == 1
        flask_migrate.downgrade(revision="0012")
        flask_migrate.upgrade()
        assert snapshot() == before
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:  # and the pooled connection has them on again
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_existing_spaces_and_staff_get_the_notices(fresh_database_url, tmp_path):
    """0017: every staff member is told by default, every space says "each" time, and an
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


def test_existing_spaces_keep_their_texts_in_their_language_and_get_a_company(
    fresh_database_url, tmp_path
):
    """0021: a space's signature, header and footer become its default language's; the other
    languages get the shipped ones; every space gets its company row with its own logo key;
    going down puts the default language's texts back."""
    import flask_migrate

    from djaboo import create_app
    from tests.fixtures.database import base_config

    app = create_app(base_config(fresh_database_url), instance_path=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0016")
        with db.engine.begin() as conn:
            for space_id, language in ((7, "fr"), (8, "en")):
                conn.execute(
                    sa.text(
                        "INSERT INTO space (id, name, timezone, default_language, created_at) "
                        "VALUES (:id, 'Old & Co', 'UTC', :language, CURRENT_TIMESTAMP)"
                    ),
                    {"id": space_id, "language": language},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO email_settings (space_id, engine, protocol, encryption, "
                        "host, port, from_email, from_name, username, password_encrypted, "
                        "charset, bcc_all, signature_html, header_html, footer_html, logo_url, "
                        "allow_insecure_auth, pinned_sha256, timeout_seconds, updated_at) "
                        "VALUES (:id, 'standard', 'smtp', 'tls', '', 587, '', '', '', '', "
                        "'utf-8', '', '<p>Bien à vous</p>', '<div>EN-TÊTE</div>', "
                        "'<p>PIED</p>', '', false, '', 30, CURRENT_TIMESTAMP)"
                    ),
                    {"id": space_id},
                )
        flask_migrate.upgrade(revision="0021")
        with db.engine.connect() as conn:
            rows = {
                (space, language): (signature, header, footer)
                for space, language, signature, header, footer in conn.execute(
                    sa.text(
                        "SELECT space_id, language, signature_html, header_html, footer_html "
                        "FROM email_wrapper"
                    )
                )
            }
            keys = conn.execute(sa.text("SELECT logo_key FROM company_profile")).scalars().all()
        assert rows[(7, "fr")] == ("<p>Bien à vous</p>", "<div>EN-TÊTE</div>", "<p>PIED</p>")
        assert rows[(8, "en")] == rows[(7, "fr")]
        assert rows[(7, "en")][0] == "<p>Kind regards,<br>Old &amp; Co</p>"
        assert rows[(7, "ja")][0].startswith("<p>今後ともよろしくお願い申し上げます。")
        assert "{companyname}" in rows[(8, "fr")][2] and "Cet e-mail" in rows[(8, "fr")][2]
        assert len(rows) == 6 and len(set(keys)) == 2
        flask_migrate.downgrade(revision="0016")
        with db.engine.connect() as conn:
            back = conn.execute(
                sa.text("SELECT signature_html, footer_html FROM email_settings WHERE space_id = 7")
            ).one()
        assert tuple(back) == ("<p>Bien à vous</p>", "<p>PIED</p>")
        flask_migrate.upgrade()
        db.engine.dispose()
