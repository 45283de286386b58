"""Malformed requests end as a clear 400 or 404 before any view or database sees them.

PostgreSQL refuses NUL characters in text and integers past 2**31 - 1; a view that passed such a
value on would answer 500. Rather than trusting every view and form to remember, the whole
request is checked once here, and URL ids beyond the column range are simply "not found".
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from djaboo.i18n import _l

MAX_ID = 2**31 - 1  # ids are INTEGER columns on PostgreSQL

NUL_MESSAGE = _l("The request contains a NUL character, which is never valid here.")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a positive id that fits the database, else 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def query_id(value: str) -> int:
    """For request.args.get(name, type=query_id): an id the database can hold, else ValueError
    (and so the default), like an id in the path."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError("not an id")
    return number


def _has_nul(multidict) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in multidict.items(multi=True))


def refuse_nul() -> None:
    if "\x00" in request.path or "\x00" in request.query_string.decode("latin-1"):
        abort(400, str(NUL_MESSAGE))
    if _has_nul(request.args):
        abort(400, str(NUL_MESSAGE))
    if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form):
        abort(400, str(NUL_MESSAGE))


def init_app(app: Flask) -> None:
    """Call before blueprints register their routes (the converter applies at registration)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul)
