"""The space's real invoices, to preview an email template with (a source email_templates
offers for every event with invoice fields)."""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.documents.merge_facts import document_facts
from djaboo.documents.models import Customer, Invoice
from djaboo.email_templates.preview_sources import PreviewChoice
from djaboo.extensions import db
from djaboo.mail.fields import MergeFacts
from djaboo.settings.models import EmailSettings
from djaboo.spaces.clock import space_today
from djaboo.spaces.models import Space
from djaboo.staff.models import User


def invoice_choices(space_id: int, limit: int) -> list[PreviewChoice]:
    """The space's latest invoices that went out (no drafts), newest first."""
    rows = db.session.execute(
        sa.select(Invoice.id, Invoice.number, Customer.company)
        .join(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.space_id == space_id, Invoice.status != "draft")
        .order_by(Invoice.id.desc())
        .limit(limit)
    )
    return [PreviewChoice(id, f"{number} · {company}") for id, number, company in rows]


def invoice_preview_facts(
    invoice_id: int, language: str, user: User, settings: EmailSettings
) -> MergeFacts | None:
    """The facts of an email about the invoice as `user` would send it; None for an id of
    another space (the sample is shown, revealing nothing)."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.space_id != user.space_id:
        return None
    contact = invoice.customer.contacts[0] if invoice.customer.contacts else None
    space = db.session.get(Space, user.space_id)
    return document_facts(
        invoice,
        space=space,
        language=language,
        contact=contact,
        sender=user,
        settings=settings,
        today=space_today(space),
        payment=invoice.payments[-1] if invoice.payments else None,
        preview=True,
    )
