"""Sending a document by email: compose it exactly as previewed, queue it in the outbox in the
same transaction as the document's status change (djaboo/documents/recording.py, the one way
in). Idempotent on the form's send key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import make_msgid

from djaboo.db import utcnow
from djaboo.documents.kinds import kind_of
from djaboo.documents.lifecycle import mark_sent
from djaboo.documents.merge_facts import document_facts, language_of
from djaboo.documents.models import Contact
from djaboo.documents.pdf import PDFError, document_pdf
from djaboo.documents.recording import DocumentEmail, lock_documents, record_document_emails
from djaboo.documents.sheet import document_context
from djaboo.email_templates.catalogue import template_for
from djaboo.extensions import db
from djaboo.mail.compose import Attachment, Composed, TemplateText, compose_email
from djaboo.mail.events import EVENTS
from djaboo.mail.fields import merge_values
from djaboo.mail.message import MessageError, Party, normalize_address
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.recording import NewEmail, existing_email
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
    label = EVENTS[event].label if event in EVENTS else event
    return f'The template "{label}" is inactive; activate it in Email templates or choose another.'


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
    values: dict
    body_html: str  # this send's text, sanitized like every stored body

    @property
    def from_name(self) -> str:
        return self.template.from_name or self.settings.from_name or self.space.name


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
    return EmailInputs(
        space,
        settings,
        template,
        contacts,
        merge_values(facts, settings.charset),
        sanitize_html(request.body_html),
    )


def compose_document_email(
    document,
    sender: User,
    request: SendRequest,
    *,
    context: dict,
    message_id: str | None = None,
    today: date | None = None,
) -> Composed:
    """The email as it will go out (the preview shows the same inputs)."""
    inputs = gather_inputs(document, sender, request, today)
    return compose_from_inputs(
        document, inputs, sender, request, context=context, message_id=message_id
    )


def compose_from_inputs(
    document,
    inputs: EmailInputs,
    sender: User,
    request: SendRequest,
    *,
    context: dict,
    message_id: str | None = None,
) -> Composed:
    """The email made from gathered inputs (the reminder run gathers them in bulk)."""
    settings = inputs.settings
    attachments = []
    if request.attach_pdf:
        try:
            pdf = document_pdf(document, context)
        except PDFError as exc:
            raise SendRefused(f"{exc} Send it without the PDF, or try again.") from None
        if len(pdf) > MAX_ATTACHMENT_BYTES:
            raise SendRefused("The PDF is larger than 10 MB; send the link instead.")
        attachments.append(Attachment(f"{document.number}.pdf", pdf))
    return compose_email(
        template=TemplateText(request.subject, inputs.body_html, inputs.template.plain_text),
        wrapper=settings.texts_in(inputs.template.language).wrapper,
        values=inputs.values,
        sender=Party(settings.from_email, inputs.from_name),
        to=[Party(c.email, c.name_in(inputs.template.language)) for c in inputs.contacts]
        or [Party(settings.from_email)],
        cc=[Party(a) for a in request.cc],
        reply_to=Party(sender.email, sender.name),
        bcc=settings.bcc_list,
        charset=settings.charset,
        message_id=message_id,
        attachments=attachments,
    )


def document_email(
    document,
    request: SendRequest,
    composed: Composed | None,
    *,
    origin: str,
    sent_by_id: int | None,
    new_link=None,
    problem: str = "",
) -> DocumentEmail:
    """What is recorded for an email about a document (composed None: it could not be made)."""
    kind = kind_of(document)
    return DocumentEmail(
        kind,
        document.id,
        NewEmail(
            space_id=document.space_id,
            origin=origin,
            key=request.send_key,
            composed=composed,
            event=request.event,
            doc_type=kind.name,
            doc_id=document.id,
            sent_by_id=sent_by_id,
            problem=problem,
            to_display=", ".join(c.email for c in chosen_contacts(document, request.contact_ids)),
            subject=f"{kind.label} {document.number}",
            not_before=request.send_at,
        ),
        new_link,
    )


def queue_document_email(
    document, sender: User, request: SendRequest
) -> tuple[OutboxMessage, bool]:
    """A staff member's send: queue the email (flushed, not committed); (row, False) when
    this send key was used.

    The document is locked and read again first (a reminder run about it waits, then sees
    this send). Its status changes before the email is made, so the attached PDF shows what
    the customer will see ("Unpaid", not "Draft"); an email that cannot be made raises
    SendRefused and the caller rolls the change back."""
    existing = existing_email(document.space_id, request.send_key)
    if existing is not None:
        return existing, False
    kind = kind_of(document)
    lock_documents(kind, [document.id])
    db.session.refresh(document)
    if document.status in kind.unsendable:  # the page has no Send button; a stale form may
        label = kind.life.labels[document.status].lower()
        raise SendRefused(f"This {kind.label.lower()} is {label}; it is not sent any more.")
    settings = email_settings_for(db.session.get(Space, document.space_id))
    if not settings.from_email:
        raise SendRefused("Set the Email (From address) in Settings → Email first.")
    if not chosen_contacts(document, request.contact_ids):
        raise SendRefused("Choose at least one recipient.")
    if not starting_template(document, request.event).active:  # switched off since the form
        raise SendRefused(inactive_template_message(request.event))
    if len(request.cc) > MAX_CC:
        raise SendRefused(f"At most {MAX_CC} CC addresses.")
    mark_sent(document, utcnow())
    domain = normalize_address(settings.from_email).rpartition("@")[2]
    try:
        composed = compose_document_email(
            document,
            sender,
            request,
            context=document_context(document),
            message_id=make_msgid(domain=domain),
        )
    except MessageError as exc:
        raise SendRefused(exc.message) from None
    (recorded,) = record_document_emails(
        [document_email(document, request, composed, origin="manual", sent_by_id=sender.id)]
    )
    return db.session.get(OutboxMessage, recorded.id), True


def chosen_contacts(document, contact_ids: list[int]) -> list[Contact]:
    """Only the customer's own contacts can be chosen (never another customer's or space's)."""
    wanted = set(contact_ids)
    return [c for c in document.customer.contacts if c.id in wanted]
