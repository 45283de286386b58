"""The outbox: every email is a row, committed with the action that caused it, before any send.

The row holds the final message bytes (rendered when it was queued, so a later template edit
does not change it), the SMTP envelope, a stable Message-ID and an idempotency key that is
unique per space, so a double click or a retried request cannot create a second email.

States:  queued -> sending -> sent
                           -> retry (next_attempt_at) -> sending ...
                           -> failed (permanent, with the server's words)
                           -> attention (the space's configuration must be fixed)
                           -> unknown (the server may have it; never re-sent silently)
         scheduled (Send at: next_attempt_at) -> sending once its time came
         queued/retry -> withdrawn (a reminder whose invoice was paid before it went out)
         queued/retry/scheduled -> cancelled (by a person, while no worker had claimed it)
         retry/scheduled -> queued (Retry now, Send now); failed/attention/unknown -> queued
         (Resend): djaboo/mail/queue_control.py

Each big attachment (a PDF) is stored once per space and content, apart from the rows that
use it (djaboo/mail/parts.py). A sent or withdrawn row may later lose its message (raw emptied,
pruned_at set) and keep its log line: the space's retention, decided and run outside the mail
core (settings/retention.py).

Every row is recorded by djaboo/mail/recording.py, whatever its origin.
Only `djaboo mail worker` sends (djaboo/mail/worker.py). On PostgreSQL a trigger (migration
0012) notifies the workers in the transaction that queues a row, so they start at its commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, trigram_index, utcnow
from djaboo.extensions import db
from djaboo.mail.parts import message_bytes
from djaboo.mail.recipient_results import RecipientResult, recipient_outcomes, recipient_summary

STATUSES = (
    "queued",
    "scheduled",
    "sending",
    "sent",
    "retry",
    "failed",
    "attention",
    "unknown",
    "withdrawn",
    "cancelled",
    "bounced",
)
# Why an email exists; stored with it (never guessed from its key). djaboo/mail/recording.py
ORIGINS = {
    "manual": "Sent by staff",
    "reminder": "Automatic reminder",
    "test": "Test email",
    "thank_you": "Payment thank-you",
    "notice": "Notice to staff",
    "password_reset": "Password reset",
}
# The origins no person sends this very email for: composed with automatic=True (the headers
# that keep out-of-office robots from answering, mail/message.py), checked when recorded. A test
# email is an admin's deliberate action, a staff send a person's: neither is automatic.
AUTOMATIC_ORIGINS = frozenset({"reminder", "thank_you", "notice", "password_reset"})
STATUS_LABELS = {
    "queued": "Queued",
    "scheduled": "Scheduled",
    "sending": "Sending",
    "sent": "Accepted by the server",
    "retry": "Will retry",
    "failed": "Failed",
    "attention": "Needs attention",
    "unknown": "Unknown (check)",
    "withdrawn": "Not sent: no longer needed",
    "cancelled": "Cancelled",
    "bounced": "Bounced",
}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.UniqueConstraint("space_id", "idempotency_key"),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_doc", "doc_type", "doc_id"),
        sa.Index("ix_outbox_space_created", "space_id", "created_at"),
        sa.Index("ix_outbox_space_id", "space_id", "id"),  # the email log's order
        trigram_index("ix_outbox_subject_trgm", "subject"),
        trigram_index("ix_outbox_to_display_trgm", "to_display"),
        sa.Index("ix_outbox_space_claims", "space_id", "status", "claimed_at"),
        sa.Index("ix_outbox_message_message_id", "message_id"),  # bounces are matched by it
        # The claim's range scans (djaboo/mail/claims.py); its queries write these statuses
        # as literals, which both engines need to use a partial index.
        sa.Index(
            "ix_outbox_queued",
            "space_id",
            "id",
            postgresql_where=sa.text("status = 'queued'"),
            sqlite_where=sa.text("status = 'queued'"),
        ),
        sa.Index(
            "ix_outbox_waiting",
            "space_id",
            "next_attempt_at",
            postgresql_where=sa.text("status IN ('retry', 'scheduled')"),
            sqlite_where=sa.text("status IN ('retry', 'scheduled')"),
        ),
        # What a retention run looks through: the rows that still hold their message.
        sa.Index(
            "ix_outbox_space_unpruned",
            "space_id",
            "created_at",
            postgresql_where=sa.text("pruned_at IS NULL"),
            sqlite_where=sa.text("pruned_at IS NULL"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'scheduled', 'sending', 'sent', 'retry', 'failed', 'attention', "
            "'unknown', 'withdrawn', 'cancelled', 'bounced')",
            name="status",
        ),
        sa.CheckConstraint(
            "origin IN ('manual', 'reminder', 'test', 'thank_you', 'notice', 'password_reset')",
            name="origin",
        ),
        sa.CheckConstraint("sent_copy IN ('', 'pending', 'saved', 'failed')", name="sent_copy"),
        # What the Sent folder copy job looks through: the copies still to save.
        sa.Index(
            "ix_outbox_sent_copy_pending",
            "space_id",
            "sent_copy_next_at",
            postgresql_where=sa.text("sent_copy = 'pending'"),
            sqlite_where=sa.text("sent_copy = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(sa.String(80))
    origin: Mapped[str] = mapped_column(sa.String(20), default="manual", server_default="manual")
    message_id: Mapped[str] = mapped_column(sa.String(255))
    sender: Mapped[str] = mapped_column(sa.String(254))
    recipients: Mapped[list] = mapped_column(sa.JSON)  # envelope: To, Cc and BCC
    to_display: Mapped[str] = mapped_column(sa.Text, default="")  # who it was addressed to
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    # The message as stored: its big attachments are kept once, apart (djaboo/mail/parts.py);
    # `raw` is the message as recorded, the bytes that go out.
    stored: Mapped[bytes] = mapped_column("raw", sa.LargeBinary)
    smtputf8: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    # Not to go before this (Send at; Send now and Resend set it to then): the time from which
    # the give-up age of its retries counts, so an email scheduled weeks ahead gets its days.
    not_before: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    # The worker connection (host:pid:thread) holding the claim: caps connections per space.
    claimed_by: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # New for every claim: the holder writes an outcome only while the row still carries its
    # token, so a row taken over after its lease expired is never written (or sent) by both.
    claim_token: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    server_reply: Mapped[str] = mapped_column(sa.Text, default="")
    recipient_results: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    event: Mapped[str] = mapped_column(sa.String(40), default="")
    doc_type: Mapped[str] = mapped_column(sa.String(16), default="")
    doc_id: Mapped[int | None] = mapped_column(nullable=True)
    sent_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    # When the message itself (raw, its PDF included) was removed, keeping this log line: the
    # space's retention (Settings → Email → Keep sent messages for; djaboo/settings/retention.py).
    pruned_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    # The per-message VERP token of its envelope sender (Return-Path for bounces), else "".
    bounce_token: Mapped[str] = mapped_column(
        sa.String(32), default="", server_default="", index=True
    )
    # Bounced: the server accepted it, then a delivery status notification came back
    # (djaboo/mail/bounces.py); the reason is the DSN's status and diagnostic.
    bounce_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    bounced_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    # The copy in the mailbox's Sent folder, saved by a job of its own after the send
    # (djaboo/settings/sent_copies.py): "" not asked, "pending", "saved", "failed" (given up).
    sent_copy: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    sent_copy_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # When a pending copy may be tried: after a failed attempt, or once a job's lease ends.
    sent_copy_next_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
    # Why the copy could not be saved ("" : saved, not asked, or not tried yet).
    sent_copy_error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    @hybrid_property
    def raw(self) -> bytes:
        return message_bytes(self.id, self.stored)

    @raw.inplace.setter
    def _raw_setter(self, value: bytes) -> None:
        self.stored = value  # as it is: only recording.py takes parts out

    @raw.inplace.expression
    @classmethod
    def _raw_expression(cls):
        return cls.stored

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def origin_label(self) -> str:
        return ORIGINS.get(self.origin, self.origin)

    @property
    def recipient_outcomes(self) -> list[RecipientResult]:
        """What each recipient got, across attempts (djaboo/mail/recipient_results.py)."""
        return recipient_outcomes(self.recipient_results)

    @property
    def recipient_summary(self) -> str:
        """One line, e.g. "Delivered to 2; refused for x@y.example: 550 …"; "" before any answer."""
        return recipient_summary(self.recipient_results)


class BouncedAddress(db.Model):
    """An address whose mail bounced in a space: the last bounce, shown as Address bounced."""

    __tablename__ = "bounced_address"
    __table_args__ = (sa.UniqueConstraint("space_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))  # lower case
    bounced_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    outbox_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL"), nullable=True
    )


class MailPause(db.Model):
    """A space whose sending is paused because its settings are wrong (authentication,
    certificate, sender refused). Retrying message after message would only lock the account;
    saving Settings → Email lifts the pause."""

    __tablename__ = "mail_pause"

    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("space.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    since: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


class WorkerHeartbeat(db.Model):
    """When each mail worker last passed, so a queue that waits with no worker is noticed."""

    __tablename__ = "worker_heartbeat"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)  # host:pid
    seen_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
