"""Sending an invoice: composed as previewed, queued with the status change, delivered to the
real SMTP fixture, recorded in the invoice's history."""

import subprocess

import pytest
import sqlalchemy as sa

from djaboo.documents.models import Invoice
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from tests.documents.conftest import send_form, wait_for_delivery
from tests.settings.conftest import form_data


def test_send_invoice_end_to_end(shop):
    client, invoice = shop.client, shop.invoice
    data = send_form(client, invoice.id)
    assert len(data["contacts"]) == 2
    response = client.post(f"/invoices/{invoice.id}/send", data=data)
    assert response.status_code == 302
    row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "unpaid"
    row = wait_for_delivery(row.id)
    assert row.status == "sent", row.last_error
    assert (row.origin, row.sent_by_id) == ("manual", shop.staff.id)
    [got] = shop.server.messages
    assert got.rcpt_tos == ["jane@example.org", "bob@example.org", "audit@acme.example"]
    assert got.message["Bcc"] is None and b"audit@acme.example" not in got.content
    assert got.message["Reply-To"].addresses[0].addr_spec == shop.staff.email
    assert got.message["From"].addresses[0].addr_spec == "billing@acme.example"
    assert got.message["Subject"] == "Invoice INV-000001 from Acme Ltd"
    html = got.message.get_body(("html",)).get_content()
    assert (
        html.index("HEADER Acme Ltd")
        < html.index("Dear Jane")
        < html.index("SAM'S OWN SIGNATURE")
        < html.index("FOOTER")
    )
    assert "&lt;b&gt;ACME&lt;/b&gt; &amp; {invoice_number}" in html and "€1,440.00" in html
    assert "GLOBAL SIGNATURE" not in html
    [pdf] = list(got.message.iter_attachments())
    assert pdf.get_filename() == "INV-000001.pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.get_content(), capture_output=True, check=True
    ).stdout.decode()
    assert "Invoice INV-000001" in text and "Consulting" in text

    page = client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert "Accepted by the server" in page and "250 2.0.0 Message accepted" in page
    detail = client.get(f"/emails/{row.id}").get_data(as_text=True)
    assert "audit@acme.example" in detail and "Sam Staff" in detail and "Sent by staff" in detail
    eml = client.get(f"/emails/{row.id}.eml")
    assert eml.mimetype == "message/rfc822" and eml.data == row.raw == got.content


def test_a_resubmitted_form_sends_one_email(shop):
    data = send_form(shop.client, shop.invoice.id)
    first = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    second = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data, follow_redirects=True)
    assert first.status_code == 302
    assert "it was not sent twice" in second.get_data(as_text=True)
    [row] = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    wait_for_delivery(row.id)
    assert len(shop.server.messages) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": "Invoice\r\nBcc: evil@example.org"}, "A subject cannot contain line breaks."),
        ({"contacts": []}, "Choose at least one recipient."),
        ({"cc": "ok@example.org, not-an-address"}, "is not a valid email address"),
        ({"cc": "a@x.example, b@x.example, c@x.example, d@x.example"}, "At most 3 CC addresses."),
        ({"body_html": "<p>{invoce_number}</p>"}, "Unknown merge field {invoce_number}"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_queued(shop, overrides, message):
    data = send_form(shop.client, shop.invoice.id, **overrides)
    response = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0
    db.session.expire_all()
    assert db.session.get(Invoice, shop.invoice.id).status == "draft"


def test_unencodable_text_is_refused_by_name(shop, app):
    admin_client = app.test_client()
    from tests.fixtures.factories import DEFAULT_PASSWORD

    admin_client.submit("/login", {"email": shop.admin.email, "password": DEFAULT_PASSWORD})
    admin_client.submit(
        "/settings/email",
        form_data(host="127.0.0.1", port=shop.server.port, encryption="none", charset="iso-8859-1"),
    )
    data = send_form(shop.client, shop.invoice.id, subject="Facture € {invoice_number}")
    response = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    assert response.status_code == 400
    assert "U+20AC EURO SIGN" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0


def test_preview_is_the_email_as_it_will_go(shop):
    data = send_form(shop.client, shop.invoice.id, action="preview")
    response = shop.client.post(f"/invoices/{shop.invoice.id}/send/preview", data=data)
    preview = response.get_json()
    assert preview["subject"] == "Invoice INV-000001 from Acme Ltd"
    assert "SAM&#39;S OWN SIGNATURE" in preview["html"] or "SAM'S OWN SIGNATURE" in preview["html"]
    assert "Jane Doe <jane@example.org>" in preview["recipient"]
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0


def test_failed_delivery_is_recorded_and_can_be_resent(shop):
    shop.server.script.rcpt = {"*": "550 5.1.1 No such user"}
    data = send_form(shop.client, shop.invoice.id)
    shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    row = wait_for_delivery(db.session.execute(sa.select(OutboxMessage.id)).scalar_one())
    assert row.status == "failed" and "550 5.1.1 No such user" in row.last_error
    log = shop.client.get("/emails?status=failed").get_data(as_text=True)
    assert "Failed" in log and "No such user" in log
    shop.server.script.rcpt = {}
    shop.client.submit(f"/emails/{row.id}/resend", page=f"/emails/{row.id}")
    row = wait_for_delivery(row.id)
    assert row.status == "sent" and row.attempts == 2
    # One copy reached the server (beside it: the staff's notices about the failure).
    customers = [m for m in shop.server.messages if "jane@example.org" in m.rcpt_tos]
    assert len(customers) == 1
    assert customers[0].message["Message-ID"] == row.message_id


def test_the_text_typed_for_one_send_is_sanitized_like_a_template(shop):
    data = send_form(
        shop.client,
        shop.invoice.id,
        body_html=(
            '<p onclick="x()">Hi {contact_firstname}</p><script>alert(1)</script>'
            '<a href="javascript:alert(2)">pay</a>'
        ),
    )
    shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    wait_for_delivery(db.session.execute(sa.select(OutboxMessage.id)).scalar_one())
    html = shop.server.messages[0].message.get_body(("html",)).get_content()
    assert "Hi Jane" in html
    for bad in ("<script", "onclick", "javascript:"):
        assert bad not in html
