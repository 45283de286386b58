"""Each kind's own merge facts: what {invoice_…}, {estimate_…} and {credit_note_…} say.

A builder takes (kind, document, today, link) and returns the MergeFacts parts it fills; the
link is resolved by the caller (created on a send, only looked up for a preview)."""

from __future__ import annotations

from datetime import date

from djaboo.documents.merge_fields import CreditNoteFacts, EstimateFacts, InvoiceFacts
from djaboo.documents.models import CreditNote, Estimate, Invoice, PublicLink
from djaboo.documents.public_links import public_url


def invoice_facts(kind, invoice: Invoice, today: date, link: PublicLink) -> dict:
    return {
        "invoice": InvoiceFacts(
            number=invoice.number,
            link=public_url(link),
            date=invoice.issue_date,
            due_date=invoice.due_date,
            currency=invoice.currency,
            subtotal=invoice.subtotal,
            total=invoice.total,
            amount_due=invoice.amount_due,
            # In the language being rendered: merge_facts.document_facts sets the email's.
            status=str(kind.status_word(kind.life.status_on(invoice, today))).lower(),
            days_overdue=(today - invoice.due_date).days,
        )
    }


def estimate_facts(kind, estimate: Estimate, today: date, link: PublicLink) -> dict:
    return {
        "estimate": EstimateFacts(
            number=estimate.number,
            link=public_url(link),
            date=estimate.issue_date,
            expiry_date=estimate.expiry_date,
            currency=estimate.currency,
            total=estimate.total,
        )
    }


def credit_note_facts(kind, credit_note: CreditNote, today: date, link: PublicLink) -> dict:
    return {
        "credit_note": CreditNoteFacts(
            number=credit_note.number,
            link=public_url(link),
            date=credit_note.issue_date,
            currency=credit_note.currency,
            total=credit_note.total,
            invoice_number=credit_note.invoice.number if credit_note.invoice else "",
        )
    }
