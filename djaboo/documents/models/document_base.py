"""What every kind of document stores: the columns invoices, estimates and credit notes share.

Each kind keeps its own tables (its numbers, statuses and indexes are its own); these mixins
only say once what the columns are.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from djaboo.db import UTCDateTime, utcnow

MONEY = sa.Numeric(14, 2)
QUANTITY = sa.Numeric(12, 3)
RATE = sa.Numeric(5, 2)


class DocumentColumns:
    """Number, customer, owner, dates, currency, status, notes, cached totals, version."""

    __line_class__: str  # the name of the kind's line model

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(sa.String(40))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id"))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    issue_date: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Cached totals (recomputed on every save) so lists and reminders need no line scan.
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    tax_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    version: Mapped[int] = mapped_column(default=1)  # bumps on every change
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    # The customer opening the public link (djaboo/documents/viewing.py): on the document, so
    # its page and its list show it with no other query. Views a minute apart count once.
    first_viewed_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    last_viewed_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    view_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Mark as sent (djaboo/documents/lifecycle.py): sent outside the app, nothing emailed; its
    # page says who and when.
    marked_sent_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    marked_sent_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )

    @declared_attr
    def customer(cls) -> Mapped[object]:
        return relationship("Customer")

    @declared_attr
    def owner(cls) -> Mapped[object | None]:
        # Named: marked_sent_by_id is a key to staff_user as well.
        return relationship("User", foreign_keys=f"{cls.__name__}.owner_id")

    @declared_attr
    def lines(cls) -> Mapped[list[LineColumns]]:
        return relationship(
            cls.__line_class__,
            cascade="all, delete-orphan",
            order_by=f"{cls.__line_class__}.position",
        )


class LineColumns:
    """One line of a document; the kind's line model adds the key of its document."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    tax_rate: Mapped[Decimal] = mapped_column(RATE, default=Decimal("0"))
