"""Public links are bound to their space, type and document; every staff route answers 404 for
another space's ids and changes nothing."""

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.kinds import INVOICE
from djaboo.documents.models import Customer, Invoice, PublicLink
from djaboo.documents.public_links import active_link
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage


def test_public_link_shows_the_invoice_without_sign_in(
    app, create_space, create_customer, create_invoice
):
    admin = create_space(name="Acme Ltd")
    invoice = create_invoice(create_customer(admin.space, company="Globex"), admin, status="unpaid")
    token = active_link(INVOICE, invoice).token
    db.session.commit()
    visitor = app.test_client()
    page = visitor.get(f"/p/invoice/{token}")
    assert page.status_code == 200 and "Invoice INV-000001" in page.get_data(as_text=True)
    pdf = visitor.get(f"/p/invoice/{token}/pdf")
    assert pdf.mimetype == "application/pdf" and pdf.headers["X-Robots-Tag"] == "noindex"
    assert visitor.get("/invoices").status_code == 302  # nothing else opens


def test_wrong_foreign_revoked_or_confused_tokens_are_404(
    app, create_space, create_customer, create_invoice
):
    admin = create_space()
    invoice = create_invoice(create_customer(admin.space), admin, status="unpaid")
    draft = create_invoice(create_customer(admin.space), admin)
    link = active_link(INVOICE, invoice)
    estimate_link = PublicLink(
        space_id=admin.space_id,
        doc_type="estimate",
        doc_id=invoice.id,
        token="estimate-token-for-the-same-id",
    )
    db.session.add(estimate_link)
    draft_token = active_link(INVOICE, draft).token
    db.session.commit()
    visitor = app.test_client()
    for url in (
        "/p/invoice/nope",
        f"/p/invoice/{link.token}x",
        f"/p/invoice/{estimate_link.token}",
        f"/p/invoice/{draft_token}",
        "/p/invoice/" + "a" * 200,
    ):
        assert visitor.get(url).status_code == 404, url
    link.revoked_at = utcnow()
    db.session.commit()
    assert visitor.get(f"/p/invoice/{link.token}").status_code == 404


def test_every_documents_route_is_404_across_spaces(
    client, create_space, create_customer, create_invoice, login
):
    mine, theirs = create_space(), create_space()
    customer = create_customer(theirs.space)
    invoice = create_invoice(customer, theirs, status="unpaid")
    row = OutboxMessage(
        space_id=theirs.space_id,
        idempotency_key="k",
        message_id="<m@x>",
        sender="a@x.example",
        recipients=["b@x.example"],
        raw=b"x",
        status="failed",
    )
    db.session.add(row)
    db.session.commit()
    contact_id = customer.contacts[0].id
    login(client, mine)
    gets = [
        f"/customers/{customer.id}",
        f"/customers/{customer.id}/edit",
        f"/invoices/{invoice.id}",
        f"/invoices/{invoice.id}/edit",
        f"/invoices/{invoice.id}/pdf",
        f"/invoices/{invoice.id}/send",
        f"/emails/{row.id}",
        f"/emails/{row.id}.eml",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = {
        f"/customers/{customer.id}/edit": {"company": "Hijacked", "currency": "EUR"},
        f"/customers/{customer.id}/contacts": {"email": "x@evil.example"},
        f"/contacts/{contact_id}/delete": {},
        f"/invoices/{invoice.id}/payments": {"amount": "1", "paid_on": "2026-01-01"},
        f"/invoices/{invoice.id}/cancel": {},
        f"/invoices/{invoice.id}/send": {"subject": "x", "body_html": "x"},
        f"/invoices/{invoice.id}/send/preview": {"subject": "x", "body_html": "x"},
        f"/emails/{row.id}/resend": {},
    }
    for url, data in posts.items():
        assert client.submit(url, data, page="/customers").status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).company != "Hijacked"
    assert len(db.session.get(Customer, customer.id).contacts) == 1
    assert db.session.get(Invoice, invoice.id).status == "unpaid"
    assert db.session.get(OutboxMessage, row.id).status == "failed"
    invoices_page = client.get("/invoices").get_data(as_text=True)
    assert invoice.number not in invoices_page.split("<tbody>")[1]
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 1


def test_new_invoice_for_another_spaces_customer_is_refused(
    client, create_space, create_customer, login
):
    from tests.documents.test_invoices import invoice_data

    mine, theirs = create_space(), create_space()
    create_customer(mine.space)
    foreign = create_customer(theirs.space)
    login(client, mine)
    response = client.submit("/invoices/new", invoice_data(foreign.id))
    assert response.status_code in (200, 400)
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(Invoice.id))).scalar_one() == 0


def test_staff_can_revoke_a_link(app, client, create_space, create_customer, create_invoice, login):
    admin = create_space()
    invoice = create_invoice(create_customer(admin.space), admin, status="unpaid")
    old = active_link(INVOICE, invoice).token
    db.session.commit()
    login(client, admin)
    response = client.submit(
        f"/invoices/{invoice.id}/revoke-link",
        {},
        page=f"/invoices/{invoice.id}",
        follow_redirects=True,
    )
    assert "The old link no longer works" in response.get_data(as_text=True)
    visitor = app.test_client()
    assert visitor.get(f"/p/invoice/{old}").status_code == 404
    new = active_link(INVOICE, invoice).token
    assert new != old and visitor.get(f"/p/invoice/{new}").status_code == 200
    other = create_space()
    outsider = app.test_client()
    login(outsider, other)
    assert (
        outsider.submit(f"/invoices/{invoice.id}/revoke-link", {}, page="/invoices").status_code
        == 404
    )
