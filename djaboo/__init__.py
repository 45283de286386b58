"""Djaboo Mail: the app factory. Wiring only; rules live in the feature packages."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

DEFAULT_INSTANCE_PATH = Path(__file__).resolve().parent.parent / "instance"


def create_app(
    overrides: dict | None = None,
    instance_path: str | None = None,
    *,
    require_base_url: bool = True,
) -> Flask:
    """Build the app: config -> extensions -> mail catalogue -> blueprints -> CLI.

    The instance folder is instance_path, else $DJABOO_INSTANCE_PATH, else ./instance.
    Without BASE_URL it is refused unless require_base_url is False: the `djaboo` command
    passes False so that admin commands (db upgrade, spaces create) work, and its commands
    that compose emails check BASE_URL themselves.
    """
    instance_path = (
        instance_path or os.environ.get("DJABOO_INSTANCE_PATH") or str(DEFAULT_INSTANCE_PATH)
    )
    project_root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        instance_relative_config=True,
        template_folder=str(project_root / "templates"),
        static_folder=str(project_root / "static"),
    )

    from djaboo import config

    config.load(app, overrides)
    config.validate(app.config)
    if require_base_url:
        # Web processes compose emails (a send delivers right after its commit).
        config.require_base_url(app.config)
    if config.uses_instance_folder(app):
        # Only the SQLite file lives there; a PostgreSQL deployment may keep the folder
        # read-only or leave it out entirely (its config comes from the environment).
        os.makedirs(app.instance_path, exist_ok=True)

    _init_extensions(app)
    from djaboo import i18n

    i18n.init_app(app)
    register_mail_catalogue()
    from djaboo import request_guard

    request_guard.init_app(app)
    _register_blueprints(app)

    from djaboo import errors, security_headers, template_filters

    template_filters.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)

    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from djaboo import cli

    cli.init_app(app)
    return app


def register_mail_catalogue() -> None:
    """What the features add to the mail core (merge fields, events) and to the template
    editor (preview sources), in the order pages list them: documents, settings, notices,
    then staff.

    The one place they are registered, so that the web app, the CLI (worker, reminders) and
    the tests see the same catalogue; calling it again changes nothing."""
    from djaboo.documents import mail_events as documents_mail
    from djaboo.notices import mail_events as notices_mail
    from djaboo.settings import bounces
    from djaboo.settings import mail_events as settings_mail
    from djaboo.staff import mail_events as staff_mail

    documents_mail.register()
    settings_mail.register()
    notices_mail.register()  # after documents: the answers use their {estimate_…} fields
    staff_mail.register()
    bounces.register()  # the Return-Path for bounces, looked up when an email is recorded


def _init_extensions(app: Flask) -> None:
    from djaboo.database_timeouts import engine_options, install_timeouts
    from djaboo.extensions import csrf, db, login_manager, migrate
    from djaboo.sqlite_pragmas import install_sqlite_pragmas

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    with app.app_context():
        install_sqlite_pragmas(db.engine, app.config["DATABASE_STATEMENT_TIMEOUT"])
        install_timeouts(db.engine, app.config)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    from djaboo.i18n import _l

    # Lazy, made a str in the visitor's language when flashed (a session holds only str).
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from djaboo.staff.sessions import load_user_by_session_token

    login_manager.user_loader(load_user_by_session_token)


def _register_blueprints(app: Flask) -> None:
    # Imported for their routes, which register on the blueprint.
    from djaboo.staff import password_reset_views, sign_in, views  # noqa: F401
    from djaboo.staff.blueprint import bp as staff_bp

    app.register_blueprint(staff_bp)
    from djaboo.settings import bounce_views  # noqa: F401 (its routes)
    from djaboo.settings.views import bp as settings_bp

    app.register_blueprint(settings_bp)
    from djaboo.settings.dkim_views import bp as dkim_bp

    app.register_blueprint(dkim_bp)
    from djaboo.settings.company_views import bp as company_bp

    app.register_blueprint(company_bp)
    from djaboo.email_templates.views import bp as email_templates_bp

    app.register_blueprint(email_templates_bp)
    from djaboo.documents.views import bp as documents_bp

    app.register_blueprint(documents_bp)
    from djaboo.navigation import init_app as init_navigation

    init_navigation(app)
