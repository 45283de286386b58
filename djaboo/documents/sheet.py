"""What a document sheet shows besides the document: on its page, its public page and its PDF."""

from __future__ import annotations

from datetime import date

from djaboo.documents.kinds import kind_of
from djaboo.extensions import db
from djaboo.spaces.clock import space_today
from djaboo.spaces.models import Space


def status_label(document, today: date | None = None) -> str:
    if today is None:
        today = space_today(db.session.get(Space, document.space_id))
    return kind_of(document).life.label_on(document, today)


def document_context(document) -> dict:
    """What the document sheet (page, public page and PDF) shows besides the document; `kind`
    picks the kind's own template parts (templates/documents/kinds/<name>.html)."""
    space = db.session.get(Space, document.space_id)
    return {
        "space": space,
        "status_label": status_label(document, space_today(space)),
        "kind": kind_of(document),
    }
