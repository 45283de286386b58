"""Which reminder an invoice should have on a given day, and which template it uses.

A reminder is identified by (invoice, stage, occurrence): the due-soon notice (occurrence 0),
then the overdue notice (occurrence 0 is the first, 1.. the repeats).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from djaboo.documents.statuses import INVOICE_LIFE, OPEN_INVOICE


@dataclass(frozen=True)
class Due:
    invoice_id: int
    stage: str  # due_soon | overdue
    occurrence: int

    @property
    def key(self) -> str:
        """The reminder's send key: each recipient's email is keyed `<key>:<contact id>`
        (sending.email_key), one per reminder and contact, whoever queues it."""
        return f"reminder:{self.invoice_id}:{self.stage}:{self.occurrence}"


def reminder_day(now_utc: datetime, timezone: str, send_hour: int) -> date:
    """The day whose reminders may go out now: today from the send hour on, else yesterday."""
    local = now_utc.astimezone(ZoneInfo(timezone or "UTC"))
    return local.date() if local.hour >= send_hour else local.date() - timedelta(days=1)


def stage_due(invoice, settings, day: date) -> Due | None:
    """The one reminder this invoice (anything with id and due_date) should have by `day`."""
    if invoice.due_date > day:
        before = (invoice.due_date - day).days
        if settings.due_soon_enabled and before <= settings.due_soon_days:
            return Due(invoice.id, "due_soon", 0)
        return None
    late = (day - invoice.due_date).days
    if late < settings.overdue_first_days:
        return None
    occurrence = 0
    if settings.resend_every_days > 0:
        occurrence = min(
            (late - settings.overdue_first_days) // settings.resend_every_days, settings.max_resends
        )
    return Due(invoice.id, "overdue", occurrence)


def not_remindable(invoice) -> str | None:
    """Why this invoice gets no reminder now, or None. `invoice`: a row with number, status,
    reminders_enabled and customer_reminders (the customer's switch)."""
    if invoice.status not in OPEN_INVOICE:
        return f"invoice {invoice.number} is {INVOICE_LIFE.labels[invoice.status].lower()} now"
    if not invoice.reminders_enabled:
        return f"reminders were turned off for {invoice.number}"
    if not invoice.customer_reminders:
        return "reminders were turned off for this customer"
    return None


def still_wanted(invoice, settings, day: date, due: Due) -> bool:
    """Re-checked under lock before a reminder is recorded: remindable, and the same stage."""
    return not_remindable(invoice) is None and stage_due(invoice, settings, day) == due


def event_for(due: Due, settings, reminded_before: bool) -> str:
    """The template each stage uses, as chosen in Settings → Reminders. A repeat is a notice
    that follows an earlier overdue notice: catching up on an invoice nobody has reminded yet
    sends the first notice's text, whatever the occurrence."""
    if due.stage == "due_soon":
        return settings.due_soon_event
    return settings.repeat_event if reminded_before else settings.overdue_event
