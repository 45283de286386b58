"""Sending a document by email: one email per chosen contact, each greeted by name and composed
exactly as previewed, queued in the outbox in the same transaction as the document's status
change (djaboo/documents/recording.py, the one way in). Idempotent per contact on the form's
send key: `<send key>:<contact id>`.

What every email about a document is made of is shared with the reminder run: the PDF is drawn
once for all recipients; each email has its own Message-ID and follows the document's earlier
emails in one thread (djaboo/documents/threads.py); the CC addresses go on the first email, the
space's "BCC all" address gets every one (the audit mailbox keeps each copy)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.utils import make_msgid

from djaboo.db import utcnow
from djaboo.documents.kinds import kind_of
from djaboo.documents.lifecycle import mark_sent
from djaboo.documents.merge_facts import document_facts, facts_for_contact, language_of
from djaboo.documents.models import Contact
from djaboo.documents.pdf import PDFError, document_pdf
from djaboo.documents.recording import DocumentEmail, lock_documents, record_document_emails
from djaboo.documents.sheet import document_context
from djaboo.documents.threads import Thread, document_threads
from djaboo.email_templates.catalogue import template_for
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail.compose import Attachment, Composed, TemplateText, compose_email
from djaboo.mail.events import EVENTS
from djaboo.mail.fields import MergeFacts, merge_values
from djaboo.mail.message import MessageError, Party, normalize_address
from djaboo.mail.outbox import AUTOMATIC_ORIGINS, OutboxMessage
from djaboo.mail.recording import NewEmail, existing_emails
from djaboo.mail.sanitize import sanitize_html
from djaboo.settings.email_settings import email_settings_for
from djaboo.spaces.clock import space_today
from djaboo.spaces.models import Space
from djaboo.staff.models import User

MAX_CC = 3
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass
class SendRequest:
    event: str
    contact_ids: list[int]
    subject: str
    body_html: str
    cc: list[str] = field(default_factory=list)
    attach_pdf: bool = True
    send_key: str = ""
    # Send later (an aware moment): made now, as previewed, and recorded as scheduled; the
    # document's status changes now too, so the PDF shows what the customer will get.
    send_at: datetime | None = None


class SendRefused(ValueError):
    """The email cannot be sent as asked; the message says why (nothing was queued)."""


def starting_template(document, event: str):
    space = db.session.get(Space, document.space_id)
    return template_for(space.id, event, language_of(document), space.default_language)


def inactive_template_message(event: str) -> str:
    """What a person is told when the template an email would use is switched off."""
    label = _(EVENTS[event].label) if event in EVENTS else event
    return _(
        'The template "%(template)s" is inactive; activate it in Email templates or choose '
        "another.",
        template=label,
    )


def inactive_events(document, events: tuple[str, ...]) -> set[str]:
    """The events whose template, in the language this document's email would use, is
    switched off (Email templates → Active): nothing sends them, by hand or automatically."""
    return {event for event in events if not starting_template(document, event).active}


@dataclass
class EmailInputs:
    """Everything an email about a document is made from; shared by Send and its preview."""

    space: Space
    settings: object
    template: object
    contacts: list[Contact]
    facts: MergeFacts  # greeting the first contact; values_for() greets another
    body_html: str  # this send's text, sanitized like every stored body

    @property
    def from_name(self) -> str:
        return self.template.from_name or self.settings.from_name or self.space.name

    def values_for(self, contact: Contact | None) -> dict:
        """The merge values of the email to this contact ({contact_firstname} is theirs)."""
        return merge_values(facts_for_contact(self.facts, contact), self.settings.charset)

    @property
    def values(self) -> dict:
        """The values of the first contact's email (the one the preview shows)."""
        return self.values_for(self.contacts[0] if self.contacts else None)


def gather_inputs(
    document, sender: User, request: SendRequest, today: date | None = None, preview: bool = False
) -> EmailInputs:
    space = db.session.get(Space, document.space_id)
    settings = email_settings_for(space)
    template = starting_template(document, request.event)
    contacts = chosen_contacts(document, request.contact_ids)
    facts = document_facts(
        document,
        space=space,
        language=template.language,
        contact=contacts[0] if contacts else None,
        sender=sender,
        settings=settings,
        today=today or space_today(space),
        preview=preview,
    )
    return EmailInputs(space, settings, template, contacts, facts, sanitize_html(request.body_html))


def document_attachments(document, request: SendRequest, context: dict) -> list[Attachment]:
    """The PDF when asked for, drawn once for every recipient's email."""
    if not request.attach_pdf:
        return []
    try:
        pdf = document_pdf(document, context)
    except PDFError as exc:
        raise SendRefused(
            _("%(problem)s Send it without the PDF, or try again.", problem=exc)
        ) from None
    if len(pdf) > MAX_ATTACHMENT_BYTES:
        raise SendRefused(_("The PDF is larger than 10 MB; send the link instead."))
    return [Attachment(f"{document.number}.pdf", pdf)]


def compose_for_contact(
    inputs: EmailInputs,
    sender: User,
    request: SendRequest,
    contact: Contact,
    *,
    cc: list[str],
    attachments: list[Attachment],
    message_id: str,
    thread: Thread | None,
    automatic: bool,
) -> Composed:
    """The email to one contact, greeted by name, in the document's thread."""
    settings = inputs.settings
    parent = thread.parent_for(contact.email) if thread else None
    return compose_email(
        template=TemplateText(request.subject, inputs.body_html, inputs.template.plain_text),
        wrapper=settings.texts_in(inputs.template.language).wrapper,
        values=inputs.values_for(contact),
        sender=Party(settings.from_email, inputs.from_name),
        to=[Party(contact.email, contact.name_in(inputs.template.language))],
        cc=[Party(a) for a in cc],
        reply_to=Party(sender.email, sender.name),
        bcc=settings.bcc_list,
        charset=settings.charset,
        message_id=message_id,
        attachments=attachments,
        in_reply_to=parent,
        references=thread.references_for(contact.email) if thread else [],
        automatic=automatic,
    )


def document_emails(
    document,
    inputs: EmailInputs,
    sender: User,
    request: SendRequest,
    *,
    origin: str,
    sent_by_id: int | None,
    context: dict,
    domain: str,
    thread: Thread | None,
    new_link=None,
) -> list[DocumentEmail]:
    """One email per contact of `inputs`, in their order: the first carries request.cc (and
    the public link made for them, if any). Raises SendRefused or MessageError when one of
    them cannot be made: then none is."""
    attachments = document_attachments(document, request, context)
    emails = []
    for n, contact in enumerate(inputs.contacts):
        composed = compose_for_contact(
            inputs,
            sender,
            request,
            contact,
            cc=request.cc if n == 0 else [],
            attachments=attachments,
            message_id=make_msgid(domain=domain),
            thread=thread,
            automatic=origin in AUTOMATIC_ORIGINS,
        )
        emails.append(
            document_email(
                document,
                request,
                composed,
                origin=origin,
                sent_by_id=sent_by_id,
                contact=contact,
                new_link=new_link if n == 0 else None,
            )
        )
    return emails


def email_key(send_key: str, contact: Contact | None) -> str:
    """The outbox key of one contact's email of a send (a staff send's form key, a reminder's
    key): the same send never reaches the same contact twice."""
    return f"{send_key}:{contact.id}" if contact else send_key


def document_email(
    document,
    request: SendRequest,
    composed: Composed | None,
    *,
    origin: str,
    sent_by_id: int | None,
    contact: Contact | None,
    new_link=None,
    problem: str = "",
) -> DocumentEmail:
    """What is recorded for one email about a document (composed None: it could not be made)."""
    kind = kind_of(document)
    return DocumentEmail(
        kind,
        document.id,
        NewEmail(
            space_id=document.space_id,
            origin=origin,
            key=email_key(request.send_key, contact),
            composed=composed,
            event=request.event,
            doc_type=kind.name,
            doc_id=document.id,
            sent_by_id=sent_by_id,
            problem=problem,
            to_display=contact.email if contact else "",
            subject=f"{kind.label} {document.number}",
            not_before=request.send_at,
        ),
        new_link,
    )


@dataclass
class Queued:
    """What a staff member's send did: the emails it queued now (created), or else the ones
    this form queued before (not created: a resubmitted form, nothing new)."""

    rows: list[OutboxMessage]
    created: bool
    recipients: list[str] = field(default_factory=list)  # the names of those queued now


def queue_document_email(document, sender: User, request: SendRequest) -> Queued:
    """A staff member's send: one email per chosen contact, queued (flushed, not committed)
    in one recording.

    The document is locked and read again first (a reminder run about it waits, then sees
    this send; a second submit of the same form waits, then finds the emails of the first).
    Its status changes before the emails are made, so the attached PDF shows what the
    customer will see ("Unpaid", not "Draft"); an email that cannot be made raises
    SendRefused, nothing is queued and the caller rolls the change back."""
    kind = kind_of(document)
    lock_documents(kind, [document.id])
    db.session.refresh(document)
    contacts = chosen_contacts(document, request.contact_ids)
    keys = [email_key(request.send_key, c) for c in contacts]
    # The form's bare key: an email queued by this form before one email per contact.
    done = existing_emails(document.space_id, [request.send_key, *keys])
    todo = [c for c, key in zip(contacts, keys, strict=True) if key not in done]
    if done and (request.send_key in done or not todo):
        return Queued(sorted(done.values(), key=lambda row: row.id), created=False)
    if document.status in kind.unsendable:  # the page has no Send button; a stale form may
        label = str(kind.status_word(document.status)).lower()
        raise SendRefused(kind.words.not_sent_any_more % {"status": label})
    settings = email_settings_for(db.session.get(Space, document.space_id))
    if not settings.from_email:
        raise SendRefused(_("Set the Email (From address) in Settings → Email first."))
    if not contacts:
        raise SendRefused(_("Choose at least one recipient."))
    if not starting_template(document, request.event).active:  # switched off since the form
        raise SendRefused(inactive_template_message(request.event))
    if len(request.cc) > MAX_CC:
        raise SendRefused(_("At most %(count)s CC addresses.", count=MAX_CC))
    if todo[0] is not contacts[0]:  # this form's first email, with the CC, went already
        request = replace(request, cc=[])
    mark_sent(document, utcnow())
    inputs = replace(gather_inputs(document, sender, request), contacts=todo)
    try:
        emails = document_emails(
            document,
            inputs,
            sender,
            request,
            origin="manual",
            sent_by_id=sender.id,
            context=document_context(document),
            domain=normalize_address(settings.from_email).rpartition("@")[2],
            thread=document_threads(kind, [document.id]).get(document.id),
        )
    except MessageError as exc:
        raise SendRefused(exc.message) from None
    recorded = record_document_emails(emails)
    rows = [db.session.get(OutboxMessage, r.id) for r in recorded]
    return Queued(
        sorted(rows, key=lambda row: row.id),
        created=True,
        recipients=[c.full_name or c.email for c in todo],
    )


def chosen_contacts(document, contact_ids: list[int]) -> list[Contact]:
    """Only the customer's own contacts can be chosen (never another customer's or space's)."""
    wanted = set(contact_ids)
    return [c for c in document.customer.contacts if c.id in wanted]
