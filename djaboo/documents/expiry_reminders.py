"""Estimate expiry reminders: Settings → Reminders → "Remind customers before an estimate
expires", "Days before the expiry date".

Part of the reminder run (djaboo/documents/reminders.py: same schedule, the space's send hour
and time zone, `djaboo reminders run` and the mail worker's quarter-hourly run). A sent estimate
(not a draft, not accepted or declined, not expired) whose expiry date is within N days of the
reminder day gets the "Estimate expiring soon" template once, signed by its owner, through the
same ledger as the invoice reminders (reminder_ledger.py): an entry (estimate, "expiring", 0)
whose unique key makes a second or concurrent run send nothing extra.

Like a chunk of invoice reminders, each chunk is composed without a lock, then recorded in one
short transaction: the estimates are locked (djaboo/documents/recording.py) and checked again,
the ledger rows inserted with ON CONFLICT DO NOTHING, and only the reminders this run won are
recorded. An estimate edited in between is composed again once; one whose email cannot be made
is recorded once as "Needs attention" with the reason. Not sent: to a customer whose reminders
are off, with an inactive template, to a customer with no recipient, nor about an estimate
someone emailed by hand that day or already reminded by hand (the same template, sent by a
person). The mail worker withdraws a queued one whose estimate was answered meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from djaboo.documents.automatic_emails import Automatic, compose_automatic
from djaboo.documents.kinds import ESTIMATE
from djaboo.documents.models import Customer, Estimate, ReminderLog, ReminderSettings
from djaboo.documents.recording import DocumentEmail, lock_documents, record_document_emails
from djaboo.documents.reminder_ledger import (
    claim_entries,
    link_entries,
    no_longer_due,
    reminder_signer,
)
from djaboo.email_templates.catalogue import template_for
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.email_settings import email_settings_for
from djaboo.spaces.clock import space_today, space_zone
from djaboo.spaces.models import Space
from djaboo.staff.models import User

log = logging.getLogger(__name__)
EVENT = "estimate_expiring"
STAGE = "expiring"
CHUNK = 250


def expiry_key(estimate_id: int) -> str:
    """The outbox key of an estimate's expiry reminder: one email, whoever queues it."""
    return f"estimate-expiring:{estimate_id}"


@dataclass
class Draft:
    estimate_id: int
    version: int
    emails: list[DocumentEmail]  # one per recipient contact


def _expiring(settings: ReminderSettings, day: date) -> sa.ColumnElement:
    return sa.and_(
        Estimate.status == "sent",
        Estimate.expiry_date >= day,  # expired the day after its expiry date
        Estimate.expiry_date <= day + timedelta(days=settings.estimate_expiry_days),
        Customer.reminders_enabled.is_(True),
    )


def _by_hand(space: Space, day: date):
    """Emails a person sent about an estimate that make its automatic reminder unneeded: any
    on the reminder day, and the same template at any time."""
    since = datetime.combine(day, datetime.min.time(), tzinfo=space_zone(space.timezone))
    return sa.and_(
        OutboxMessage.space_id == space.id,
        OutboxMessage.doc_type == ESTIMATE.name,
        OutboxMessage.origin == "manual",
        sa.or_(OutboxMessage.event == EVENT, OutboxMessage.created_at >= since),
    )


def due_expiry_reminders(space: Space, settings: ReminderSettings, day: date) -> list[int]:
    """The ids of the estimates whose expiry reminder is due by `day` and not in the ledger
    (a cheap read: each chunk checks them again under lock)."""
    if not settings.estimate_expiry_enabled:
        return []
    reminded = sa.select(ReminderLog.id).where(ReminderLog.estimate_id == Estimate.id).exists()
    emailed = sa.select(OutboxMessage.id).where(
        _by_hand(space, day), OutboxMessage.doc_id == Estimate.id
    )
    return list(
        db.session.execute(
            sa.select(Estimate.id)
            .join(Customer, Customer.id == Estimate.customer_id)
            .where(
                Estimate.space_id == space.id,
                _expiring(settings, day),
                ~reminded,
                ~emailed.exists(),
            )
            .order_by(Estimate.id)
        ).scalars()
    )


def queue_expiry_reminders(space: Space, settings: ReminderSettings, day: date) -> list[int]:
    """Queue the space's due expiry reminders, a chunk at a time (each chunk commits);
    returns the outbox ids queued."""
    ids = due_expiry_reminders(space, settings, day)
    db.session.commit()
    if not ids:
        return []
    email_settings = email_settings_for(space)
    if not email_settings.from_email:
        log.warning("expiry reminders of space %s not queued: no From address", space.id)
        return []
    run = _Run(space, settings, email_settings, day)
    queued = []
    for start in range(0, len(ids), CHUNK):
        queued.extend(run.queue(ids[start : start + CHUNK]))
    return queued


@dataclass
class _Run:
    space: Space
    settings: ReminderSettings
    email_settings: object
    day: date

    def __post_init__(self):
        self._templates, self._senders = {}, {}

    def queue(self, ids: list[int], *, last_try: bool = False) -> list[int]:
        drafts = self.compose(ids)
        try:
            queued, redo = self.record(drafts)
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()  # cannot happen past the ledger; the next run sees them
            queued, redo = [], []
        if not last_try:
            for estimate_id in redo:  # edited while composed: composed again, once
                queued.extend(self.queue([estimate_id], last_try=True))
        return queued

    def compose(self, ids: list[int]) -> list[Draft]:
        estimates = (
            db.session.execute(
                sa.select(Estimate)
                .where(Estimate.id.in_(ids), Estimate.space_id == self.space.id)
                .options(selectinload(Estimate.customer).selectinload(Customer.contacts))
                .execution_options(populate_existing=True)
            )
            .scalars()
            .all()
        )
        drafts = []
        for estimate in estimates:
            template = self.template(estimate.customer.language)
            if not template.active or not estimate.customer.recipients:
                continue  # not in the ledger: should that change before it expires, it goes
            items = compose_automatic(
                Automatic(
                    document=estimate,
                    template=template,
                    sender=self.sender(estimate.owner_id),
                    key=expiry_key(estimate.id),
                    origin="reminder",
                    attach_pdf=self.settings.attach_pdf,
                    today=self.day,
                ),
                self.space,
                self.email_settings,
            )
            if items[0].email.composed is None:
                log.warning(
                    "expiry reminder of estimate %s: %s", estimate.id, items[0].email.problem
                )
            drafts.append(Draft(estimate.id, estimate.version, items))
        return drafts

    def record(self, drafts: list[Draft]) -> tuple[list[int], list[int]]:
        """In the caller's transaction: (outbox ids queued, estimate ids to compose again)."""
        if not drafts:
            return [], []
        ids = [d.estimate_id for d in drafts]
        lock_documents(ESTIMATE, ids)
        fresh = {
            row.id: row
            for row in db.session.execute(
                sa.select(Estimate.id, Estimate.version)
                .join(Customer, Customer.id == Estimate.customer_id)
                .where(Estimate.id.in_(ids), _expiring(self.settings, self.day))
            )
        }
        emailed = set(
            db.session.execute(
                sa.select(OutboxMessage.doc_id).where(
                    _by_hand(self.space, self.day), OutboxMessage.doc_id.in_(ids)
                )
            ).scalars()
        )
        keep, redo = [], []
        for draft in drafts:
            row = fresh.get(draft.estimate_id)
            if row is None or row.id in emailed:
                continue  # answered, edited out of the window, or sent by hand meanwhile
            if row.version != draft.version:
                redo.append(draft.estimate_id)
                continue
            keep.append(draft)
        won = _insert_logs(self.space.id, [d.estimate_id for d in keep])
        keep = [d for d in keep if d.estimate_id in won]
        recorded = record_document_emails(
            [item for d in keep for item in d.emails], skip_duplicates=True
        )
        by_key = {r.key: r.id for r in recorded}
        _link_logs(
            {
                d.estimate_id: by_key[d.emails[0].email.key]
                for d in keep
                if d.emails[0].email.key in by_key
            }
        )
        return list(by_key.values()), redo

    def template(self, language: str):
        if language not in self._templates:
            self._templates[language] = template_for(
                self.space.id, EVENT, language, self.space.default_language
            )
        return self._templates[language]

    def sender(self, owner_id: int | None) -> User:
        """The estimate's owner signs it; without one, the space's first active admin."""
        if owner_id not in self._senders:
            self._senders[owner_id] = reminder_signer(self.space.id, owner_id)
        return self._senders[owner_id]


def _insert_logs(space_id: int, ids: list[int]) -> set[int]:
    """The ledger entries; the ones a concurrent run already has are skipped (not returned)."""
    entries = [(i, STAGE, 0) for i in ids]
    return {entry[0] for entry in claim_entries(space_id, ESTIMATE.name, entries)}


def _link_logs(outbox_ids: dict[int, int]) -> None:
    """Each ledger entry points to the email it caused."""
    link_entries(ESTIMATE.name, {(e, STAGE, 0): o for e, o in outbox_ids.items()})


def expiry_reminders_no_longer_due(rows: list[OutboxMessage]) -> dict[int, str]:
    """For the mail worker, just before sending: queued expiry reminders whose estimate was
    accepted, declined or deleted since, has expired, or whose customer's reminders were
    turned off; each with the reason shown in the email log."""
    return no_longer_due(rows, ESTIMATE.name, _current_estimates, _not_remindable)


def _current_estimates(ids: set[int]) -> dict:
    return {
        row.id: row
        for row in db.session.execute(
            sa.select(
                Estimate.id,
                Estimate.number,
                Estimate.status,
                Estimate.expiry_date,
                Customer.reminders_enabled.label("customer_reminders"),
                Space.timezone,
            )
            .join(Customer, Customer.id == Estimate.customer_id)
            .join(Space, Space.id == Estimate.space_id)
            .where(Estimate.id.in_(ids))
        )
    }


def _not_remindable(estimate) -> str | None:
    if estimate is None:
        return "the estimate was deleted"
    if estimate.status != "sent":
        label = ESTIMATE.life.labels[estimate.status].lower()
        return f"estimate {estimate.number} is {label} now"
    if not estimate.customer_reminders:
        return "reminders were turned off for this customer"
    if estimate.expiry_date < space_today(estimate):
        return f"estimate {estimate.number} expired on {estimate.expiry_date.isoformat()}"
    return None
