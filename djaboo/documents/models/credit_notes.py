from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from djaboo.db import trigram_index
from djaboo.documents.models.document_base import DocumentColumns, LineColumns
from djaboo.documents.models.invoices import Invoice
from djaboo.extensions import db

CREDIT_NOTE_STATUSES = ("draft", "issued", "cancelled")


class CreditNote(DocumentColumns, db.Model):
    """What the space owes a customer back, optionally against one of its invoices."""

    __tablename__ = "credit_note"
    __line_class__ = "CreditNoteLine"
    __table_args__ = (
        sa.UniqueConstraint("space_id", "number"),
        sa.Index("ix_credit_note_space_status", "space_id", "status"),
        sa.Index("ix_credit_note_space_id", "space_id", "id"),  # the list's order
        trigram_index("ix_credit_note_number_trgm", "number"),
        sa.CheckConstraint("status IN ('draft', 'issued', 'cancelled')", name="status"),
    )

    invoice_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id", ondelete="SET NULL"), nullable=True
    )

    invoice: Mapped[Invoice | None] = relationship()


class CreditNoteLine(LineColumns, db.Model):
    __tablename__ = "credit_note_line"

    credit_note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credit_note.id", ondelete="CASCADE"), index=True
    )
