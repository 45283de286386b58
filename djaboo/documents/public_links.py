"""Public links: what {invoice_link}, {estimate_link} and {credit_note_link} point to.

A link is bound to its space, its kind (a DocumentKind; its name is stored) and its document."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app

from djaboo.config import require_base_url
from djaboo.db import utcnow
from djaboo.documents.models import PublicLink
from djaboo.extensions import db


def _of(kind, document) -> tuple:
    return (
        PublicLink.space_id == document.space_id,
        PublicLink.doc_type == kind.name,
        PublicLink.doc_id == document.id,
        PublicLink.revoked_at.is_(None),
    )


def current_link(kind, document) -> PublicLink | None:
    """The document's live link, if it has one (a read: pages and previews never create one)."""
    return db.session.execute(
        sa.select(PublicLink).where(*_of(kind, document)).order_by(PublicLink.id.desc()).limit(1)
    ).scalar_one_or_none()


def unsent_link(kind, document) -> PublicLink:
    """What a preview shows before the document has a link: not stored, no token; its URL is
    the sample page that says what the customer will see there."""
    return PublicLink(space_id=document.space_id, doc_type=kind.name, doc_id=document.id, token="")


def active_link(kind, document) -> PublicLink:
    """The document's current link, created when it is first sent or when staff ask for one."""
    link = current_link(kind, document)
    if link is None:
        link = PublicLink(
            space_id=document.space_id,
            doc_type=kind.name,
            doc_id=document.id,
            token=secrets.token_urlsafe(32),
        )
        db.session.add(link)
        db.session.flush()
    return link


def public_url(link: PublicLink) -> str:
    # BASE_URL may end in a path prefix (/billing): the link is built on it, not with url_for,
    # which would only know the address of the request or command composing the email.
    base = require_base_url(current_app.config)
    if not link.token:  # a preview's link before the first send: the page that explains it
        return f"{base}/p/sample-{link.doc_type.replace('_', '-')}"
    return f"{base}/p/{link.doc_type}/{link.token}"


def revoke_links(kind, document) -> None:
    db.session.execute(
        sa.update(PublicLink).where(*_of(kind, document)).values(revoked_at=utcnow())
    )


def find_link(kind, token: str) -> PublicLink | None:
    """The live link for this token and this kind only (an estimate's token never opens an
    invoice URL)."""
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        sa.select(PublicLink).where(
            PublicLink.token == token,
            PublicLink.doc_type == kind.name,
            PublicLink.revoked_at.is_(None),
        )
    ).scalar_one_or_none()
