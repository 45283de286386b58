from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db
from djaboo.spaces.models import Space

ROLES = ("admin", "staff")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "staff_user"
    __table_args__ = (sa.CheckConstraint("role IN ('admin', 'staff')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"), index=True)
    # Stored lower-cased; one sign-in address for one person across all spaces.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(16), default="staff")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)
    signature_html: Mapped[str] = mapped_column(sa.Text, default="")
    # Profile → Language: "en", "fr" or "ja"; None follows the space's default language.
    language: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    # What Flask-Login keeps in the session cookie. Rotating it logs out every session of the user
    # (logout, password change, deactivation), so an old cookie can never be replayed.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    # Profile → Email me when… (notices to staff, djaboo/notices/): on unless turned off.
    notify_estimate_answers: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    notify_own_failures: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Admins only: any email of the space that fails, whoever sent it.
    notify_space_failures: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)

    space: Mapped[Space] = relationship()

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class LoginFailure(db.Model):
    """One failed sign-in; counted in a window to throttle guessing across all web processes."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PasswordReset(db.Model):
    """A link to choose a new password (Forgot your password?): usable once, for an hour.

    Only the SHA-256 of the link's token is kept, so the table alone opens no account."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[object] = mapped_column(UTCDateTime)
    used_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()


class PasswordResetRequest(db.Model):
    """One request for a reset link, whether the address has an account or not: counted per
    address and per client address to throttle them across all web processes."""

    __tablename__ = "password_reset_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
