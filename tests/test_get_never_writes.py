"""GET never writes: every page of the URL map answers from a database that refuses writes
(a full disk, a read-only replica), signed in as each role, and tries no write at all, but for
the few deliberate exceptions below."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.spaces.models import Space
from djaboo.staff.models import PasswordReset
from djaboo.staff.password_reset import create_reset
from tests.test_hostile_routes import _path, _real_values, world  # noqa: F401

# The GET pages that may try a write, each for a reason. Each must still answer when the write
# fails (this test's database refuses them all), and every other page must not even try.
MAY_WRITE = {
    # A PDF a page had to draw is kept in the cache, so a link opened many times draws it once.
    r"documents\.\w+_pdf": "PDF cache",
    r"documents\.\w+_public_pdf": "PDF cache",
    # Viewed (issue #12): the customer opening the public link is recorded on the document (at
    # most once a minute, never for the space's own staff), with no tracking pixel: the page
    # itself is the only place that knows. djaboo/documents/viewing.py.
    r"documents\.\w+_public": "first and last view of the document",
}
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


def _allowed_to_write(endpoint: str) -> bool:
    return any(re.fullmatch(pattern, endpoint) for pattern in MAY_WRITE)


def _refuse_writes(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    if "sqlite" in type(dbapi_connection).__module__:
        cursor.execute("PRAGMA query_only = ON")
    else:
        cursor.execute("SET default_transaction_read_only = on")
    cursor.close()
    if hasattr(dbapi_connection, "commit"):
        dbapi_connection.commit()


@pytest.mark.parametrize("role", ["anonymous", "staff", "admin"])
def test_every_page_answers_from_a_database_that_refuses_writes(
    app,
    make_app,
    world,  # noqa: F811
    role,
    create_customer,
    create_invoice,
):
    from djaboo.staff.models import User

    # A document with no public link yet and no cached PDF: its pages must not make either.
    space_id = db.session.execute(sa.select(User.space_id)).scalars().first()
    fresh = create_invoice(create_customer(db.session.get(Space, space_id)), status="unpaid")
    template_id = world["real"]["template_id"]
    # A real password reset link: opening its page must not use it up (nor write at all).
    reset, reset_token = create_reset(db.session.get(User, world["real"]["user_id"]))
    db.session.commit()
    reset_page = f"/reset-password/{reset_token}"
    extra = [
        f"/invoices/{fresh.id}",
        f"/invoices/{fresh.id}/send",
        f"/invoices/{fresh.id}/pdf",
        f"/email-templates/{template_id}?preview_document={fresh.id}",
        reset_page,
    ]
    read_only = make_app()
    with read_only.app_context():
        db.engine.dispose()
        sa.event.listen(db.engine, "connect", _refuse_writes)
        with pytest.raises(sa.exc.DBAPIError):  # the refusal is real
            db.session.execute(sa.text("UPDATE space SET name = name"))
            db.session.commit()
        db.session.rollback()
        db.session.remove()
    client = read_only.test_client()
    cookie = world["clients"][role].get_cookie("session")
    if cookie is not None:
        client.set_cookie("session", cookie.value)
    attempts: list[str] = []  # the write statements of the request in progress

    def note_write(_conn, _cursor, statement, _parameters, _context, _many):
        if WRITE.match(statement):
            attempts.append(" ".join(statement.split()[:3]))

    with read_only.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note_write)
    failures, tried = [], {}
    urls = [
        _path(rule, _real_values(rule, world))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and "GET" in rule.methods
    ]
    adapter = read_only.url_map.bind("localhost")
    for url in urls + extra:
        attempts.clear()
        try:
            status = client.get(url).status_code
        except Exception as exc:  # noqa: BLE001 - TESTING propagates the view's error
            status = f"500 {type(exc).__name__}: {str(exc)[:160]}"
        if str(status).startswith("5"):
            failures.append(f"{status} GET {url}")
        if attempts:
            endpoint = adapter.match(url.split("?")[0])[0]
            tried[endpoint] = status
            if not _allowed_to_write(endpoint):
                failures.append(f"GET {url} ({endpoint}) tried to write: {attempts[:3]}")
    assert not failures, "\n".join(failures)
    assert client.get(reset_page).status_code == 200  # the form, from the read-only database
    db.session.expire_all()
    assert db.session.get(PasswordReset, reset.id).used_at is None
    if role == "anonymous":
        # The exception really was taken, refused, and the customer still got the page.
        assert tried.get("documents.invoice_public") == 200, tried
    else:  # the space's own staff opening its public page is not the customer viewing it
        assert not [endpoint for endpoint in tried if endpoint.endswith("_public")], tried
    if role != "anonymous":
        assert client.get("/invoices").status_code == 200  # really signed in, really reading
