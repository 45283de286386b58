from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db


class EmailTemplate(db.Model):
    """The subject and body one event sends in one language, for one space."""

    __tablename__ = "email_template"
    __table_args__ = (sa.UniqueConstraint("space_id", "event", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    language: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(255))
    from_name: Mapped[str] = mapped_column(sa.String(120), default="")
    body_html: Mapped[str] = mapped_column(sa.Text)
    plain_text: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<EmailTemplate {self.space_id}/{self.event}/{self.language}>"
