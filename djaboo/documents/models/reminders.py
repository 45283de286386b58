from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from djaboo.db import UTCDateTime, utcnow
from djaboo.extensions import db


class ReminderSettings(db.Model):
    """When a space's automatic emails to customers go out: invoice reminders, estimate expiry
    reminders and payment thank-yous. One row per space.

    The two newer switches are on for a new space (the Python default, through defaults()) but
    off in the rows that existed before them (the server default the migration gave them): an
    upgrade never starts emailing customers by surprise."""

    __tablename__ = "reminder_settings"

    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("space.id", ondelete="CASCADE"), primary_key=True
    )
    due_soon_enabled: Mapped[bool] = mapped_column(default=True)
    due_soon_days: Mapped[int] = mapped_column(default=2)
    overdue_first_days: Mapped[int] = mapped_column(default=1)
    resend_every_days: Mapped[int] = mapped_column(default=3)  # 0 = never again
    max_resends: Mapped[int] = mapped_column(default=3)
    send_hour: Mapped[int] = mapped_column(default=9)  # in the space's time zone
    attach_pdf: Mapped[bool] = mapped_column(default=True)
    # The template (event) each stage sends; see reminder_stages.event_for.
    due_soon_event: Mapped[str] = mapped_column(
        sa.String(40), default="invoice_due_soon", server_default="invoice_due_soon"
    )
    overdue_event: Mapped[str] = mapped_column(
        sa.String(40), default="invoice_overdue", server_default="invoice_overdue"
    )
    repeat_event: Mapped[str] = mapped_column(
        sa.String(40), default="invoice_overdue_repeat", server_default="invoice_overdue_repeat"
    )
    # Email the customer when a payment is recorded (djaboo/documents/thank_you.py).
    thank_you_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.false())
    # Remind customers before an estimate expires (djaboo/documents/expiry_reminders.py).
    estimate_expiry_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.false())
    estimate_expiry_days: Mapped[int] = mapped_column(default=3, server_default="3")

    @classmethod
    def defaults(cls, space_id: int) -> ReminderSettings:
        """A new space's settings (not added to the session)."""
        return cls(
            space_id=space_id,
            **{c.name: c.default.arg for c in cls.__table__.columns if c.default is not None},
        )


class ReminderLog(db.Model):
    """One automatic reminder per (invoice, stage, occurrence), or per (estimate, stage,
    occurrence) for an estimate's expiry reminder: each row is about exactly one document, and
    the unique keys are what make a second run, or a concurrent one, send nothing extra."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        sa.UniqueConstraint("invoice_id", "stage", "occurrence"),
        sa.UniqueConstraint("estimate_id", "stage", "occurrence"),
        sa.CheckConstraint("(invoice_id IS NULL) <> (estimate_id IS NULL)", name="one_document"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("space.id", ondelete="CASCADE"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id", ondelete="CASCADE"), nullable=True
    )
    estimate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("estimate.id", ondelete="CASCADE"), nullable=True
    )
    stage: Mapped[str] = mapped_column(sa.String(16))  # due_soon | overdue | expiring
    occurrence: Mapped[int]
    outbox_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


class ReminderPass(db.Model):
    """Who runs, or last ran, a space's reminders: several processes (mail workers, cron's
    `djaboo reminders run`) share a run by taking each space here first
    (djaboo/documents/reminder_passes.py). The ledger, not this row, prevents duplicates."""

    __tablename__ = "reminder_pass"

    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("space.id", ondelete="CASCADE"), primary_key=True
    )
    runner: Mapped[str] = mapped_column(sa.String(200))  # host:pid
    started_at: Mapped[object] = mapped_column(UTCDateTime)
    finished_at: Mapped[object | None] = mapped_column(UTCDateTime, nullable=True)
