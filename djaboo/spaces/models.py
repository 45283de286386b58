from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db


class Space(db.Model):
    __tablename__ = "space"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    default_language: Mapped[str] = mapped_column(sa.String(8), default="en")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Space {self.id} {self.name!r}>"
