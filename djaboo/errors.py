"""Friendly error pages that reveal nothing about other spaces or the server."""

from __future__ import annotations

import contextlib
import logging

import sqlalchemy as sa
from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from djaboo.database_timeouts import UNREACHABLE, describe
from djaboo.extensions import db, login_manager
from djaboo.i18n import _, _l

log = logging.getLogger(__name__)

# Lazy: each page is read in the language of whoever gets it.
PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (
        _l("Not allowed"),
        _l("Your role does not allow this page. Ask an admin of your space."),
    ),
    404: (_l("Not found"), _l("There is nothing here, or it belongs to another space.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too large"), _l("What you sent is larger than this server accepts.")),
    429: (_l("Slow down"), _l("Too many requests in a short time. Wait a moment and try again.")),
    500: (
        _l("Something went wrong"),
        _l(
            "Nothing was saved. Try again; if it keeps happening, tell "
            "your administrator the time it happened."
        ),
    ),
    503: (
        _l("Database unreachable"),
        _l("The database is not answering. Nothing was saved; try again in a minute."),
    ),
}


def render_error(code: int, message: str | None = None, title: str | None = None):
    default_title, text = PAGES.get(code, PAGES[500])
    page = render_template(
        "errors/error.html", code=code, title=title or default_title, text=message or text
    )
    return page, code


def _own_words(exc) -> str | None:
    """The sentence given with abort(code, "..."), not Werkzeug's generic one."""
    text = getattr(exc, "description", None)
    generic = type(exc).description if isinstance(exc, HTTPException) else None
    return text if isinstance(text, str) and text != generic else None


def render_without_database(code: int):
    """The page for a failed request, drawn without one more query: the transaction is rolled
    back (nothing half-saved) and the layout sees nobody signed in, so neither the user loader
    nor the navigation banners go back to a database that may be gone."""
    try:
        db.session.rollback()
    except Exception as exc:  # the connection died with the request; the pool replaces it
        log.warning("rollback after a failed request failed too: %s", describe(exc))
        with contextlib.suppress(Exception):
            db.session.close()
    login_manager._update_request_context_with_user()  # anonymous: the user may be expired
    return render_error(code)


def database_unreachable(exc: Exception):
    log.warning("database unreachable: %s", describe(exc))
    body, code = render_without_database(503)
    return body, code, {"Retry-After": "60"}


def init_app(app: Flask) -> None:
    for code in PAGES:
        if code in (500, 503):
            continue
        app.register_error_handler(code, lambda exc, code=code: render_error(code, _own_words(exc)))

    @app.errorhandler(sa.exc.DataError)
    @app.errorhandler(OverflowError)  # SQLite's word for an integer past its range
    def out_of_range(exc):
        # A value the database refuses (out of range, invalid text): the request's fault, and
        # nothing of it was saved. Forms and the request guard catch the known cases first.
        db.session.rollback()
        return render_error(400, _("A value in the request is out of range or not valid here."))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400,
            _(
                "This form expired or did not come from this site. Reload the "
                "page and submit it again."
            ),
        )

    for error in UNREACHABLE:
        app.register_error_handler(error, database_unreachable)

    @app.errorhandler(500)
    def server_error(exc):
        # One transaction per request: an error leaves nothing half-saved.
        return render_without_database(500)
