"""Payment thank-you (issue #12 item 1): recording a payment queues the "Payment received
(thank-you)" email in the same transaction, once per payment, and the mail worker sends it."""

import re
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from djaboo.documents.models import Invoice, Payment
from djaboo.documents.reminders import reminder_settings_for, reminders_no_longer_due
from djaboo.email_templates.models import EmailTemplate
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.transport_settings import transport_settings_for_space

PAID_ON = date.today() - timedelta(days=2)


def deliver_all():
    while worker.run_once(transport_settings_for_space, withdraw=reminders_no_longer_due):
        pass


def payment_form(client, invoice_id, amount="100.00", **overrides):
    """The payment form as the invoice page draws it (its CSRF token and its key)."""
    page = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    data = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "submit_key": re.search(r'name="submit_key"[^>]*value="([^"]+)"', page).group(1),
        "amount": amount,
        "paid_on": PAID_ON.isoformat(),
        "note": "",
    }
    data.update(overrides)
    return data


def flashes(response) -> str:
    return response.get_data(as_text=True)


def thank_yous(to="jane@example.org"):
    """The thank-yous to one contact (each recipient contact gets their own)."""
    db.session.expire_all()
    return (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.origin == "thank_you", OutboxMessage.to_display.contains(to))
            .order_by(OutboxMessage.id)
        )
        .scalars()
        .all()
    )


@pytest.fixture
def unpaid(idle_shop, create_invoice):
    """An unpaid invoice of 1,440.00 (1,200 + 20 % tax) in the idle shop."""
    return create_invoice(idle_shop.customer, idle_shop.staff, status="unpaid")


def test_a_new_space_thanks_its_customers(idle_shop):
    settings = reminder_settings_for(idle_shop.admin.space_id)
    assert settings.thank_you_enabled is True


def test_a_payment_queues_one_thank_you_with_its_fields_and_the_worker_sends_it(idle_shop, unpaid):
    client, invoice = idle_shop.client, unpaid
    data = payment_form(client, invoice.id)
    first = client.post(f"/invoices/{invoice.id}/payments", data=data, follow_redirects=True)
    assert "Payment recorded. A thank-you email to" in flashes(first)
    assert "jane@example.org" in flashes(first)
    # The same form again: a double click, or the browser retrying the request.
    for _ in range(2):
        again = client.post(f"/invoices/{invoice.id}/payments", data=data, follow_redirects=True)
        assert "This payment was already recorded; it was not recorded twice." in flashes(again)
    [payment] = db.session.execute(sa.select(Payment)).scalars().all()
    [row] = thank_yous()
    [bobs] = thank_yous("bob@example.org")  # each contact gets their own, once
    jane = next(c for c in invoice.customer.contacts if c.email == "jane@example.org")
    assert row.idempotency_key == f"thank-you:{payment.id}:{jane.id}"
    assert (row.event, row.doc_type, row.doc_id) == ("payment_received", "invoice", invoice.id)
    assert row.sent_by_id == idle_shop.staff.id and row.status == "queued"

    deliver_all()
    [got] = [m for m in idle_shop.server.messages if "jane@example.org" in m.rcpt_tos]
    assert len(idle_shop.server.messages) == 2
    message = got.message
    assert message["Subject"] == f"Thank you for your payment ({invoice.number})"
    assert sorted(got.rcpt_tos) == ["audit@acme.example", "jane@example.org"]
    assert message["Reply-To"].addresses[0].addr_spec == idle_shop.staff.email
    html = message.get_body(("html",)).get_content()
    assert "€100.00" in html  # {payment_amount}
    assert PAID_ON.strftime("%b %-d, %Y") in html  # {payment_date}
    assert "Amount still due: €1,340.00" in html  # {invoice_amount_due}, after this payment
    assert "OWN SIGNATURE" in html and "{payment_" not in html and "{invoice_" not in html
    # "Attach the invoice PDF" is on by default: the invoice as it is now, partially paid.
    [pdf] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"{invoice.number}.pdf"


def test_a_second_payment_has_its_own_thank_you(idle_shop, unpaid):
    client = idle_shop.client
    for amount in ("100.00", "40.00"):
        response = client.post(
            f"/invoices/{unpaid.id}/payments",
            data=payment_form(client, unpaid.id, amount),
            follow_redirects=True,
        )
        assert "A thank-you email to" in flashes(response)
    assert len(thank_yous()) == 2
    deliver_all()
    bodies = [m.message.get_body(("html",)).get_content() for m in idle_shop.server.messages]
    assert any("€40.00" in b and "€1,300.00" in b for b in bodies)


def test_asking_again_for_the_same_payment_queues_nothing_more(app, idle_shop, unpaid):
    """A retried thank-you (the rule called again for the same payment) finds its key."""
    from djaboo.documents.thank_you import queue_thank_you

    client = idle_shop.client
    client.post(f"/invoices/{unpaid.id}/payments", data=payment_form(client, unpaid.id))
    payment = db.session.execute(sa.select(Payment)).scalar_one()
    invoice = db.session.get(Invoice, unpaid.id)
    assert queue_thank_you(invoice, payment, idle_shop.staff) == (
        "Its thank-you email was already queued."
    )
    db.session.commit()
    assert len(thank_yous()) == 1


def test_concurrent_submits_of_one_form_record_one_payment_and_one_thank_you(
    app, idle_shop, unpaid
):
    from djaboo.documents.thank_you import record_payment_with_thanks
    from djaboo.staff.models import User

    results, errors = [], []
    invoice_id, user_id = unpaid.id, idle_shop.staff.id  # read here: the threads share no session

    def submit():
        with app.app_context():
            try:
                invoice = db.session.get(Invoice, invoice_id)
                user = db.session.get(User, user_id)
                recorded = record_payment_with_thanks(
                    invoice, user, Decimal("100"), PAID_ON, "", "same-form-key-0123456789"
                )
                db.session.commit()
                results.append(recorded.created)
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(results) == [False, False, True]
    assert db.session.execute(sa.select(sa.func.count(Payment.id))).scalar_one() == 1
    assert len(thank_yous()) == 1


def set_thank_you(client, on: bool):
    data = {
        "due_soon_enabled": "y",
        "due_soon_days": "2",
        "due_soon_event": "invoice_due_soon",
        "overdue_first_days": "1",
        "overdue_event": "invoice_overdue",
        "resend_every_days": "3",
        "max_resends": "3",
        "repeat_event": "invoice_overdue_repeat",
        "send_hour": "9",
        "timezone": "UTC",
        "attach_pdf": "y",
        "estimate_expiry_days": "3",
    }
    if on:
        data["thank_you_enabled"] = "y"
    response = client.submit("/settings/reminders", data)
    assert response.status_code == 302, response.get_data(as_text=True)


def signed_in_admin(app, idle_shop, login):
    client = app.test_client()
    login(client, idle_shop.admin)
    return client


def test_off_in_settings_no_thank_you_and_the_flash_says_so(app, idle_shop, unpaid, login):
    set_thank_you(signed_in_admin(app, idle_shop, login), on=False)
    client = idle_shop.client
    response = client.post(
        f"/invoices/{unpaid.id}/payments",
        data=payment_form(client, unpaid.id),
        follow_redirects=True,
    )
    assert "Payment recorded. No thank-you email: it is off in Settings → Reminders." in (
        flashes(response)
    )
    assert db.session.execute(sa.select(sa.func.count(Payment.id))).scalar_one() == 1
    assert thank_yous() == []


def test_an_inactive_template_sends_no_thank_you(idle_shop, unpaid):
    db.session.execute(
        sa.update(EmailTemplate)
        .where(EmailTemplate.event == "payment_received")
        .values(active=False)
    )
    db.session.commit()
    client = idle_shop.client
    response = client.post(
        f"/invoices/{unpaid.id}/payments",
        data=payment_form(client, unpaid.id),
        follow_redirects=True,
    )
    assert (
        'No thank-you email: the template "Payment received (thank-you)" is inactive.'
        in flashes(response).replace("&#34;", '"').replace("&quot;", '"')
    )
    assert thank_yous() == []
    deliver_all()
    assert idle_shop.server.messages == []


def test_a_customer_whose_reminders_are_off_is_still_thanked(idle_shop, unpaid):
    idle_shop.customer.reminders_enabled = False
    db.session.commit()
    client = idle_shop.client
    client.post(f"/invoices/{unpaid.id}/payments", data=payment_form(client, unpaid.id))
    assert len(thank_yous()) == 1


def test_an_email_that_cannot_be_made_never_costs_the_payment(
    idle_shop, create_customer, create_invoice
):
    broken = create_customer(idle_shop.admin.space, contacts=[("Bo", "Gus", "bo@@example")])
    invoice = create_invoice(broken, idle_shop.staff, status="unpaid")
    client = idle_shop.client
    response = client.post(
        f"/invoices/{invoice.id}/payments",
        data=payment_form(client, invoice.id),
        follow_redirects=True,
    )
    assert "The thank-you email could not be made" in flashes(response)
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status == "partially_paid"
    [row] = thank_yous("bo@@example")
    assert row.status == "attention" and "bo@@example" in row.last_error
    assert row.raw == b""


def test_a_refused_payment_sends_nothing(idle_shop, unpaid, create_invoice):
    draft = create_invoice(idle_shop.customer, idle_shop.staff)  # never sent: no payment form
    client = idle_shop.client
    response = client.post(
        f"/invoices/{draft.id}/payments",
        data=payment_form(client, unpaid.id),
        follow_redirects=True,
    )
    assert "Send the invoice before recording payments." in flashes(response)
    assert thank_yous() == []


def test_a_stale_or_forged_form_key_is_refused(idle_shop, unpaid):
    client = idle_shop.client
    response = client.post(
        f"/invoices/{unpaid.id}/payments",
        data=payment_form(client, unpaid.id, submit_key="not a key!"),
        follow_redirects=True,
    )
    assert "This form expired; reload the page." in flashes(response)
    assert db.session.execute(sa.select(sa.func.count(Payment.id))).scalar_one() == 0
