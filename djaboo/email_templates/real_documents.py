"""Previewing a template with one of the space's real documents instead of the sample."""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail.events import EVENTS
from djaboo.mail.fields import MergeFacts
from djaboo.settings.models import EmailSettings
from djaboo.spaces.clock import space_today
from djaboo.staff.models import User

CHOICES = 20


def _invoice_model():
    from djaboo.documents.models import Invoice  # documents build on templates, not the reverse

    return Invoice


def preview_documents(event: str, space_id: int) -> list:
    """The latest documents this event can be about, to choose from."""
    if "invoice" not in EVENTS[event].groups:
        return []
    invoice = _invoice_model()
    return (
        db.session.execute(
            sa.select(invoice)
            .where(invoice.space_id == space_id, invoice.status != "draft")
            .order_by(invoice.id.desc())
            .limit(CHOICES)
        )
        .scalars()
        .all()
    )


def real_document_facts(
    template, document_id: int | None, user: User, settings: EmailSettings
) -> MergeFacts | None:
    if not document_id or "invoice" not in EVENTS[template.event].groups:
        return None
    from djaboo.documents.merge_facts import document_facts
    from djaboo.spaces.models import Space

    invoice = db.session.get(_invoice_model(), document_id)
    if invoice is None or invoice.space_id != user.space_id:
        return None  # another space's id previews the sample, revealing nothing
    contact = invoice.customer.contacts[0] if invoice.customer.contacts else None
    space = db.session.get(Space, user.space_id)
    return document_facts(
        invoice,
        space=space,
        language=template.language,
        contact=contact,
        sender=user,
        settings=settings,
        today=space_today(space),
        payment=invoice.payments[-1] if invoice.payments else None,
        preview=True,
    )
