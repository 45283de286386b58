"""An email staff scheduled (or that waits to be retried) is cancelled when its document no
longer wants it: an invoice paid or cancelled, an estimate answered. In the transaction of the
status change; a row a worker has claimed is left alone; reminders are withdrawn by their own
rule. Real SMTP server, real worker pass, both engines."""

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.models import Estimate
from djaboo.documents.reminders import reminders_no_longer_due, run_reminders
from djaboo.documents.thank_you import record_payment_with_thanks
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.claims import claim_due
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.transport_settings import transport_settings_for_space
from tests.documents.conftest import estimate_send_form
from tests.documents.test_estimates import create as create_estimate
from tests.documents.test_queue_control import in_zone, queue, row, send_at_value
from tests.documents.test_reminders import now_after_send_hour
from tests.documents.test_thank_you import payment_form

PAID_REASON = "Cancelled: invoice {} was paid before it went out."


def deliver_all() -> None:
    while worker.run_once(transport_settings_for_space, withdraw=reminders_no_longer_due):
        pass


def subjects(server) -> list[str]:
    return [m.message["Subject"] for m in server.messages]


def test_paying_an_invoice_cancels_its_waiting_emails_not_one_being_sent(idle_shop, create_invoice):
    shop, server = idle_shop, idle_shop.server
    space = in_zone(shop)
    # Overdue, so the reminder run queues its reminder too.
    invoice = create_invoice(
        shop.customer, shop.staff, status="unpaid", issue_date=date.today() - timedelta(days=40)
    )
    reminders = run_reminders(now_after_send_hour())  # one per contact
    assert reminders
    server.script.data = "451 4.3.0 Try again later"
    retrying = queue(shop, invoice.id)
    deliver_all()
    assert {row(i).status for i in [retrying.id, *reminders]} == {"retry"}
    server.script.data = None
    being_sent = queue(shop, invoice.id)
    # Another worker claimed it (the real claim): it goes out whatever happens now.
    assert claim_due(space.id, "other-host:1:1", 10, 2).ids == [being_sent.id]
    later = send_at_value(space, utcnow() + timedelta(days=2))
    scheduled = queue(shop, invoice.id, send_at=later)
    assert scheduled.status == "scheduled"
    other = create_invoice(shop.customer, shop.staff, status="unpaid")
    other_scheduled = queue(shop, other.id, send_at=later)

    # One transaction: a payment rolled back leaves the scheduled email as it was.
    record_payment_with_thanks(invoice, shop.staff, invoice.amount_due, date.today(), "")
    db.session.rollback()
    assert row(scheduled.id).status == "scheduled"

    amount = f"{invoice.amount_due:.2f}"
    response = shop.client.post(
        f"/invoices/{invoice.id}/payments", data=payment_form(shop.client, invoice.id, amount)
    )
    assert response.status_code == 302
    reason = PAID_REASON.format(invoice.number)
    for email in (scheduled, retrying):
        cancelled = row(email.id)
        assert cancelled.status == "cancelled" and cancelled.next_attempt_at is None
        assert cancelled.last_error.startswith(reason)
    assert "Last attempt: " in row(retrying.id).last_error
    assert "451 4.3.0 Try again later" in row(retrying.id).last_error
    assert row(being_sent.id).status == "sending"
    assert row(other_scheduled.id).status == "scheduled"  # another invoice's: untouched
    page = shop.client.get(f"/emails/{scheduled.id}").get_data(as_text=True)
    assert "was paid before it went out" in page

    # Even once their time has come the worker sends none of them; the reminder is withdrawn
    # by its own rule; the thank-you for the payment goes, and the other invoice's email.
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(1)))
    db.session.commit()
    deliver_all()
    assert {row(i).status for i in reminders} == {"withdrawn"}
    assert row(scheduled.id).status == row(retrying.id).status == "cancelled"
    thanked = f"Thank you for your payment ({invoice.number})"
    assert sorted(set(subjects(server))) == [f"Invoice {other.number} from Acme Ltd", thanked]
    thanks = db.session.execute(
        sa.select(OutboxMessage.status).where(OutboxMessage.origin == "thank_you")
    ).scalars()
    assert set(thanks) == {"sent"}


def test_a_partial_payment_cancels_nothing(idle_shop, create_invoice):
    shop = idle_shop
    space = in_zone(shop)
    invoice = create_invoice(shop.customer, shop.staff, status="unpaid")
    scheduled = queue(shop, invoice.id, send_at=send_at_value(space, utcnow() + timedelta(1)))
    record_payment_with_thanks(invoice, shop.staff, Decimal("10.00"), date.today(), "")
    db.session.commit()
    assert invoice.status == "partially_paid"
    assert row(scheduled.id).status == "scheduled"


def test_cancelling_an_invoice_or_answering_an_estimate_cancels_its_scheduled_emails(idle_shop):
    shop = idle_shop
    space = in_zone(shop)
    later = send_at_value(space, utcnow() + timedelta(days=1))
    invoice_email = queue(shop, send_at=later)
    response = shop.client.submit(
        f"/invoices/{shop.invoice.id}/cancel", {}, page=f"/invoices/{shop.invoice.id}"
    )
    assert response.status_code == 302
    cancelled = row(invoice_email.id)
    assert cancelled.status == "cancelled"
    assert cancelled.last_error == (
        f"Cancelled: invoice {shop.invoice.number} was cancelled before it went out."
    )

    estimate = create_estimate(shop.client, shop.customer.id)
    data = estimate_send_form(shop.client, estimate, send_at=later, attach_pdf=None)
    data = {k: v for k, v in data.items() if v is not None}
    assert shop.client.post(f"/estimates/{estimate.id}/send", data=data).status_code == 302
    estimate_email = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.doc_type == "estimate")
    ).scalar_one()
    assert estimate_email.status == "scheduled"
    response = shop.client.submit(
        f"/estimates/{estimate.id}/answer", {"answer": "decline"}, page=f"/estimates/{estimate.id}"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Estimate, estimate.id).status == "declined"
    assert row(estimate_email.id).last_error == (
        f"Cancelled: estimate {estimate.number} was declined before it went out."
    )
    assert row(estimate_email.id).status == "cancelled"
