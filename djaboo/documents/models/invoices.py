from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from djaboo.db import trigram_index
from djaboo.documents.models.document_base import MONEY, DocumentColumns, LineColumns
from djaboo.extensions import db

INVOICE_STATUSES = ("draft", "unpaid", "partially_paid", "paid", "cancelled")


class Invoice(DocumentColumns, db.Model):
    __tablename__ = "invoice"
    __line_class__ = "InvoiceLine"
    __table_args__ = (
        sa.UniqueConstraint("space_id", "number"),
        sa.Index("ix_invoice_space_status_due", "space_id", "status", "due_date"),
        sa.Index("ix_invoice_space_customer", "space_id", "customer_id"),
        sa.Index("ix_invoice_space_id", "space_id", "id"),  # the list's order
        trigram_index("ix_invoice_number_trgm", "number"),
        sa.CheckConstraint(
            "status IN ('draft', 'unpaid', 'partially_paid', 'paid', 'cancelled')", name="status"
        ),
    )

    due_date: Mapped[date]
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    reminders_enabled: Mapped[bool] = mapped_column(default=True)

    payments: Mapped[list[Payment]] = relationship(
        cascade="all, delete-orphan", order_by="Payment.paid_on"
    )

    @property
    def amount_due(self) -> Decimal:
        return max(self.total - self.amount_paid, Decimal("0"))


class InvoiceLine(LineColumns, db.Model):
    __tablename__ = "invoice_line"

    invoice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invoice.id", ondelete="CASCADE"), index=True
    )


class Payment(db.Model):
    __tablename__ = "payment"
    # The payment form's key (drawn with the page): a double submit or a retried request
    # records one payment, and so sends one thank-you.
    __table_args__ = (sa.UniqueConstraint("invoice_id", "submit_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invoice.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    submit_key: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
