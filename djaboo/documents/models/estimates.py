from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from djaboo.db import UTCDateTime, utcnow
from djaboo.documents.models.customers import Customer
from djaboo.documents.models.invoices import MONEY, QUANTITY, RATE
from djaboo.extensions import db
from djaboo.staff.models import User

ESTIMATE_STATUSES = ("draft", "sent", "accepted", "declined")


class Estimate(db.Model):
    __tablename__ = "estimate"
    __table_args__ = (
        sa.UniqueConstraint("space_id", "number"),
        sa.Index("ix_estimate_space_status", "space_id", "status", "expiry_date"),
        sa.CheckConstraint("status IN ('draft', 'sent', 'accepted', 'declined')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(sa.String(40))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    issue_date: Mapped[date]
    expiry_date: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    tax_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    version: Mapped[int] = mapped_column(default=1)
    invoice_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id", ondelete="SET NULL"), nullable=True
    )
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    owner: Mapped[User | None] = relationship()
    lines: Mapped[list[EstimateLine]] = relationship(
        cascade="all, delete-orphan", order_by="EstimateLine.position"
    )


class EstimateLine(db.Model):
    __tablename__ = "estimate_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    estimate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("estimate.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal("0"))
