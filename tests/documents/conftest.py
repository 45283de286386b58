"""Shared by the documents tests: a space that sends through the SMTP fixture."""

import re
import time

import pytest

from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from tests.settings.conftest import form_data


def wait_for_delivery(row_id, timeout=20):
    """The row once the mail worker (running in the test: the shop fixture starts one) is done
    with it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        row = db.session.get(OutboxMessage, row_id)
        if row.status not in ("queued", "sending"):
            return row
        time.sleep(0.05)
    raise AssertionError("still not delivered")


@pytest.fixture
def shop(idle_shop, mail_worker):
    """idle_shop with a mail worker running (pages only queue email; the worker sends it)."""
    mail_worker()
    return idle_shop


@pytest.fixture
def idle_shop(
    app, client, create_space, create_user, create_customer, create_invoice, login, smtp_server
):
    """A space sending through the SMTP fixture, a staff member with a signature, an invoice;
    no mail worker."""
    admin = create_space(name="Acme Ltd")
    admin_client = app.test_client()
    login(admin_client, admin)
    server = smtp_server()
    admin_client.submit(
        "/settings/email",
        form_data(
            host="127.0.0.1",
            port=server.port,
            encryption="none",
            bcc_all="audit@acme.example",
            signature_html="<p>GLOBAL SIGNATURE</p>",
            header_html="<div>HEADER {companyname}</div>",
            footer_html="<p>FOOTER</p>",
        ),
    )
    staff = create_user(admin.space, name="Sam Staff", signature="<p>SAM'S OWN SIGNATURE</p>")
    customer = create_customer(
        admin.space,
        company="<b>ACME</b> & {invoice_number}",
        contacts=[("Jane", "Doe", "jane@example.org"), ("Bob", "Roe", "bob@example.org")],
    )
    invoice = create_invoice(customer, staff)
    login(client, staff)

    class Shop:
        pass

    shop = Shop()
    shop.__dict__.update(
        admin=admin, staff=staff, customer=customer, invoice=invoice, server=server, client=client
    )
    return shop


def estimate_send_form(client, estimate, **overrides):
    """The estimate's send form to its customer's first contact, as its page draws it."""
    page = client.get(f"/estimates/{estimate.id}/send").get_data(as_text=True)
    data = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "send_key": re.search(r'name="send_key"[^>]*value="([^"]+)"', page).group(1),
        "event": "estimate_sent",
        "contacts": [str(estimate.customer.contacts[0].id)],
        "subject": "Estimate {estimate_number}",
        "body_html": "<p>See {estimate_link} valid until {estimate_expirydate}</p>",
        "attach_pdf": "y",
        "action": "send",
    }
    return data | overrides


def send_form(client, invoice_id, **overrides):
    page = client.get(f"/invoices/{invoice_id}/send").get_data(as_text=True)
    data = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "send_key": re.search(r'name="send_key"[^>]*value="([^"]+)"', page).group(1),
        "event": re.search(r'name="event" value="([^"]+)"', page).group(1),
        "contacts": re.findall(r'name="contacts"[^>]*value="(\d+)" checked', page)
        or re.findall(r'checked[^>]*name="contacts"[^>]*value="(\d+)"', page),
        "subject": "Invoice {invoice_number} from {companyname}",
        "body_html": "<p>Dear {contact_firstname}, {client_company} owes {invoice_total}.</p>"
        "{email_signature}",
        "attach_pdf": "y",
        "cc": "",
        "action": "send",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
