"""Overdue reminders: which are due, and queueing each exactly once.

A reminder is identified by (invoice, stage, occurrence). The stage now due is computed from the
dates in the space's time zone; a run after days without one sends the reminder for the stage
that is due now, not one per missed day; the reminder log's unique key makes a second or
concurrent run send nothing extra. Whether the invoice still needs it is checked again inside
the transaction that queues it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.kinds import INVOICE
from djaboo.documents.models import Customer, Invoice, ReminderLog, ReminderSettings
from djaboo.documents.reminder_batch import (
    CHUNK,
    SpaceBatch,
    compose_chunk,
    lock_and_read,
    record_chunk,
    reminded_before,
    sent_by_hand_since,
)
from djaboo.documents.reminder_stages import (
    Due,
    event_for,
    not_remindable,
    reminder_day,
    stage_due,
    still_wanted,
)
from djaboo.documents.sending import SendRefused, SendRequest, queue_document_email
from djaboo.documents.statuses import OPEN_INVOICE
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.spaces.models import Space

log = logging.getLogger(__name__)
__all__ = ["Due", "reminder_day", "run_reminders", "stage_due"]


def reminder_settings_for(space_id: int) -> ReminderSettings:
    """The space's settings (created with the space). Should they be missing, the defaults,
    not stored: reading never writes; saving Settings → Reminders stores them."""
    return db.session.get(ReminderSettings, space_id) or ReminderSettings.defaults(space_id)


def due_reminders(space: Space, settings: ReminderSettings, day: date) -> list[Due]:
    """The reminders due by `day` that the log does not have yet (a cheap read: the chunks
    check each one again under lock)."""
    open_invoices = sa.and_(
        Invoice.space_id == space.id,
        Invoice.status.in_(OPEN_INVOICE),
        Invoice.reminders_enabled.is_(True),
        Customer.reminders_enabled.is_(True),
        Invoice.due_date <= day + timedelta(days=settings.due_soon_days),
    )
    candidates = db.session.execute(
        sa.select(Invoice.id, Invoice.due_date)
        .join(Customer)
        .where(open_invoices)
        .order_by(Invoice.id)
    ).all()
    wanted = [d for d in (stage_due(i, settings, day) for i in candidates) if d]
    if not wanted:
        return []
    done = {  # only the open invoices' log: it does not grow with years of history
        tuple(row)
        for row in db.session.execute(
            sa.select(ReminderLog.invoice_id, ReminderLog.stage, ReminderLog.occurrence)
            .join(Invoice, Invoice.id == ReminderLog.invoice_id)
            .join(Customer)
            .where(open_invoices)
        )
    }
    return [d for d in wanted if (d.invoice_id, d.stage, d.occurrence) not in done]


def queue_reminder(due: Due, batch: SpaceBatch) -> OutboxMessage | None:
    """Queue one reminder in the current transaction, or None when it is no longer wanted.

    The log row is flushed first: a second process queueing the same reminder fails on its
    unique key (the caller rolls back and moves on) before any email exists.
    """
    fresh = lock_and_read([due.invoice_id]).get(due.invoice_id)
    if fresh is None or not still_wanted(fresh, batch.settings, batch.day, due):
        return None  # paid, cancelled or switched off since it was selected
    if due.invoice_id in sent_by_hand_since([due.invoice_id], batch):
        return None  # a manual send today postpones the automatic one
    invoice = db.session.get(Invoice, due.invoice_id, populate_existing=True)
    recipients = [c.id for c in invoice.customer.recipients]
    event = event_for(due, batch.settings, bool(reminded_before([invoice.id])))
    template, _ = batch.template(event, invoice.customer.language)
    if not recipients or not template.active:
        return None
    entry = ReminderLog(
        space_id=invoice.space_id, invoice_id=invoice.id, stage=due.stage, occurrence=due.occurrence
    )
    db.session.add(entry)
    db.session.flush()
    request = SendRequest(
        event=event,
        contact_ids=recipients,
        subject=template.subject,
        body_html=template.body_html,
        attach_pdf=batch.settings.attach_pdf,
        send_key=due.key,
    )
    row, _ = queue_document_email(
        invoice,
        batch.sender(invoice.owner_id),
        request,
        automatic=True,
    )
    entry.outbox_id = row.id
    return row


def run_reminders(now_utc: datetime | None = None, progress=None) -> list[int]:
    """Queue every reminder due now in every space; returns the outbox ids queued.

    Reminders are composed and recorded a chunk at a time (reminder_batch); whatever a chunk
    could not settle (an invoice edited meanwhile, a clash, an email that cannot be made) goes
    through queue_reminder one by one. One space's failure is logged and never stops the others.
    """
    now_utc = now_utc or utcnow()
    queued = []
    space_ids = db.session.execute(sa.select(Space.id).order_by(Space.id)).scalars().all()
    for space_id in space_ids:
        try:
            queued.extend(_run_space(db.session.get(Space, space_id), now_utc, progress))
        except Exception:  # noqa: BLE001 - one space's poison must not stop the others
            db.session.rollback()
            log.exception("reminders of space %s stopped; the other spaces go on", space_id)
    return queued


def _run_space(space: Space, now_utc: datetime, progress) -> list[int]:
    settings = reminder_settings_for(space.id)
    day = reminder_day(now_utc, space.timezone, settings.send_hour)
    todo = due_reminders(space, settings, day)
    db.session.commit()
    if not todo:
        return []
    try:
        batch = SpaceBatch(space, settings, day)
    except SendRefused as exc:
        db.session.rollback()
        log.warning("reminders of space %s not queued: %s", space.id, exc)
        return []
    queued = []
    items = iter(progress(todo) if progress else todo)
    while chunk := [due for _, due in zip(range(CHUNK), items, strict=False)]:
        queued.extend(_queue_chunk(batch, chunk))
    return queued


def _queue_chunk(batch: SpaceBatch, chunk: list[Due]) -> list[int]:
    drafts, redo = compose_chunk(batch, chunk)
    try:
        ids, stale = record_chunk(batch, drafts)
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        ids, stale = [], [d.due for d in drafts]
    return ids + _queue_one_by_one(batch, redo + stale)


def _queue_one_by_one(batch: SpaceBatch, dues: list[Due]) -> list[int]:
    queued = []
    for due in dues:
        try:
            row = queue_reminder(due, batch)
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()  # another run queued this very reminder first
            continue
        except SendRefused as exc:
            db.session.rollback()
            _record_unsent(due, batch, str(exc))
            continue
        if row is not None:
            queued.append(row.id)
    return queued


def _record_unsent(due: Due, batch: SpaceBatch, reason: str) -> OutboxMessage | None:
    """A reminder that could not be made (a header too deeply nested, a PDF that timed out):
    logged once as an email that needs attention, with the reason, instead of silently
    skipped or retried every run. Staff send it by hand once the cause is fixed."""
    log.warning("reminder %s could not be made: %s", due, reason)
    invoice = db.session.get(Invoice, due.invoice_id)
    if invoice is None:
        return None
    entry = ReminderLog(
        space_id=invoice.space_id, invoice_id=invoice.id, stage=due.stage, occurrence=due.occurrence
    )
    row = OutboxMessage(
        space_id=invoice.space_id,
        idempotency_key=due.key,
        message_id="",
        sender="",
        recipients=[],
        to_display=", ".join(c.email for c in invoice.customer.recipients),
        subject=f"Reminder for {invoice.number}",
        raw=b"",
        status="attention",
        last_error=f"Not sent: this reminder could not be made. {reason}"[:2000],
        event=event_for(due, batch.settings, False),
        doc_type=INVOICE.name,
        doc_id=invoice.id,
    )
    try:
        db.session.add_all([entry, row])
        db.session.flush()
        entry.outbox_id = row.id
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # another run recorded it first
        return None
    return row


def reminders_no_longer_due(rows: list[OutboxMessage]) -> dict[int, str]:
    """For the mail worker, just before sending: queued reminders whose invoice was paid,
    cancelled or switched off since, each with the reason shown in the email log."""
    reminders = {
        row.id: row.doc_id
        for row in rows
        if row.doc_type == INVOICE.name and row.idempotency_key.startswith("reminder:")
    }
    if not reminders:
        return {}
    invoices = {
        row.id: row
        for row in db.session.execute(
            sa.select(
                Invoice.id,
                Invoice.number,
                Invoice.status,
                Invoice.reminders_enabled,
                Customer.reminders_enabled.label("customer_reminders"),
            )
            .join(Customer, Customer.id == Invoice.customer_id)
            .where(Invoice.id.in_(set(reminders.values())))
        )
    }
    reasons = {}
    for row_id, invoice_id in reminders.items():
        invoice = invoices.get(invoice_id)
        reason = "the invoice was deleted" if invoice is None else not_remindable(invoice)
        if reason:
            reasons[row_id] = f"Not sent: {reason}."
    return reasons
