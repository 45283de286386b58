"""Inactive templates are not sent (issue #12 item 5), by any path: a staff member's send,
the reminders, the expiry reminders and the thank-you (test_expiry_reminders.py,
test_thank_you.py) and the test email."""

import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from djaboo.documents.models import Invoice
from djaboo.documents.reminders import run_reminders
from djaboo.documents.sending import SendRefused, SendRequest, queue_document_email
from djaboo.email_templates.models import EmailTemplate
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from tests.documents.conftest import send_form

MESSAGE = (
    'The template "Invoice sent to customer" is inactive; activate it in Email templates or '
    "choose another."
)


def deactivate(event):
    db.session.execute(
        sa.update(EmailTemplate).where(EmailTemplate.event == event).values(active=False)
    )
    db.session.commit()


def outbox_count():
    return db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one()


def test_the_send_page_marks_an_inactive_template_and_offers_the_active_ones(idle_shop):
    deactivate("invoice_sent")
    invoice = idle_shop.invoice
    page = html.unescape(
        idle_shop.client.get(f"/invoices/{invoice.id}/send").get_data(as_text=True)
    )
    assert "Invoice sent to customer (inactive)</option>" in page
    assert "Invoice overdue notice</option>" in page  # active: not marked
    assert MESSAGE in page  # said before anyone tries to send it
    assert f'href="/invoices/{invoice.id}/send?event=invoice_overdue"' in page
    assert "event=invoice_sent" not in page.split("Active templates you can send instead")[1]


def test_sending_an_inactive_template_is_refused_with_a_form_error(idle_shop):
    invoice = idle_shop.invoice
    data = send_form(idle_shop.client, invoice.id)  # drawn while the template was active
    assert data["event"] == "invoice_sent"
    deactivate("invoice_sent")
    response = idle_shop.client.post(f"/invoices/{invoice.id}/send", data=data)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert MESSAGE in page and "Nothing was sent." in page
    assert "Active templates you can send instead" in page
    assert outbox_count() == 0
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "draft"
    # Another, active, template goes out as usual.
    response = idle_shop.client.post(
        f"/invoices/{invoice.id}/send", data={**data, "event": "invoice_resent"}
    )
    assert response.status_code == 302 and outbox_count() == 2  # one per contact


def test_the_rule_refuses_it_too(idle_shop):
    """Whatever a page did: the template is checked again under the document's lock."""
    deactivate("invoice_sent")
    invoice = db.session.get(Invoice, idle_shop.invoice.id)
    request = SendRequest(
        event="invoice_sent",
        contact_ids=[c.id for c in invoice.customer.contacts],
        subject="Invoice {invoice_number}",
        body_html="<p>Hello</p>",
        send_key="k" * 32,
    )
    with pytest.raises(SendRefused, match="is inactive"):
        queue_document_email(invoice, idle_shop.staff, request)
    db.session.rollback()
    assert outbox_count() == 0


def test_an_inactive_reminder_template_is_not_sent(idle_shop, create_invoice):
    today = datetime.now(UTC).date()
    create_invoice(
        idle_shop.customer,
        idle_shop.staff,
        status="unpaid",
        issue_date=today - timedelta(days=32),
    )
    deactivate("invoice_overdue")
    assert run_reminders(datetime.now(UTC).replace(hour=23)) == []
    assert outbox_count() == 0


def test_an_inactive_test_email_template_sends_no_test_email(
    client, create_space, login, smtp_server
):
    from tests.settings.conftest import form_data, wait_for_check

    admin = create_space(name="Acme Ltd")
    login(client, admin)
    server = smtp_server()
    client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, encryption="none")
    )
    deactivate("test_email")
    response = client.submit(
        "/settings/email/test", {"recipient": "me@acme.example"}, page="/settings/email"
    )
    check = wait_for_check(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert check.status == "failed"
    assert check.summary == 'The template "Test email" is inactive; nothing was sent.'
    assert server.messages == [] and outbox_count() == 0
