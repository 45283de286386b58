"""Overdue reminders: which are due, and queueing each exactly once. The same run queues the
estimates' expiry reminders (expiry_reminders.py), through the same ledger.

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
from djaboo.documents.expiry_reminders import (
    expiry_reminders_no_longer_due,
    queue_expiry_reminders,
)
from djaboo.documents.kinds import INVOICE
from djaboo.documents.models import Customer, Invoice, ReminderLog, ReminderSettings
from djaboo.documents.reminder_batch import (
    CHUNK,
    SpaceBatch,
    compose_chunk,
    record_chunk,
    record_unmade,
)
from djaboo.documents.reminder_ledger import no_longer_due
from djaboo.documents.reminder_passes import finish_space, runner_name, take_space
from djaboo.documents.reminder_stages import (
    Due,
    not_remindable,
    reminder_day,
    stage_due,
)
from djaboo.documents.sending import SendRefused
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


def run_reminders(now_utc: datetime | None = None, progress=None) -> list[int]:
    """Queue every reminder due now in every space; returns the outbox ids queued.

    Reminders are composed and recorded a chunk at a time (reminder_batch); whatever a chunk
    could not settle goes again as chunks of one: one path for all. One space's failure is
    logged and never stops the others. Several processes running at once share the spaces
    (reminder_passes): each space is run by one of them.
    """
    now_utc = now_utc or utcnow()
    run_started, runner = utcnow(), runner_name()
    queued = []
    space_ids = db.session.execute(sa.select(Space.id).order_by(Space.id)).scalars().all()
    for space_id in space_ids:
        started = take_space(space_id, run_started, runner)
        if started is None:
            continue  # another process runs it, or ran it after this run started
        for run in (_run_space, _run_expiry):  # one failing does not hold back the other
            try:
                queued.extend(run(db.session.get(Space, space_id), now_utc, progress))
            except Exception:  # noqa: BLE001 - one space's poison must not stop the others
                db.session.rollback()
                log.exception("reminders of space %s stopped; the other spaces go on", space_id)
        finish_space(space_id, started, runner)
    return queued


def _run_expiry(space: Space, now_utc: datetime, progress) -> list[int]:
    """The estimates' expiry reminders (expiry_reminders.py), on the same reminder day."""
    settings = reminder_settings_for(space.id)
    day = reminder_day(now_utc, space.timezone, settings.send_hour)
    return queue_expiry_reminders(space, settings, day)


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


def _queue_chunk(batch: SpaceBatch, chunk: list[Due], *, last_try: bool = False) -> list[int]:
    """Compose the chunk, then record it in one short transaction. What the chunk could not
    settle (an invoice edited meanwhile, a clash with another run, an email that could not be
    made) is tried again as chunks of one; a chunk of one that still fails is the last try."""
    drafts, refused = compose_chunk(batch, chunk)
    try:
        ids, stale = record_chunk(batch, drafts)
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # another run recorded some of them first
        ids, stale = [], [d.due for d in drafts]
    if last_try:
        for due in refused:
            _record_unmade(batch, due)
        return ids  # a clash or an edit again: the next run sees it
    for due in stale + refused:
        ids.extend(_queue_chunk(batch, [due], last_try=True))
    return ids


def _record_unmade(batch: SpaceBatch, due: Due) -> None:
    reason = batch.refusals.get(due, "")
    log.warning("reminder %s could not be made: %s", due, reason)
    try:
        record_unmade(batch, due, reason)
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # another run recorded it first


def reminders_no_longer_due(rows: list[OutboxMessage]) -> dict[int, str]:
    """For the mail worker, just before sending: queued reminders whose invoice was paid,
    cancelled or switched off since, or whose estimate was answered or expired, each with the
    reason shown in the email log."""
    return _invoice_reminders_no_longer_due(rows) | expiry_reminders_no_longer_due(rows)


def _invoice_reminders_no_longer_due(rows: list[OutboxMessage]) -> dict[int, str]:
    return no_longer_due(rows, INVOICE.name, _current_invoices, _not_remindable)


def _current_invoices(ids: set[int]) -> dict:
    return {
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
            .where(Invoice.id.in_(ids))
        )
    }


def _not_remindable(invoice) -> str | None:
    return "the invoice was deleted" if invoice is None else not_remindable(invoice)
