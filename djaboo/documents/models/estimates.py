from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import trigram_index
from djaboo.documents.models.document_base import DocumentColumns, LineColumns
from djaboo.extensions import db

ESTIMATE_STATUSES = ("draft", "sent", "accepted", "declined")


class Estimate(DocumentColumns, db.Model):
    __tablename__ = "estimate"
    __line_class__ = "EstimateLine"
    __table_args__ = (
        sa.UniqueConstraint("space_id", "number"),
        sa.Index("ix_estimate_space_status", "space_id", "status", "expiry_date"),
        sa.Index("ix_estimate_space_id", "space_id", "id"),  # the list's order
        trigram_index("ix_estimate_number_trgm", "number"),
        sa.CheckConstraint("status IN ('draft', 'sent', 'accepted', 'declined')", name="status"),
    )

    expiry_date: Mapped[date]
    invoice_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id", ondelete="SET NULL"), nullable=True
    )


class EstimateLine(LineColumns, db.Model):
    __tablename__ = "estimate_line"

    estimate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("estimate.id", ondelete="CASCADE"), index=True
    )
