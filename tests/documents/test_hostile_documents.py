"""Hostile input around documents: bounded before anything renders it, contained when rendering
still fails, and the PDF a customer receives exactly right."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from djaboo.documents.kinds import INVOICE
from djaboo.documents.models import Invoice, ReminderLog
from djaboo.documents.reminders import run_reminders
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.models import EmailSettings, EmailWrapper
from djaboo.staff.models import User
from tests.documents.conftest import send_form, wait_for_delivery
from tests.documents.test_reminders import now_after_send_hour, overdue_shop  # noqa: F401
from tests.settings.conftest import form_data

# Well under every length limit (17,504 characters), yet 2,500 levels deep.
DEEP = "<b>" * 2500 + "deep" + "</b>" * 2500


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def _store_header(space_id: int, html: str) -> None:
    """As if saved before the bounds existed, or written to the database around the forms."""
    db.session.execute(
        sa.update(EmailWrapper)
        .where(EmailWrapper.space_id == space_id, EmailWrapper.language == "en")
        .values(header_html=html)
    )
    db.session.commit()


def test_deep_html_is_refused_by_every_form_and_nothing_is_saved(shop):
    admin_client = shop.client.application.test_client()
    from tests.fixtures.factories import DEFAULT_PASSWORD

    admin_client.submit("/login", {"email": shop.admin.email, "password": DEFAULT_PASSWORD})
    for field in ("signature_html", "header_html", "footer_html"):
        response = admin_client.submit(
            "/settings/email",
            form_data(host="127.0.0.1", port=shop.server.port, encryption="none", **{field: DEEP}),
        )
        assert response.status_code == 400, field
        assert "levels deep; at most 40 are allowed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert "HEADER" in db.session.get(EmailSettings, shop.admin.space_id).texts_in("en").header_html

    profile = shop.client.submit("/staff/profile", {"name": "Sam Staff", "signature_html": DEEP})
    assert "levels deep" in profile.get_data(as_text=True)
    db.session.expire_all()
    assert "SAM'S OWN SIGNATURE" in db.session.get(User, shop.staff.id).signature_html

    send = shop.client.post(
        f"/invoices/{shop.invoice.id}/send",
        data=send_form(shop.client, shop.invoice.id, body_html=DEEP),
    )
    page = send.get_data(as_text=True)
    assert send.status_code == 400 and "levels deep" in page
    assert "Fix the errors in the form to see the preview." in page
    assert db.session.execute(sa.select(OutboxMessage)).first() is None


def test_a_deep_header_already_stored_is_a_clear_error_not_a_crash(shop):
    _store_header(shop.admin.space_id, DEEP)
    page = shop.client.get(f"/invoices/{shop.invoice.id}/send").get_data(as_text=True)
    assert "The email&#39;s HTML cannot be used. The HTML nests elements 2500 levels deep" in page
    response = shop.client.post(
        f"/invoices/{shop.invoice.id}/send", data=send_form(shop.client, shop.invoice.id)
    )
    assert response.status_code == 400
    assert "The email&#39;s HTML cannot be used." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invoice, shop.invoice.id).status == "draft"  # rolled back whole
    assert db.session.execute(sa.select(OutboxMessage)).first() is None


def test_one_spaces_poison_header_never_stops_the_others_reminders(
    overdue_shop,  # noqa: F811
    create_space,
    create_user,
    create_customer,
    create_invoice,
    app,
):
    poisoned = overdue_shop.invoice()
    _store_header(overdue_shop.admin.space_id, DEEP)
    other_admin = create_space(name="Healthy Ltd")
    healthy_client = app.test_client()
    from tests.fixtures.factories import DEFAULT_PASSWORD

    healthy_client.submit("/login", {"email": other_admin.email, "password": DEFAULT_PASSWORD})
    healthy_client.submit(
        "/settings/email",
        form_data(host="127.0.0.1", port=overdue_shop.server.port, encryption="none"),
    )
    customer = create_customer(other_admin.space)
    healthy = create_invoice(
        customer, status="unpaid", issue_date=date.today() - timedelta(days=40), due_in_days=30
    )

    queued = run_reminders(now_after_send_hour())

    [good] = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.id.in_(queued)))
    assert good[0].doc_id == healthy.id and good[0].status == "queued"
    bad = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.doc_id == poisoned.id)
    ).scalar_one()
    assert bad.status == "attention" and bad.status_label == "Needs attention"
    assert "could not be made" in bad.last_error and "levels deep" in bad.last_error
    assert bad.raw == b"" and bad.message_id == ""
    # Recorded once: the next run neither retries it nor adds a second notice.
    assert run_reminders(now_after_send_hour()) == []
    assert db.session.execute(sa.select(sa.func.count()).select_from(ReminderLog)).scalar() == 2
    page = overdue_shop.client.get(f"/emails/{bad.id}").get_data(as_text=True)
    assert "levels deep" in page and ">Resend</button>" not in page
    resend = overdue_shop.client.submit(f"/emails/{bad.id}/resend", page=f"/emails/{bad.id}")
    assert resend.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, bad.id).status == "attention"  # nothing empty went out


def test_too_many_lines_are_refused_with_a_clear_message(shop):
    page = shop.client.get(f"/invoices/{shop.invoice.id}/edit").get_data(as_text=True)
    from tests.fixtures.database import csrf_token_from

    data = {
        "csrf_token": csrf_token_from(page),
        "customer_id": shop.customer.id,
        "issue_date": date.today().isoformat(),
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
        "currency": "EUR",
    }
    for n in range(201):
        data |= {
            f"lines-{n}-description": f"Line {n}",
            f"lines-{n}-quantity": "1",
            f"lines-{n}-unit_price": "1",
            f"lines-{n}-tax_rate": "0",
        }
    response = shop.client.post(f"/invoices/{shop.invoice.id}/edit", data=data)
    assert response.status_code in (200, 400)
    assert "A document has at most 200 lines." in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Invoice, shop.invoice.id).lines) == 1


def test_totals_beyond_what_the_columns_hold_are_a_form_error(shop):
    page = shop.client.get(f"/invoices/{shop.invoice.id}/edit").get_data(as_text=True)
    from tests.fixtures.database import csrf_token_from

    response = shop.client.post(
        f"/invoices/{shop.invoice.id}/edit",
        data={
            "csrf_token": csrf_token_from(page),
            "customer_id": shop.customer.id,
            "issue_date": date.today().isoformat(),
            "due_date": (date.today() + timedelta(days=30)).isoformat(),
            "currency": "EUR",
            "lines-0-description": "Huge",
            "lines-0-quantity": "100000000",
            "lines-0-unit_price": "10000000000",
            "lines-0-tax_rate": "0",
        },
    )
    assert "The total may not exceed" in response.get_data(as_text=True)


def test_a_pdf_that_takes_too_long_is_stopped_and_the_app_answers(
    make_app, create_space, create_customer, create_invoice, login
):
    app = make_app(PDF_TIMEOUT=1)
    with app.app_context():
        admin = create_space()
        customer = create_customer(admin.space)
        long_text = "Word " * 400  # 200 lines of 2,000 characters: dozens of pages
        invoice = create_invoice(
            customer, status="unpaid", lines=[(long_text, "1", "1", "0")] * 200
        )
        client = app.test_client()
        login(client, admin)
        response = client.get(f"/invoices/{invoice.id}/pdf")
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
        page = response.get_data(as_text=True)
        assert "PDF not available" in page and "took longer than 1 seconds" in page
        assert client.get("/invoices").status_code == 200  # the worker that asked is fine


def test_the_pdf_of_a_first_send_shows_the_status_after_the_send(shop):
    assert shop.invoice.status == "draft"
    shop.client.post(
        f"/invoices/{shop.invoice.id}/send", data=send_form(shop.client, shop.invoice.id)
    )
    for row in db.session.execute(sa.select(OutboxMessage)).scalars().all():
        assert wait_for_delivery(row.id).status == "sent"
    assert len(shop.server.messages) == 2  # one per contact, the same PDF attached to each
    for got in shop.server.messages:
        [pdf] = list(got.message.iter_attachments())
        text = pdf_text(pdf.get_content())
        assert "Unpaid" in text and "Draft" not in text


def test_a_cached_pdf_never_shows_a_stale_status(shop):
    from djaboo.documents.models import DocumentPDF

    def cached():
        return db.session.execute(sa.select(DocumentPDF.html_sha256)).scalars().all()

    shop.client.post(
        f"/invoices/{shop.invoice.id}/send", data=send_form(shop.client, shop.invoice.id)
    )
    [when_sent] = cached()  # the send drew the PDF ("Unpaid") and kept it
    # Time passes: the due date is behind us, nothing about the invoice's version changed.
    db.session.execute(
        sa.update(Invoice)
        .where(Invoice.id == shop.invoice.id)
        .values(due_date=date.today() - timedelta(days=1))
    )
    db.session.commit()
    page = shop.client.get(f"/invoices/{shop.invoice.id}/pdf")
    assert "Overdue" in pdf_text(page.data) and "Unpaid" not in pdf_text(page.data)
    # Drawn once and kept in place of the stale one: the next download is the same bytes.
    [now] = cached()
    assert now != when_sent
    assert shop.client.get(f"/invoices/{shop.invoice.id}/pdf").data == page.data


@pytest.mark.parametrize("status", ["unpaid"])
def test_public_pdf_link_is_bounded_too(shop, status, make_app):
    """The public PDF link (no sign-in) goes through the same time-limited renderer."""
    from djaboo.documents.public_links import active_link

    db.session.execute(
        sa.update(Invoice).where(Invoice.id == shop.invoice.id).values(status=status)
    )
    link = active_link(INVOICE, shop.invoice)
    db.session.commit()
    response = shop.client.application.test_client().get(f"/p/invoice/{link.token}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
