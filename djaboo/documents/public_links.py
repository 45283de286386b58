"""Public links: what {invoice_link} and {estimate_link} point to."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app

from djaboo.config import require_base_url
from djaboo.db import utcnow
from djaboo.documents.models import PublicLink
from djaboo.extensions import db


def active_link(space_id: int, doc_type: str, doc_id: int) -> PublicLink:
    """The document's current link, created on first need."""
    link = db.session.execute(
        sa.select(PublicLink)
        .where(
            PublicLink.space_id == space_id,
            PublicLink.doc_type == doc_type,
            PublicLink.doc_id == doc_id,
            PublicLink.revoked_at.is_(None),
        )
        .order_by(PublicLink.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if link is None:
        link = PublicLink(
            space_id=space_id, doc_type=doc_type, doc_id=doc_id, token=secrets.token_urlsafe(32)
        )
        db.session.add(link)
        db.session.flush()
    return link


def public_url(link: PublicLink) -> str:
    # BASE_URL may end in a path prefix (/billing): the link is built on it, not with url_for,
    # which would only know the address of the request or command composing the email.
    return f"{require_base_url(current_app.config)}/p/{link.doc_type}/{link.token}"


def revoke_links(space_id: int, doc_type: str, doc_id: int) -> None:
    db.session.execute(
        sa.update(PublicLink)
        .where(
            PublicLink.space_id == space_id,
            PublicLink.doc_type == doc_type,
            PublicLink.doc_id == doc_id,
            PublicLink.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def find_link(doc_type: str, token: str) -> PublicLink | None:
    """The live link for this token and this document type only (a quote token never opens
    an invoice URL)."""
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        sa.select(PublicLink).where(
            PublicLink.token == token,
            PublicLink.doc_type == doc_type,
            PublicLink.revoked_at.is_(None),
        )
    ).scalar_one_or_none()
