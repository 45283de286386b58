"""OAuth 2.0 for SMTP (Microsoft 365, Google): the space's app registration and its grant, and
the authorization requests in flight. Secrets and tokens are Fernet-encrypted like the SMTP
password (djaboo/secrets_at_rest.py); the key never lives in this database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db

PROVIDERS = ("microsoft", "google")


class EmailOAuth(db.Model):
    """One row per space that chose Microsoft 365 (OAuth) or Google (OAuth). Refreshing the
    access token locks this row (see djaboo/settings/oauth_tokens.py)."""

    __tablename__ = "email_oauth"
    __table_args__ = (sa.CheckConstraint("provider IN ('microsoft', 'google')", name="provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("space.id", ondelete="CASCADE"), unique=True
    )
    provider: Mapped[str] = mapped_column(sa.String(16))
    # The space sends through this grant (Email Protocol is Microsoft 365 or Google (OAuth)).
    active: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    client_id: Mapped[str] = mapped_column(sa.String(200), default="")
    client_secret_encrypted: Mapped[str] = mapped_column(sa.Text, default="")
    tenant: Mapped[str] = mapped_column(sa.String(100), default="organizations")
    mailbox: Mapped[str] = mapped_column(sa.String(254), default="")
    refresh_token_encrypted: Mapped[str] = mapped_column(sa.Text, default="")
    access_token_encrypted: Mapped[str] = mapped_column(sa.Text, default="")
    access_expires_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    refreshed_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    # How many times the token endpoint was asked for a new access token (shown, and tested).
    refresh_count: Mapped[int] = mapped_column(default=0, server_default="0")
    from_alias_confirmed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The provider answered invalid_grant: sending is paused until someone reconnects.
    grant_refused_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def connected(self) -> bool:
        return bool(self.refresh_token_encrypted)

    def __repr__(self) -> str:  # never a token
        return f"<EmailOAuth space={self.space_id} {self.provider} {self.mailbox!r}>"


class OAuthAuthorization(db.Model):
    """A Connect in flight: the `state` (only its SHA-256), who started it, for which space,
    the PKCE verifier (encrypted); single use (used_at) and short-lived (expires_at)."""

    __tablename__ = "oauth_authorization"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(sa.String(16))
    verifier_encrypted: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[object] = mapped_column(UTCDateTime)
    used_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
