"""Viewed: opening the public link records the customer's first and last view on the document;
its page and its list show it. Staff previewing, sample pages and dead links record nothing,
and a write that cannot be made never costs the customer the page."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.kinds import CREDIT_NOTE, ESTIMATE, INVOICE
from djaboo.documents.public_links import active_link, revoke_links
from djaboo.documents.viewing import LOCK_WAIT
from djaboo.extensions import db
from djaboo.spaces.models import Space
from tests.documents import test_credit_notes, test_estimates


@pytest.fixture
def sent(app, create_space, create_customer, create_invoice):
    """A space, an unpaid invoice with a live link, and an anonymous visitor."""
    admin = create_space(name="Acme Ltd")
    invoice = create_invoice(create_customer(admin.space), admin, status="unpaid")
    token = active_link(INVOICE, invoice).token

    class Sent:
        pass

    sent = Sent()
    sent.admin, sent.invoice, sent.token = admin, invoice, token
    sent.url = f"/p/invoice/{token}"
    sent.visitor = app.test_client()
    db.session.commit()
    return sent


def views(document):
    db.session.expire_all()
    row = db.session.get(type(document), document.id)
    return row.first_viewed_at, row.last_viewed_at, row.view_count


def set_last_view(document, when):
    """Move the recorded view back in time, as if the customer had come earlier."""
    model = type(document)
    db.session.execute(
        sa.update(model)
        .where(model.id == document.id)
        .values(first_viewed_at=when, last_viewed_at=when)
    )
    db.session.commit()


def test_the_first_view_sets_first_and_last_a_later_one_moves_last_only(sent):
    assert views(sent.invoice) == (None, None, 0)
    before = utcnow()
    assert sent.visitor.get(sent.url).status_code == 200
    first, last, count = views(sent.invoice)
    assert first == last and before <= first <= utcnow() and count == 1

    # A refresh within the minute is a read: nothing changes.
    assert sent.visitor.get(sent.url).status_code == 200
    assert views(sent.invoice) == (first, last, 1)

    earlier = utcnow() - timedelta(hours=3)
    set_last_view(sent.invoice, earlier)
    assert sent.visitor.get(sent.url).status_code == 200
    first, last, count = views(sent.invoice)
    assert first == earlier and last > earlier + timedelta(hours=2) and count == 2


def test_a_head_request_is_not_a_view(sent):
    assert sent.visitor.head(sent.url).status_code == 200
    assert views(sent.invoice) == (None, None, 0)


def test_staff_of_the_space_signed_in_do_not_count_others_do(
    sent, app, login, create_user, create_space
):
    staff = app.test_client()
    login(staff, create_user(sent.admin.space))
    assert staff.get(sent.url).status_code == 200
    admin = app.test_client()
    login(admin, sent.admin)
    assert admin.get(sent.url).status_code == 200
    assert views(sent.invoice) == (None, None, 0)
    # Someone signed in to another space is, for this document, a visitor like any other.
    outsider = app.test_client()
    login(outsider, create_space())
    assert outsider.get(sent.url).status_code == 200
    assert views(sent.invoice)[2] == 1


def test_sample_pages_do_not_count(sent):
    for kind in ("invoice", "estimate", "credit-note"):
        assert sent.visitor.get(f"/p/sample-{kind}").status_code == 200
    assert views(sent.invoice) == (None, None, 0)


def test_a_revoked_link_is_404_and_records_nothing(sent):
    revoke_links(INVOICE, sent.invoice)
    db.session.commit()
    assert sent.visitor.get(sent.url).status_code == 404
    assert sent.visitor.get(sent.url[:-1]).status_code == 404
    assert views(sent.invoice) == (None, None, 0)


def test_a_view_whose_write_is_locked_out_still_shows_the_page(sent, engine_name, database_url):
    """Another transaction holds the lock the write needs (SQLite: the database's write lock;
    PostgreSQL: the document's row): the page is shown within about LOCK_WAIT, unrecorded."""
    holding, release = threading.Event(), threading.Event()
    problems, invoice_id = [], sent.invoice.id

    def hold_the_lock():
        try:
            if engine_name == "sqlite":
                path = database_url.removeprefix("sqlite:///")
                conn = sqlite3.connect(path, isolation_level=None)
                conn.execute("BEGIN IMMEDIATE")
            else:
                url = database_url.replace("postgresql+psycopg://", "postgresql://")
                conn = psycopg.connect(url)
                conn.execute("SELECT id FROM invoice WHERE id = %s FOR UPDATE", (invoice_id,))
            holding.set()
            release.wait(30)
            conn.rollback()
            conn.close()
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            problems.append(exc)
            holding.set()

    holder = threading.Thread(target=hold_the_lock, daemon=True)
    holder.start()
    try:
        assert holding.wait(10) and not problems, problems
        started = time.monotonic()
        response = sent.visitor.get(sent.url)
        took = time.monotonic() - started
    finally:
        release.set()
        holder.join(30)
    assert response.status_code == 200
    assert "Invoice INV-000001" in response.get_data(as_text=True)
    assert LOCK_WAIT * 0.8 <= took < LOCK_WAIT + 4, took  # it did wait, and not for long
    assert views(sent.invoice) == (None, None, 0)
    # The lock gone, the next view is recorded: the connection was left in working order.
    assert sent.visitor.get(sent.url).status_code == 200
    assert views(sent.invoice)[2] == 1


def test_every_kind_records_and_its_page_and_list_show_viewed_in_the_space_zone(
    app, client, create_space, create_customer, login
):
    admin = create_space(name="Tokyo KK")
    space = db.session.get(Space, admin.space_id)
    space.timezone = "Asia/Tokyo"
    db.session.commit()
    customer = create_customer(space)
    login(client, admin)
    estimate = test_estimates.create(client, customer.id)
    credit_note = test_credit_notes.create(client, customer.id)
    estimate.status, credit_note.status = "sent", "issued"
    links = {
        ESTIMATE: active_link(ESTIMATE, estimate).token,
        CREDIT_NOTE: active_link(CREDIT_NOTE, credit_note).token,
    }
    db.session.commit()
    assert "Not viewed yet" in client.get(f"/estimates/{estimate.id}").get_data(as_text=True)

    visitor = app.test_client()
    for kind, document in ((ESTIMATE, estimate), (CREDIT_NOTE, credit_note)):
        assert visitor.get(f"/p/{kind.name}/{links[kind]}").status_code == 200
        first, last, count = views(document)
        assert first == last is not None and count == 1, kind.name
        # 09:30 UTC is 18:30 in Tokyo: the time shown is the space's.
        when = last.replace(hour=9, minute=30, second=0, microsecond=0)
        set_last_view(document, when)
        page = client.get(f"/{kind.url_prefix}/{document.id}").get_data(as_text=True)
        viewed = page.split('id="viewed"', 1)[1].split("</p>", 1)[0]
        stamp = when.strftime("%Y-%m-%d") + " 18:30 JST"
        assert "<strong>Viewed</strong> " + stamp in viewed, viewed
        assert "Not viewed yet" not in page
        listing = client.get(f"/{kind.url_prefix}").get_data(as_text=True)
        row = next(r for r in listing.split("<tr>") if document.number in r)
        assert "Viewed " + stamp in row, row


def test_an_unviewed_document_shows_no_viewed_mark_in_its_list(sent, app, login):
    staff = app.test_client()
    login(staff, sent.admin)

    def row():
        listing = staff.get("/invoices").get_data(as_text=True)
        return next(r for r in listing.split("<tr>") if "INV-" in r)

    assert "Viewed" not in row()
    assert sent.visitor.get(sent.url).status_code == 200
    assert "Viewed " in row()
