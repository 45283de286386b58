"""Friendly error pages that reveal nothing about other spaces or the server."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from djaboo.extensions import db

PAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your role does not allow this page. Ask an admin of your space."),
    404: ("Not found", "There is nothing here, or it belongs to another space."),
    405: ("Not allowed", "This page cannot be used this way."),
    413: ("Too large", "What you sent is larger than this server accepts."),
    429: ("Slow down", "Too many requests in a short time. Wait a moment and try again."),
    500: (
        "Something went wrong",
        "Nothing was saved. Try again; if it keeps happening, tell "
        "your administrator the time it happened.",
    ),
}


def render_error(code: int, message: str | None = None):
    title, text = PAGES.get(code, PAGES[500])
    return render_template("errors/error.html", code=code, title=title, text=message or text), code


def _own_words(exc) -> str | None:
    """The sentence given with abort(code, "..."), not Werkzeug's generic one."""
    text = getattr(exc, "description", None)
    generic = type(exc).description if isinstance(exc, HTTPException) else None
    return text if isinstance(text, str) and text != generic else None


def init_app(app: Flask) -> None:
    for code in PAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda exc, code=code: render_error(code, _own_words(exc)))

    @app.errorhandler(sa.exc.DataError)
    def out_of_range(exc):
        # A value the database refuses (out of range, invalid text): the request's fault, and
        # nothing of it was saved. Forms and the request guard catch the known cases first.
        db.session.rollback()
        return render_error(400, "A value in the request is out of range or not valid here.")

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400,
            "This form expired or did not come from this site. Reload the "
            "page and submit it again.",
        )

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()  # one transaction per request: an error leaves nothing half-saved
        return render_error(500)
