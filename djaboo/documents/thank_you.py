"""Recording a payment, and the thank-you it may send the customer, in one transaction.

Settings → Reminders → "Email the customer when a payment is recorded": the "Payment received
(thank-you)" template, in the customer's language, to the customer's recipients, signed by the
staff member who recorded the payment (replies go to them), with the invoice PDF when the
reminders attach it (it then shows the payment: "Partially paid" or "Paid"). A thank-you is
not a reminder: a customer whose reminders are off still gets it.

Once per payment: the payment form's key makes a double submit or a retried request record one
payment, and the outbox key thank-you:<payment id> one email, whoever asks again. The invoice is
locked first (djaboo/documents/recording.py), so two requests about it take turns. An email that
cannot be made is recorded as "Needs attention" with the reason; the payment stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from djaboo.documents.automatic_emails import Automatic, compose_automatic
from djaboo.documents.invoicing import record_payment
from djaboo.documents.kinds import INVOICE
from djaboo.documents.merge_facts import language_of
from djaboo.documents.models import Invoice, Payment
from djaboo.documents.recording import lock_documents, record_document_emails
from djaboo.documents.reminders import reminder_settings_for
from djaboo.documents.sending import email_key
from djaboo.email_templates.catalogue import template_for
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail.events import EVENTS
from djaboo.mail.recording import existing_emails
from djaboo.settings.email_settings import email_settings_for
from djaboo.spaces.clock import space_today
from djaboo.spaces.models import Space
from djaboo.staff.models import User

EVENT = "payment_received"


@dataclass(frozen=True)
class PaymentRecorded:
    payment: Payment
    created: bool  # False: this form was already recorded (nothing changed)
    thank_you: str  # what became of the thank-you, in a sentence for the flash


def thank_you_key(payment: Payment) -> str:
    return f"thank-you:{payment.id}"


def record_payment_with_thanks(
    invoice: Invoice,
    user: User,
    amount: Decimal,
    paid_on: date,
    note: str,
    submit_key: str | None = None,
) -> PaymentRecorded:
    """Record the payment and queue its thank-you (add and flush; the caller commits).
    Raises DocumentRuleError when the invoice takes no payment (draft, cancelled, too much)."""
    lock_documents(INVOICE, [invoice.id])
    db.session.refresh(invoice)
    if submit_key:
        earlier = db.session.execute(
            sa.select(Payment).where(
                Payment.invoice_id == invoice.id, Payment.submit_key == submit_key
            )
        ).scalar_one_or_none()
        if earlier is not None:
            return PaymentRecorded(earlier, False, "")
    payment = record_payment(invoice, user, amount, paid_on, note, submit_key=submit_key)
    return PaymentRecorded(payment, True, queue_thank_you(invoice, payment, user))


def queue_thank_you(invoice: Invoice, payment: Payment, sender: User) -> str:
    """Queue the thank-you of a payment recorded in this transaction (the invoice locked);
    returns what happened, in a sentence. Nothing is queued when the setting is off, the
    template is inactive, the customer has no recipient or the space has no From address."""
    space = db.session.get(Space, invoice.space_id)
    settings = reminder_settings_for(space.id)
    if not settings.thank_you_enabled:
        return _("No thank-you email: it is off in Settings → Reminders.")
    template = template_for(space.id, EVENT, language_of(invoice), space.default_language)
    if not template.active:
        return _(
            'No thank-you email: the template "%(template)s" is inactive.',
            template=_(EVENTS[EVENT].label),
        )
    contacts = invoice.customer.recipients
    if not contacts:
        return _("No thank-you email: the customer has no contact who receives documents.")
    email_settings = email_settings_for(space)
    if not email_settings.from_email:
        return _("No thank-you email: set the Email (From address) in Settings → Email first.")
    key = thank_you_key(payment)
    if existing_emails(space.id, [email_key(key, c) for c in contacts]):
        return _("Its thank-you email was already queued.")
    items = compose_automatic(
        Automatic(
            document=invoice,
            template=template,
            sender=sender,
            key=key,
            origin="thank_you",
            attach_pdf=settings.attach_pdf,
            today=space_today(space),
            sent_by_id=sender.id,
            payment=payment,
        ),
        space,
        email_settings,
    )
    record_document_emails(items)
    if items[0].email.composed is None:
        return _(
            "The thank-you email could not be made; it is in the email log as needing "
            "attention. %(problem)s",
            problem=items[0].email.problem,
        )
    to = ", ".join(i.email.composed.to_display for i in items)
    return _("A thank-you email to %(to)s is queued.", to=to)
