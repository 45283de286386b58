"""What the invoice and estimate views share: loading a document of the signed-in space."""

from __future__ import annotations

from flask_login import current_user

from djaboo.db import get_in_space_or_404
from djaboo.documents.models import Estimate, Invoice
from djaboo.extensions import db

MODELS = {"invoice": Invoice, "estimate": Estimate}


def load_document(doc_type: str, document_id: int):
    return get_in_space_or_404(db.session, MODELS[doc_type], document_id, current_user.space_id)
