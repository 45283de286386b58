"""What a document sheet shows besides the document: on its page, its public page and its PDF."""

from __future__ import annotations

from datetime import date

from djaboo.documents.models import Invoice
from djaboo.documents.statuses import (
    ESTIMATE_LABELS,
    INVOICE_LABELS,
    estimate_status,
    invoice_status,
)
from djaboo.extensions import db
from djaboo.spaces.models import Space


def status_label(document, today: date | None = None) -> str:
    today = today or date.today()
    if isinstance(document, Invoice):
        return INVOICE_LABELS[invoice_status(document, today)]
    return ESTIMATE_LABELS[estimate_status(document, today)]


def document_context(document) -> dict:
    """What the document sheet (page, public page and PDF) shows besides the document."""
    return {
        "space": db.session.get(Space, document.space_id),
        "status_label": status_label(document),
        "doc_type": "invoice" if isinstance(document, Invoice) else "estimate",
    }
