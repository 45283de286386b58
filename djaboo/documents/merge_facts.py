"""From a real document to the plain facts its email may show (no ORM object goes further)."""

from __future__ import annotations

from datetime import date

from djaboo.documents.models import Contact, Estimate, Invoice, Payment, PublicLink
from djaboo.documents.public_links import active_link, public_url
from djaboo.documents.statuses import INVOICE_LABELS, invoice_status
from djaboo.email_templates.preview import company_facts, staff_facts
from djaboo.mail.compose import signature_for
from djaboo.mail.fields import (
    ContactFacts,
    EstimateFacts,
    InvoiceFacts,
    MergeFacts,
    PaymentFacts,
    StaffFacts,
)
from djaboo.settings.models import EmailSettings
from djaboo.spaces.models import Space
from djaboo.staff.models import User


def language_of(document) -> str:
    return document.customer.language or ""


def invoice_facts(invoice: Invoice, today: date, link: PublicLink | None = None) -> InvoiceFacts:
    link = link or active_link(invoice.space_id, "invoice", invoice.id)
    return InvoiceFacts(
        number=invoice.number,
        link=public_url(link),
        date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        subtotal=invoice.subtotal,
        total=invoice.total,
        amount_due=invoice.amount_due,
        status=INVOICE_LABELS[invoice_status(invoice, today)].lower(),
        days_overdue=(today - invoice.due_date).days,
    )


def estimate_facts(estimate: Estimate) -> EstimateFacts:
    link = active_link(estimate.space_id, "estimate", estimate.id)
    return EstimateFacts(
        number=estimate.number,
        link=public_url(link),
        date=estimate.issue_date,
        expiry_date=estimate.expiry_date,
        currency=estimate.currency,
        total=estimate.total,
    )


def document_facts(
    document,
    *,
    space: Space,
    language: str,
    contact: Contact | None,
    sender: User | None,
    settings: EmailSettings,
    today: date,
    payment: Payment | None = None,
    link: PublicLink | None = None,
) -> MergeFacts:
    """Facts for an email about document, signed by sender (for automatic emails: the owner)."""
    customer = document.customer
    return MergeFacts(
        company=company_facts(space, settings),
        language=language,
        contact=ContactFacts(contact.first_name, contact.last_name, contact.email, customer.company)
        if contact
        else ContactFacts(company=customer.company),
        staff=staff_facts(sender) if sender else StaffFacts(),
        signature_html=signature_for(
            sender.signature_html if sender else "", settings.signature_html
        ),
        invoice=invoice_facts(document, today, link) if isinstance(document, Invoice) else None,
        payment=PaymentFacts(payment.amount, payment.paid_on) if payment else None,
        estimate=estimate_facts(document) if isinstance(document, Estimate) else None,
    )
