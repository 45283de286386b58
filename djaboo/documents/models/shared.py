"""Numbering, PDFs and public links, shared by every kind of document."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db


class DocumentSequence(db.Model):
    """The next number of one kind of document in a space; taken by one atomic UPDATE."""

    __tablename__ = "document_sequence"
    __table_args__ = (sa.UniqueConstraint("space_id", "doc_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    doc_type: Mapped[str] = mapped_column(sa.String(16))
    prefix: Mapped[str] = mapped_column(sa.String(20))
    next_number: Mapped[int] = mapped_column(default=1)


class DocumentPDF(db.Model):
    """A rendered PDF, kept per exact HTML it was drawn from (status and dates included), so
    it is made once and shared by all workers, and never shows what is no longer true."""

    __tablename__ = "document_pdf"
    __table_args__ = (sa.UniqueConstraint("doc_type", "doc_id", "html_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[str] = mapped_column(sa.String(16))
    doc_id: Mapped[int]
    version: Mapped[int]
    html_sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


class PublicLink(db.Model):
    """An unguessable token for a customer to see one document without signing in.

    Bound to its space, document type and document: a token only opens the URL of its type.
    """

    __tablename__ = "public_link"
    __table_args__ = (sa.Index("ix_public_link_doc", "doc_type", "doc_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    doc_type: Mapped[str] = mapped_column(sa.String(16))
    doc_id: Mapped[int]
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
