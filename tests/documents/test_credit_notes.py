"""Credit notes, the third kind of document: built from the kind registry, not from a copy.
Numbering, the invoice it credits, its PDF, sending it with its own template, its public
link, cancelling, and another space's credit notes."""

import html
import re
import subprocess
from datetime import date

import sqlalchemy as sa

from djaboo.documents.kinds import CREDIT_NOTE, INVOICE
from djaboo.documents.models import CreditNote
from djaboo.documents.numbering import next_number
from djaboo.documents.public_links import active_link
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from tests.documents.conftest import wait_for_delivery


def credit_note_data(customer_id, **overrides):
    data = {
        "customer_id": str(customer_id),
        "currency": "EUR",
        "issue_date": date.today().isoformat(),
        "invoice_id": "0",
        "notes": "Returned goods",
        "lines-0-description": "Refund: damaged chairs",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "50",
        "lines-0-tax_rate": "20",
    }
    data.update(overrides)
    return data


def create(client, customer_id, **overrides) -> CreditNote:
    response = client.submit("/credit-notes/new", credit_note_data(customer_id, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    newest = sa.select(CreditNote).order_by(CreditNote.id.desc()).limit(1)
    return db.session.execute(newest).scalar_one()


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_credit_notes_have_their_own_number_sequence_per_space(
    client, create_space, create_customer, create_invoice, login
):
    admin, other = create_space(), create_space()
    customer = create_customer(admin.space)
    create_invoice(customer, admin, status="unpaid")  # INV-000001 leaves CN- alone
    login(client, admin)
    first, second = create(client, customer.id), create(client, customer.id)
    assert (first.number, second.number) == ("CN-000001", "CN-000002")
    assert str(first.total) == "120.00" and first.status == "draft" and first.invoice_id is None
    assert next_number(other.space_id, CREDIT_NOTE) == "CN-000001"
    assert next_number(admin.space_id, INVOICE) == "INV-000002"
    db.session.commit()  # the sequences taken above, so that the pages below can write
    listing = client.get("/credit-notes").get_data(as_text=True)
    assert "CN-000001" in listing and "CN-000002" in listing and "€120.00" in listing
    assert "CN-000001" not in client.get("/credit-notes?q=CN-000002").get_data(as_text=True)
    assert 'href="/credit-notes"' in client.get("/invoices").get_data(as_text=True)  # nav
    page = client.get(f"/credit-notes/{first.id}").get_data(as_text=True)
    assert "Credit note CN-000001" in page and "Send credit note" in page


def test_a_credit_note_against_an_invoice_says_so_on_its_pdf(
    client, create_space, create_customer, create_invoice, login
):
    admin = create_space(name="Acme Ltd")
    customer = create_customer(admin.space, company="Globex")
    invoice = create_invoice(customer, admin, status="unpaid")
    login(client, admin)
    form = client.get(f"/credit-notes/new?customer={customer.id}&invoice={invoice.id}")
    assert f'<option selected value="{invoice.id}">INV-000001</option>' in form.get_data(
        as_text=True
    )
    credit = create(client, customer.id, invoice_id=str(invoice.id))
    assert credit.invoice_id == invoice.id
    page = client.get(f"/credit-notes/{credit.id}").get_data(as_text=True)
    assert f'href="/invoices/{invoice.id}">Invoice INV-000001' in page
    response = client.get(f"/credit-notes/{credit.id}/pdf")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in (
        "Credit note CN-000001",
        "Credits invoice INV-000001",
        "CREDIT TO",  # headings are upper case on paper
        "Globex",
        "Refund: damaged chairs",
        "€120.00",
        "Returned goods",
    ):
        assert expected in text, expected


def test_only_the_customers_own_sent_invoices_can_be_credited(
    client, create_space, create_customer, create_invoice, login
):
    admin, theirs = create_space(), create_space()
    customer, someone_else = create_customer(admin.space), create_customer(admin.space)
    others_invoice = create_invoice(someone_else, admin, status="unpaid")
    draft = create_invoice(customer, admin)
    foreign = create_invoice(create_customer(theirs.space), theirs, status="unpaid")
    login(client, admin)
    for invoice, error in (
        (others_invoice, "This invoice is another customer&#39;s."),
        (draft, "Not a valid choice"),
        (foreign, "Not a valid choice"),
    ):
        response = client.submit(
            "/credit-notes/new", credit_note_data(customer.id, invoice_id=str(invoice.id))
        )
        assert response.status_code == 200 and error in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(CreditNote.id))).scalar_one() == 0


def test_send_a_credit_note_with_its_own_template(shop, app):
    client = shop.client
    credit = create(client, shop.customer.id)
    page = client.get(f"/credit-notes/{credit.id}/send").get_data(as_text=True)
    assert "Credit note sent to customer" in page and "Invoice sent to customer" not in page
    subject = re.search(r'name="subject"[^>]*value="([^"]*)"', page).group(1)
    body = re.search(r'<textarea[^>]*name="body_html"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    data = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "send_key": re.search(r'name="send_key"[^>]*value="([^"]+)"', page).group(1),
        "event": re.search(r'name="event" value="([^"]+)"', page).group(1),
        "contacts": [str(shop.customer.contacts[0].id)],
        "subject": html.unescape(subject),  # the shipped English text, as the page offers it
        "body_html": html.unescape(body).strip(),
        "attach_pdf": "y",
        "action": "send",
    }
    assert data["event"] == "credit_note_sent"
    response = client.post(f"/credit-notes/{credit.id}/send", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/credit-notes/{credit.id}#emails")
    row = wait_for_delivery(db.session.execute(sa.select(OutboxMessage.id)).scalar_one())
    assert row.status == "sent", row.last_error
    assert (row.doc_type, row.doc_id, row.event) == ("credit_note", credit.id, "credit_note_sent")
    [got] = shop.server.messages
    assert got.message["Subject"] == "Credit note CN-000001 from Acme Ltd"
    text = got.message.get_body(("plain",)).get_content()
    assert "Please find attached credit note CN-000001 dated" in text and "€120.00" in text
    link = re.search(r"(/p/credit_note/[A-Za-z0-9_-]+)", text).group(1)
    [pdf] = list(got.message.iter_attachments())
    assert pdf.get_filename() == "CN-000001.pdf"
    printed = pdf_text(pdf.get_content())
    assert "Credit note CN-000001" in printed and "Issued" in printed
    db.session.expire_all()
    sent = db.session.get(CreditNote, credit.id)
    assert sent.status == "issued" and sent.sent_at is not None

    detail = client.get(f"/credit-notes/{credit.id}").get_data(as_text=True)
    assert "Accepted by the server" in detail
    visitor = app.test_client()
    public = visitor.get(link).get_data(as_text=True)
    assert "Credit note CN-000001" in public and "Refund: damaged chairs" in public
    assert visitor.get(f"{link}/pdf").mimetype == "application/pdf"
    assert visitor.get(link.replace("/credit_note/", "/invoice/")).status_code == 404


def test_cancelling_locks_a_credit_note(client, create_space, create_customer, login):
    admin = create_space()
    customer = create_customer(admin.space)
    login(client, admin)
    credit = create(client, customer.id)
    detail = f"/credit-notes/{credit.id}"
    response = client.submit(f"{detail}/cancel", {}, page=detail, follow_redirects=True)
    assert "Credit note CN-000001 cancelled." in response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "Send credit note" not in page and "Cancel this credit note" not in page
    edit = client.submit(
        f"{detail}/edit",
        credit_note_data(customer.id, **{"lines-0-unit_price": "1"}),
        follow_redirects=True,
    )
    assert "A cancelled credit note cannot be changed." in edit.get_data(as_text=True)
    stale = client.get(f"{detail}/send").get_data(as_text=True)  # drawn before, sent after
    data = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', stale).group(1),
        "send_key": re.search(r'name="send_key"[^>]*value="([^"]+)"', stale).group(1),
        "event": "credit_note_sent",
        "contacts": [str(customer.contacts[0].id)],
        "subject": "Credit note {credit_note_number}",
        "body_html": "<p>{credit_note_total}</p>",
        "action": "send",
    }
    refused = client.post(f"{detail}/send", data=data)
    assert refused.status_code == 400
    assert "This credit note is cancelled; it is not sent any more." in refused.get_data(
        as_text=True
    )
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0
    again = client.submit(f"{detail}/cancel", {}, page=detail, follow_redirects=True)
    assert "already cancelled" in again.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(CreditNote, credit.id)
    assert kept.status == "cancelled" and str(kept.total) == "120.00"


def test_another_spaces_credit_notes_are_404(
    app, client, create_space, create_customer, create_invoice, login
):
    mine, theirs = create_space(), create_space()
    their_client = app.test_client()
    login(their_client, theirs)
    foreign = create(their_client, create_customer(theirs.space).id)
    foreign.status = "issued"
    token = active_link(CREDIT_NOTE, foreign).token
    invoice = create_invoice(create_customer(theirs.space), theirs, status="unpaid")
    invoice_token = active_link(INVOICE, invoice).token
    db.session.commit()
    login(client, mine)
    base = f"/credit-notes/{foreign.id}"
    for url in (base, f"{base}/edit", f"{base}/pdf", f"{base}/send"):
        assert client.get(url).status_code == 404, url
    for url in (f"{base}/cancel", f"{base}/revoke-link", f"{base}/send/preview", f"{base}/edit"):
        assert client.submit(url, {}, page="/credit-notes").status_code == 404, url
    visitor = app.test_client()
    assert visitor.get(f"/p/credit_note/{token}").status_code == 200
    assert visitor.get(f"/p/credit_note/{invoice_token}").status_code == 404
    assert visitor.get(f"/p/invoice/{token}").status_code == 404
    db.session.expire_all()
    assert db.session.get(CreditNote, foreign.id).status == "issued"
