"""Recording emails about documents: the one function every document email goes through.

A staff member's send and the reminder run (a chunk of 250 or a chunk of one) both lock the
documents, check them again under that lock, then call `record_document_emails`, which makes
the same changes whoever calls it: the public links the emails point to, the documents' sent
date, and the outbox rows (djaboo/mail/recording.py). Add and flush only; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.kinds import DocumentKind
from djaboo.documents.models import PublicLink
from djaboo.extensions import db
from djaboo.mail.recording import NewEmail, Recorded, record_emails


@dataclass
class DocumentEmail:
    kind: DocumentKind
    document_id: int
    email: NewEmail
    new_link: PublicLink | None = None  # made while composing, not stored yet


def lock_documents(kind: DocumentKind, ids: list[int]) -> None:
    """Hold these documents until commit, so that a staff member's send and a reminder run
    about the same document follow one another: FOR UPDATE on PostgreSQL; on SQLite a write,
    which takes the database's write lock at once."""
    table = kind.model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update()
        )
    else:
        db.session.execute(
            sa.update(table).where(table.c.id.in_(ids)).values(version=table.c.version)
        )


def record_document_emails(
    items: list[DocumentEmail], *, skip_duplicates: bool = False
) -> list[Recorded]:
    """Record the emails of documents the caller has locked and checked."""
    links = [i.new_link for i in items if i.new_link is not None]
    if links:
        now = utcnow()
        db.session.execute(
            sa.insert(PublicLink),
            [
                {
                    "space_id": link.space_id,
                    "doc_type": link.doc_type,
                    "doc_id": link.doc_id,
                    "token": link.token,
                    "created_at": now,
                }
                for link in links
            ],
        )
    by_kind: dict[str, list[DocumentEmail]] = {}
    for item in items:
        by_kind.setdefault(item.kind.name, []).append(item)
    for same_kind in by_kind.values():
        table = same_kind[0].kind.model.__table__
        db.session.execute(
            sa.update(table)
            .where(
                table.c.id.in_([i.document_id for i in same_kind]),
                table.c.sent_at.is_(None),
            )
            .values(sent_at=utcnow())
        )
    return record_emails([i.email for i in items], skip_duplicates=skip_duplicates)
