"""What the invoice and estimate views share: loading within the space, the sheet's context."""

from __future__ import annotations

from datetime import date

from flask_login import current_user

from djaboo.db import get_in_space_or_404
from djaboo.documents.models import Estimate, Invoice
from djaboo.documents.statuses import (
    ESTIMATE_LABELS,
    INVOICE_LABELS,
    estimate_status,
    invoice_status,
)
from djaboo.extensions import db
from djaboo.spaces.models import Space

MODELS = {"invoice": Invoice, "estimate": Estimate}


def load_document(doc_type: str, document_id: int):
    return get_in_space_or_404(db.session, MODELS[doc_type], document_id, current_user.space_id)


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
