"""Queueing due reminders in chunks: the bulk path of the reminder run.

A chunk is made in two steps so that composing never holds a lock:
1. read and compose: the invoices with their customers and contacts in three queries; the
   settings, templates, signatures and sanitized bodies once per space; each email composed;
2. record, in one short transaction: the chunk's invoices are locked (FOR UPDATE, or SQLite's
   write lock), each is checked again (still open, reminders still on, unchanged since it was
   composed, not sent by hand today), the reminder log rows are inserted with ON CONFLICT DO
   NOTHING (a concurrent run's rows win quietly) and only the reminders this run won are
   recorded, as every document email is (djaboo/documents/recording.py).
An invoice edited between the two steps is composed again, as a chunk of one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from djaboo.documents.kinds import INVOICE
from djaboo.documents.merge_facts import document_facts
from djaboo.documents.models import Customer, Invoice, PublicLink, ReminderLog, ReminderSettings
from djaboo.documents.recording import DocumentEmail, lock_documents, record_document_emails
from djaboo.documents.reminder_ledger import claim_entries, link_entries, reminder_signer
from djaboo.documents.reminder_stages import Due, event_for, still_wanted
from djaboo.documents.sending import (
    EmailInputs,
    SendRefused,
    SendRequest,
    document_email,
    document_emails,
)
from djaboo.documents.sheet import document_context
from djaboo.documents.threads import document_threads
from djaboo.email_templates.catalogue import template_for
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail.message import MessageError, normalize_address
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.recording import record_emails
from djaboo.mail.sanitize import sanitize_html
from djaboo.settings.company import company_profile_for
from djaboo.settings.email_settings import email_settings_for
from djaboo.spaces.models import Space
from djaboo.staff.models import User

CHUNK = 250


@dataclass
class Draft:
    """One composed reminder, not yet recorded: an email per recipient contact (the ledger
    row points to the first)."""

    due: Due
    version: int
    emails: list[DocumentEmail]


@dataclass
class SpaceBatch:
    """What every reminder of one space's run is made from, read once."""

    space: Space
    settings: ReminderSettings
    day: date
    email_settings: object = None
    domain: str = ""
    _templates: dict = field(default_factory=dict)
    _bodies: dict = field(default_factory=dict)
    _senders: dict = field(default_factory=dict)
    refusals: dict = field(default_factory=dict)  # Due -> why its email could not be made
    # Held, not used: every reminder's {company…} fields find the space's profile in the
    # session's identity map, which keeps an object only while something refers to it;
    # unreferenced, it was read again (logo included) for every reminder.
    _company: object = None

    def __post_init__(self):
        self._company = company_profile_for(self.space)
        self.email_settings = email_settings_for(self.space)
        if not self.email_settings.from_email:
            raise SendRefused(_("Set the Email (From address) in Settings → Email first."))
        self.domain = normalize_address(self.email_settings.from_email).rpartition("@")[2]

    def template(self, event: str, language: str):
        if (event, language) not in self._templates:
            template = template_for(self.space.id, event, language, self.space.default_language)
            self._templates[(event, language)] = template
            self._bodies[(event, language)] = sanitize_html(template.body_html)
        return self._templates[(event, language)], self._bodies[(event, language)]

    def sender(self, owner_id: int | None) -> User:
        """The invoice's owner signs it (their signature, else the global one); else an admin."""
        if owner_id not in self._senders:
            self._senders[owner_id] = reminder_signer(self.space.id, owner_id)
        return self._senders[owner_id]


def compose_chunk(batch: SpaceBatch, chunk: list[Due]) -> tuple[list[Draft], list[Due]]:
    """Step 1: the chunk's emails, composed from one read; (drafts, refused)."""
    wanted = {d.invoice_id: d for d in chunk}
    invoices = (
        db.session.execute(
            sa.select(Invoice)
            .where(Invoice.id.in_(wanted), Invoice.space_id == batch.space.id)
            .options(selectinload(Invoice.customer).selectinload(Customer.contacts))
            .execution_options(populate_existing=True)
        )
        .scalars()
        .all()
    )
    links = _existing_links(batch.space.id, list(wanted))
    reminded = reminded_before(list(wanted))
    threads = document_threads(INVOICE, list(wanted))
    drafts, refused = [], []
    for invoice in invoices:
        due = wanted[invoice.id]
        contacts = invoice.customer.recipients
        template, body = batch.template(
            event_for(due, batch.settings, invoice.id in reminded), invoice.customer.language
        )
        if not contacts or not template.active:
            continue
        link = links.get(invoice.id)
        new_link = None
        if link is None:
            link = new_link = PublicLink(
                space_id=invoice.space_id,
                doc_type=INVOICE.name,
                doc_id=invoice.id,
                token=secrets.token_urlsafe(32),
            )
        sender = batch.sender(invoice.owner_id)
        facts = document_facts(
            invoice,
            space=batch.space,
            language=template.language,
            contact=contacts[0],
            sender=sender,
            settings=batch.email_settings,
            today=batch.day,
            link=link,
        )
        inputs = EmailInputs(batch.space, batch.email_settings, template, contacts, facts, body)
        request = SendRequest(
            event=template.event,
            contact_ids=[c.id for c in contacts],
            subject=template.subject,
            body_html=template.body_html,
            attach_pdf=batch.settings.attach_pdf,
            send_key=due.key,
        )
        try:
            emails = document_emails(
                invoice,
                inputs,
                sender,
                request,
                origin="reminder",
                sent_by_id=None,
                context=document_context(invoice) if request.attach_pdf else {},
                domain=batch.domain,
                thread=threads.get(invoice.id),
                new_link=new_link,
            )
        except (MessageError, SendRefused) as exc:
            batch.refusals[due] = exc.message if isinstance(exc, MessageError) else str(exc)
            refused.append(due)
            continue
        drafts.append(Draft(due, invoice.version, emails))
    return drafts, refused


def record_chunk(batch: SpaceBatch, drafts: list[Draft]) -> tuple[list[int], list[Due]]:
    """Step 2, in the caller's transaction: (outbox ids queued, dues to redo one by one)."""
    if not drafts:
        return [], []
    ids = [d.due.invoice_id for d in drafts]
    fresh = lock_and_read(ids)
    by_hand = sent_by_hand_since(ids, batch)
    keep, redo = [], []
    for draft in drafts:
        row = fresh.get(draft.due.invoice_id)
        if row is None or row.id in by_hand:
            continue
        if not still_wanted(row, batch.settings, batch.day, draft.due):
            continue
        if row.version != draft.version:
            redo.append(draft.due)  # edited since it was composed
            continue
        keep.append(draft)
    won = _insert_logs(batch.space.id, [d.due for d in keep])
    keep = [d for d in keep if d.due in won]
    recorded = record_document_emails([e for d in keep for e in d.emails])
    ids = {r.key: r.id for r in recorded}
    _link_logs({d.due: ids[d.emails[0].email.key] for d in keep})
    return [r.id for r in recorded], redo


def record_unmade(batch: SpaceBatch, due: Due, reason: str) -> int | None:
    """A reminder that could not be made (a header too deeply nested, a PDF that timed out):
    recorded once, in the ledger and as an email per recipient that needs attention with the
    reason, instead of silently skipped or tried again every run. Staff send it by hand once the
    cause is fixed. None when another run recorded this reminder first."""
    invoice = db.session.get(Invoice, due.invoice_id)
    if invoice is None or due not in _insert_logs(batch.space.id, [due]):
        return None
    request = SendRequest(
        event=event_for(due, batch.settings, False),
        contact_ids=[c.id for c in invoice.customer.recipients],
        subject="",
        body_html="",
        send_key=due.key,
    )
    items = [
        document_email(
            invoice, request, None, origin="reminder", sent_by_id=None, contact=c, problem=reason
        )
        for c in invoice.customer.recipients or [None]
    ]
    ids = {r.key: r.id for r in record_emails([i.email for i in items])}
    _link_logs({due: ids[items[0].email.key]})
    return ids[items[0].email.key]


def _link_logs(outbox_ids: dict[Due, int]) -> None:
    link_entries(
        INVOICE.name,
        {(d.invoice_id, d.stage, d.occurrence): outbox_id for d, outbox_id in outbox_ids.items()},
    )


def lock_and_read(ids: list[int]) -> dict:
    """The invoices' current state, locked until commit (as a staff member's send locks them)."""
    table = Invoice.__table__
    query = (
        sa.select(
            table.c.id,
            table.c.number,
            table.c.status,
            table.c.version,
            table.c.reminders_enabled,
            table.c.due_date,
            Customer.__table__.c.reminders_enabled.label("customer_reminders"),
        )
        .join(Customer.__table__, Customer.__table__.c.id == table.c.customer_id)
        .where(table.c.id.in_(ids))
    )
    lock_documents(INVOICE, ids)
    return {row.id: row for row in db.session.execute(query)}


def sent_by_hand_since(ids: list[int], batch: SpaceBatch) -> set[int]:
    """Invoices emailed by a person on the reminder day (in the space's time zone): their
    automatic reminder waits."""
    zone = ZoneInfo(batch.space.timezone or "UTC")
    since = datetime.combine(batch.day, datetime.min.time(), tzinfo=zone)
    return set(
        db.session.execute(
            sa.select(OutboxMessage.doc_id).where(
                OutboxMessage.doc_type == INVOICE.name,
                OutboxMessage.doc_id.in_(ids),
                OutboxMessage.created_at >= since,
                OutboxMessage.origin == "manual",
            )
        ).scalars()
    )


def _insert_logs(space_id: int, dues: list[Due]) -> set[Due]:
    """The chunk's ledger entries; the ones a concurrent run already has are skipped."""
    entries = [(d.invoice_id, d.stage, d.occurrence) for d in dues]
    return {Due(*entry) for entry in claim_entries(space_id, INVOICE.name, entries)}


def reminded_before(ids: list[int]) -> set[int]:
    """The invoices that already had an overdue notice."""
    return set(
        db.session.execute(
            sa.select(ReminderLog.invoice_id).where(
                ReminderLog.invoice_id.in_(ids), ReminderLog.stage == "overdue"
            )
        ).scalars()
    )


def _existing_links(space_id: int, ids: list[int]) -> dict[int, PublicLink]:
    links = {}
    for link in db.session.execute(
        sa.select(PublicLink)
        .where(
            PublicLink.space_id == space_id,
            PublicLink.doc_type == INVOICE.name,
            PublicLink.doc_id.in_(ids),
            PublicLink.revoked_at.is_(None),
        )
        .order_by(PublicLink.id)
    ).scalars():
        links[link.doc_id] = link  # the newest wins, as in active_link
    return links
