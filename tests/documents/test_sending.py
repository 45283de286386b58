"""Sending an invoice: composed as previewed, queued with the status change, delivered to the
real SMTP fixture, recorded in the invoice's history."""

import subprocess
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from djaboo.documents.models import Invoice
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.parts import MailPart
from tests.documents.conftest import send_form, wait_for_delivery
from tests.settings.conftest import form_data


def test_send_invoice_end_to_end(shop):
    """Two chosen contacts: two emails, each to one contact and greeted by name (Perfex does
    the same), each its own outbox row, Message-ID and line in the invoice's history; the
    PDF is attached to both; the audit address of "BCC all" gets a copy of each."""
    client, invoice = shop.client, shop.invoice
    data = send_form(client, invoice.id)
    assert len(data["contacts"]) == 2
    response = client.post(f"/invoices/{invoice.id}/send", data=data, follow_redirects=True)
    assert "Emails to Jane Doe, Bob Roe queued" in response.get_data(as_text=True)
    rows = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert len(rows) == 2 and len({r.message_id for r in rows}) == 2
    assert [r.idempotency_key for r in rows] == [
        f"{data['send_key']}:{c.id}" for c in shop.customer.contacts
    ]
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "unpaid"
    rows = [wait_for_delivery(r.id) for r in rows]
    assert all(r.status == "sent" for r in rows), [r.last_error for r in rows]
    assert all((r.origin, r.sent_by_id) == ("manual", shop.staff.id) for r in rows)
    assert [r.to_display for r in rows] == [
        "Jane Doe <jane@example.org>",
        "Bob Roe <bob@example.org>",
    ]
    by_id = {m.message["Message-ID"]: m for m in shop.server.messages}
    jane, bob = by_id[rows[0].message_id], by_id[rows[1].message_id]
    assert jane.rcpt_tos == ["jane@example.org", "audit@acme.example"]
    assert bob.rcpt_tos == ["bob@example.org", "audit@acme.example"]
    for got, name, address in ((jane, "Jane", "jane@example.org"), (bob, "Bob", "bob@example.org")):
        assert [a.addr_spec for a in got.message["To"].addresses] == [address]
        assert got.message["Cc"] is None
        assert got.message["Bcc"] is None and b"audit@acme.example" not in got.content
        assert got.message["Reply-To"].addresses[0].addr_spec == shop.staff.email
        assert got.message["From"].addresses[0].addr_spec == "billing@acme.example"
        assert got.message["Subject"] == "Invoice INV-000001 from Acme Ltd"
        # A person sent it: no robot's headers (and nothing to thread with yet).
        for header in ("Auto-Submitted", "X-Auto-Response-Suppress", "In-Reply-To", "References"):
            assert got.message[header] is None
        html = got.message.get_body(("html",)).get_content()
        assert (
            html.index("HEADER Acme Ltd")
            < html.index(f"Dear {name},")
            < html.index("SAM'S OWN SIGNATURE")
            < html.index("FOOTER")
        )
        assert "Dear Jane" not in html if name == "Bob" else "Dear Bob" not in html
        assert "&lt;b&gt;ACME&lt;/b&gt; &amp; {invoice_number}" in html and "€1,440.00" in html
        assert "GLOBAL SIGNATURE" not in html
        [pdf] = list(got.message.iter_attachments())
        assert pdf.get_filename() == "INV-000001.pdf"
    assert _attachment(jane) == _attachment(bob)  # drawn once, attached to each
    # ... and stored once: the rows keep a marker, the PDF is one mail_part (issue #16).
    [part] = db.session.execute(sa.select(MailPart)).scalars().all()
    assert part.content == _attachment(jane)
    assert all(len(r.raw) - len(r.stored) > len(part.content) for r in rows)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=_attachment(jane), capture_output=True, check=True
    ).stdout.decode()
    assert "Invoice INV-000001" in text and "Consulting" in text

    page = client.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    history = page[page.index('id="emails"') :]
    assert history.count("Accepted by the server") == 2 and "250 2.0.0 Message accepted" in page
    assert "Jane Doe &lt;jane@example.org&gt;" in history
    assert "Bob Roe &lt;bob@example.org&gt;" in history
    for row in rows:
        assert f"/emails/{row.id}" in history
        detail = client.get(f"/emails/{row.id}").get_data(as_text=True)
        assert (
            "audit@acme.example" in detail and "Sam Staff" in detail and "Sent by staff" in detail
        )
        eml = client.get(f"/emails/{row.id}.eml")
        assert (
            eml.mimetype == "message/rfc822"
            and eml.data == row.raw == by_id[row.message_id].content
        )


def _attachment(got) -> bytes:
    [pdf] = list(got.message.iter_attachments())
    return pdf.get_content()


def test_a_resubmitted_form_sends_each_contact_one_email(shop):
    data = send_form(shop.client, shop.invoice.id)
    first = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    second = shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data, follow_redirects=True)
    assert first.status_code == 302
    assert "These emails were already queued" in second.get_data(as_text=True)
    assert "they were not sent twice" in second.get_data(as_text=True)
    rows = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert len(rows) == 2
    for row in rows:
        wait_for_delivery(row.id)
    assert sorted(m.rcpt_tos[0] for m in shop.server.messages) == [
        "bob@example.org",
        "jane@example.org",
    ]


def test_the_cc_goes_on_the_first_email_only(shop):
    jane, bob = shop.customer.contacts
    data = send_form(shop.client, shop.invoice.id, cc="boss@northwind.example")
    shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    rows = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    rows = [wait_for_delivery(r.id) for r in rows]
    by_id = {m.message["Message-ID"]: m for m in shop.server.messages}
    first, second = by_id[rows[0].message_id], by_id[rows[1].message_id]
    assert first.message["To"].addresses[0].addr_spec == jane.email
    assert [a.addr_spec for a in first.message["Cc"].addresses] == ["boss@northwind.example"]
    assert first.rcpt_tos == [jane.email, "boss@northwind.example", "audit@acme.example"]
    assert second.message["Cc"] is None
    assert second.rcpt_tos == [bob.email, "audit@acme.example"]
    assert b"boss@northwind.example" not in second.content


def test_the_same_form_with_a_contact_added_sends_only_to_that_contact(shop):
    """Idempotent per contact: back in the browser, Bob ticked as well, Send again: Bob gets
    his email; Jane (and the CC, which went with hers) nothing twice."""
    jane, bob = shop.customer.contacts
    data = send_form(shop.client, shop.invoice.id, contacts=[str(jane.id)], cc="cc@x.example")
    shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    again = shop.client.post(
        f"/invoices/{shop.invoice.id}/send",
        data={**data, "contacts": [str(jane.id), str(bob.id)]},
        follow_redirects=True,
    )
    assert "Email to Bob Roe queued" in again.get_data(as_text=True)
    rows = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [r.recipients for r in rows] == [
        [jane.email, "cc@x.example", "audit@acme.example"],
        [bob.email, "audit@acme.example"],
    ]


def _parsed(row):
    return message_from_bytes(row.raw, policy=policy.default)


def test_later_emails_about_a_document_follow_its_first_in_one_thread(shop, create_user):
    """A re-send names the first email each contact received (the document's first for a
    contact who had none) in In-Reply-To and References, as a mail program reads them."""
    from djaboo.documents.models import Contact

    jane, bob = shop.customer.contacts
    shop.client.post(
        f"/invoices/{shop.invoice.id}/send",
        data=send_form(shop.client, shop.invoice.id, contacts=[str(jane.id)]),
    )
    shop.client.post(
        f"/invoices/{shop.invoice.id}/send",
        data=send_form(shop.client, shop.invoice.id, contacts=[str(bob.id)]),
    )
    carol = Contact(
        space_id=shop.customer.space_id,
        customer_id=shop.customer.id,
        first_name="Carol",
        last_name="Coe",
        email="carol@example.org",
        receives_documents=True,
    )
    db.session.add(carol)
    db.session.commit()
    data = send_form(shop.client, shop.invoice.id)
    assert data["event"] == "invoice_resent"  # the page offers the re-send text now
    shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data)
    rows = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    first_jane, first_bob, *resent = rows
    assert [r.recipients[0] for r in resent] == [jane.email, bob.email, carol.email]
    assert _parsed(first_jane)["In-Reply-To"] is None and _parsed(first_jane)["References"] is None
    # Bob had no email yet: his first follows the invoice's first; his later ones his first.
    expected = [
        (first_bob, first_jane.message_id, first_jane.message_id),
        (resent[0], first_jane.message_id, first_jane.message_id),
        (resent[1], first_bob.message_id, f"{first_jane.message_id} {first_bob.message_id}"),
        (resent[2], first_jane.message_id, first_jane.message_id),
    ]
    for row, parent, references in expected:
        message = _parsed(row)
        assert (message["In-Reply-To"], message["References"]) == (parent, references)
        assert message["Message-ID"] == row.message_id != parent
        assert message["Auto-Submitted"] is None  # a person sent it
    for row in rows:
        wait_for_delivery(row.id)
    delivered = {m.message["Message-ID"]: m.message for m in shop.server.messages}
    assert delivered[resent[1].message_id]["In-Reply-To"] == first_bob.message_id


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
    assert preview["recipient"] == (
        "Jane Doe <jane@example.org>. Each recipient gets their own email; the preview shows the "
        "one to Jane Doe. The others go to: Bob Roe <bob@example.org>."
    )
    assert "Dear Jane," in preview["html"] and "Bob" not in preview["html"]
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0


def test_failed_delivery_is_recorded_and_can_be_resent(shop):
    shop.server.script.rcpt = {"*": "550 5.1.1 No such user"}
    data = send_form(shop.client, shop.invoice.id, contacts=[str(shop.customer.contacts[0].id)])
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
    for row_id in db.session.execute(sa.select(OutboxMessage.id)).scalars().all():
        wait_for_delivery(row_id)
    htmls = sorted(m.message.get_body(("html",)).get_content() for m in shop.server.messages)
    assert "Hi Bob" in htmls[0] and "Hi Jane" in htmls[1]
    for html in htmls:
        for bad in ("<script", "onclick", "javascript:"):
            assert bad not in html


def test_a_message_typed_as_plain_lines_is_sent_with_its_line_breaks(shop):
    data = send_form(
        shop.client,
        shop.invoice.id,
        body_html="Dear {contact_firstname},\r\nhere is {invoice_number}.\r\n{email_signature}",
    )
    assert shop.client.post(f"/invoices/{shop.invoice.id}/send", data=data).status_code == 302
    for row_id in db.session.execute(sa.select(OutboxMessage.id)).scalars().all():
        assert wait_for_delivery(row_id).status == "sent"
    [message] = [
        m.message for m in shop.server.messages if "jane@example.org" in str(m.message["To"])
    ]
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert "Dear Jane,<br>\nhere is INV-000001.<br>" in html
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Dear Jane,\nhere is INV-000001.\n" in text
