from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db
from djaboo.mail.compose import Wrapper
from djaboo.spaces.models import Space

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

    space: Mapped[Space] = relationship()
    # The signature, header and footer in each language (created with the space).
    wrappers: Mapped[list[EmailWrapper]] = relationship(
        primaryjoin="EmailSettings.space_id == foreign(EmailWrapper.space_id)",
        cascade="all, delete-orphan",
        order_by="EmailWrapper.language",
    )

    def texts_in(self, language: str) -> EmailTexts:
        """The signature, header and footer of an email in `language`: each one the
        language's own, or where that is empty, the space's default language's."""
        rows = {w.language: w for w in self.wrappers}
        own = rows.get(language)
        default = rows.get(self.space.default_language if self.space else "")

        def text(name: str) -> str:
            mine = getattr(own, name, "") or ""
            return mine if mine.strip() else (getattr(default, name, "") or "")

        return EmailTexts(*(text(name) for name in EmailTexts.NAMES))

    def wrapper(self, language: str) -> EmailWrapper | None:
        return next((w for w in self.wrappers if w.language == language), None)

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


@dataclass(frozen=True)
class EmailTexts:
    """What wraps one email: the global signature ({email_signature}), header and footer."""

    NAMES: ClassVar[tuple[str, ...]] = ("signature_html", "header_html", "footer_html")

    signature_html: str = ""
    header_html: str = ""
    footer_html: str = ""

    @property
    def wrapper(self) -> Wrapper:
        return Wrapper(self.header_html, self.footer_html)


class EmailWrapper(db.Model):
    """The space's signature, header and footer in one language (sanitized HTML; the header
    and footer may hold the merge fields every email has)."""

    __tablename__ = "email_wrapper"
    __table_args__ = (sa.UniqueConstraint("space_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(sa.String(8))
    signature_html: Mapped[str] = mapped_column(sa.Text, default="")
    header_html: Mapped[str] = mapped_column(sa.Text, default="")
    footer_html: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<EmailWrapper space={self.space_id} {self.language}>"


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
    # The JSON column "steps" holds the report to show in its reader's language: {"steps": [...],
    # "summary": [line, ...], "hint": [...]}, lines as msgid and params (djaboo/mail/texts.py).
    # Rows from before hold the list of steps alone. summary and hint: the English words.
    report: Mapped[object] = mapped_column("steps", sa.JSON, default=list)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    hint: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)

    # Longer than any run can take (each step is bounded by the 120 s maximum timeout).
    RUN_LIMIT = timedelta(minutes=10)

    @property
    def steps(self) -> list[dict]:
        report = self.report or []
        return report.get("steps", []) if isinstance(report, dict) else report

    @steps.setter
    def steps(self, steps: list[dict]) -> None:
        self.report = steps

    def lines(self, part: str) -> list[dict] | None:
        """The summary's or hint's lines (msgid and params); None on a row from before."""
        return self.report.get(part) if isinstance(self.report, dict) else None

    @property
    def interrupted(self) -> bool:
        """Still "running" long after any run would have ended: its process stopped."""
        return self.status == "running" and utcnow() - self.created_at > self.RUN_LIMIT


MAX_PAYMENT_TERMS = 365
# The mentions a French B2B invoice must carry (Code de commerce, L441-10); editable.
DEFAULT_LATE_PENALTY_TEXT = "Pénalités de retard : trois fois le taux d'intérêt légal"
DEFAULT_RECOVERY_INDEMNITY_TEXT = "Indemnité forfaitaire pour frais de recouvrement : 40 €"
DEFAULT_EARLY_PAYMENT_DISCOUNT_TEXT = "Pas d'escompte pour paiement anticipé"


def new_logo_key() -> str:
    return secrets.token_urlsafe(12)


class CompanyProfile(db.Model):
    """Setup → Company: the legal details every document, its page and its emails show.

    One row per space, keyed by the space (so a document's sheet finds it in the session's
    identity map, not with a query per document of a reminder run)."""

    __tablename__ = "company_profile"
    __table_args__ = (
        sa.CheckConstraint(
            f"payment_terms_days BETWEEN 0 AND {MAX_PAYMENT_TERMS}", name="payment_terms_days"
        ),
    )

    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("space.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    legal_name: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.Text, default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="")
    vat_number: Mapped[str] = mapped_column(sa.String(40), default="")
    registration_number: Mapped[str] = mapped_column(sa.String(40), default="")
    bank_details: Mapped[str] = mapped_column(sa.Text, default="")
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    late_penalty_text: Mapped[str] = mapped_column(
        sa.String(500), default=DEFAULT_LATE_PENALTY_TEXT
    )
    recovery_indemnity_text: Mapped[str] = mapped_column(
        sa.String(500), default=DEFAULT_RECOVERY_INDEMNITY_TEXT
    )
    # The "conditions d'escompte" a French invoice states (Code de commerce, L441-9).
    early_payment_discount_text: Mapped[str] = mapped_column(
        sa.String(500), default=DEFAULT_EARLY_PAYMENT_DISCOUNT_TEXT
    )
    # A clean PNG (djaboo/settings/logo.py), loaded only when drawn.
    logo_png: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    logo_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    # The logo's public address, /logo/<key>.png, the same for as long as the space lives
    # (emails sent years ago still show it); random, so spaces cannot be counted through it.
    logo_key: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_logo_key)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_sha256)

    def __repr__(self) -> str:
        return f"<CompanyProfile space={self.space_id} {self.legal_name!r}>"


from djaboo.settings.oauth_models import EmailOAuth, OAuthAuthorization  # noqa: E402, F401
