from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from djaboo.db import UTCDateTime, trigram_index, utcnow
from djaboo.extensions import db
from djaboo.mail.fields import person_name


class Customer(db.Model):
    __tablename__ = "customer"
    __table_args__ = (
        sa.Index("ix_customer_space_company", "space_id", "company"),
        trigram_index("ix_customer_company_trgm", "company"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    company: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.Text, default="")
    vat_number: Mapped[str] = mapped_column(sa.String(40), default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="")  # "" = space default
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    reminders_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="(Contact.is_primary.desc(), Contact.id)",
    )

    @property
    def recipients(self) -> list[Contact]:
        return [c for c in self.contacts if c.receives_documents]


class Contact(db.Model):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(sa.String(100), default="")
    last_name: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    is_primary: Mapped[bool] = mapped_column(default=False)
    receives_documents: Mapped[bool] = mapped_column(default=True)

    customer: Mapped[Customer] = relationship(back_populates="contacts")

    @property
    def full_name(self) -> str:
        """The name in the order of the customer's own language (山田 太郎 for Japanese)."""
        return self.name_in(self.customer.language if self.customer else "")

    def name_in(self, language: str) -> str:
        return person_name(self.first_name, self.last_name, language)
