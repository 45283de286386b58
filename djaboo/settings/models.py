from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db

MAX_KEEP_DAYS = 3650


class EmailSettings(db.Model):
    """One typed row per space: how it sends mail. Saved whole, in one transaction."""

    __tablename__ = "email_settings"
    __table_args__ = (
        sa.CheckConstraint("engine IN ('standard', 'alternative')", name="engine"),
        sa.CheckConstraint("protocol IN ('smtp', 'sendmail', 'mail')", name="protocol"),
        sa.CheckConstraint("encryption IN ('ssl', 'tls', 'none')", name="encryption"),
        sa.CheckConstraint("port BETWEEN 1 AND 65535", name="port"),
        sa.CheckConstraint(f"keep_sent_days BETWEEN 1 AND {MAX_KEEP_DAYS}", name="keep_sent_days"),
        sa.CheckConstraint("failure_notices IN ('each', 'digest')", name="failure_notices"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("space.id", ondelete="CASCADE"), unique=True
    )
    engine: Mapped[str] = mapped_column(sa.String(16), default="standard")
    protocol: Mapped[str] = mapped_column(sa.String(16), default="smtp")
    encryption: Mapped[str] = mapped_column(sa.String(8), default="tls")
    host: Mapped[str] = mapped_column(sa.String(253), default="")
    port: Mapped[int] = mapped_column(default=587)
    from_email: Mapped[str] = mapped_column(sa.String(254), default="")
    from_name: Mapped[str] = mapped_column(sa.String(120), default="")
    username: Mapped[str] = mapped_column(sa.String(254), default="")
    # Fernet token; the key is in the instance config, never in this database.
    password_encrypted: Mapped[str] = mapped_column(sa.Text, default="")
    charset: Mapped[str] = mapped_column(sa.String(32), default="utf-8")
    bcc_all: Mapped[str] = mapped_column(sa.Text, default="")
    signature_html: Mapped[str] = mapped_column(sa.Text, default="")
    header_html: Mapped[str] = mapped_column(sa.Text, default="")
    footer_html: Mapped[str] = mapped_column(sa.Text, default="")
    logo_url: Mapped[str] = mapped_column(sa.String(500), default="")
    allow_insecure_auth: Mapped[bool] = mapped_column(default=False)
    pinned_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    timeout_seconds: Mapped[int] = mapped_column(default=30)
    # Days a sent email keeps the message itself (djaboo/settings/retention.py); None: forever.
    keep_sent_days: Mapped[int | None] = mapped_column(nullable=True)
    # Tell staff about failed emails: "each" time (one notice per failure) or once a day in a
    # "digest" (djaboo/notices/).
    failure_notices: Mapped[str] = mapped_column(
        sa.String(8), default="each", server_default="each"
    )
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)

    @property
    def bcc_list(self) -> list[str]:
        return [a.strip() for a in self.bcc_all.split(",") if a.strip()]

    @property
    def login(self) -> str:
        """SMTP Username when set (Exchange logs in with a user name), else the From address."""
        return self.username or self.from_email

    def __repr__(self) -> str:
        return f"<EmailSettings space={self.space_id} {self.protocol} {self.host}:{self.port}>"


class MailCheck(db.Model):
    """One "Send Test Email" or "Check Connection" run and its step-by-step report."""

    __tablename__ = "mail_check"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('test_email', 'connection')", name="kind"),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    status: Mapped[str] = mapped_column(sa.String(16), default="running")
    steps: Mapped[list] = mapped_column(sa.JSON, default=list)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    hint: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)

    # Longer than any run can take (each step is bounded by the 120 s maximum timeout).
    RUN_LIMIT = timedelta(minutes=10)

    @property
    def interrupted(self) -> bool:
        """Still "running" long after any run would have ended: its process stopped."""
        return self.status == "running" and utcnow() - self.created_at > self.RUN_LIMIT


from djaboo.settings.oauth_models import EmailOAuth, OAuthAuthorization  # noqa: E402, F401
