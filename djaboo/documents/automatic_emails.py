"""Emails the app writes to a customer by itself about one document: a payment's thank-you
(thank_you.py) and an estimate's expiry reminder (expiry_reminders.py). The invoice reminders
have their bulk path (reminder_batch.py); these are few, so each is made on its own.

Each is composed as a staff send of its template would be (document_emails): one email per
recipient contact, in the document's thread, signed by `sender`. Emails that cannot be made (an
address the message refuses, a PDF that timed out) come back all the same, with composed=None
and the reason, to be recorded as "Needs attention": the action that caused them is never lost
because of its email.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from djaboo.documents.kinds import kind_of
from djaboo.documents.merge_facts import document_facts
from djaboo.documents.models import Payment, PublicLink
from djaboo.documents.public_links import current_link
from djaboo.documents.recording import DocumentEmail
from djaboo.documents.sending import (
    EmailInputs,
    SendRefused,
    SendRequest,
    document_email,
    document_emails,
)
from djaboo.documents.sheet import document_context
from djaboo.documents.threads import document_threads
from djaboo.email_templates.models import EmailTemplate
from djaboo.mail.message import MessageError, normalize_address
from djaboo.mail.sanitize import sanitize_html
from djaboo.spaces.models import Space
from djaboo.staff.models import User


@dataclass(frozen=True)
class Automatic:
    """One automatic email about a document, before it is composed."""

    document: object
    template: EmailTemplate  # active, in the customer's language (the caller checked)
    sender: User  # signs it; replies go to them
    key: str  # the outbox key: deterministic, so it is recorded once
    origin: str  # reminder | thank_you
    attach_pdf: bool
    today: date  # the space's day the merge fields are read on
    sent_by_id: int | None = None
    payment: Payment | None = None


def link_for(document) -> tuple[PublicLink, PublicLink | None]:
    """(the link the email points to, the same if it is new and still to be stored)."""
    kind = kind_of(document)
    link = current_link(kind, document)
    if link is not None:
        return link, None
    link = PublicLink(
        space_id=document.space_id,
        doc_type=kind.name,
        doc_id=document.id,
        token=secrets.token_urlsafe(32),
    )
    return link, link


def compose_automatic(auto: Automatic, space: Space, email_settings) -> list[DocumentEmail]:
    """The emails to record (not recorded yet), one per recipient contact, each greeted by
    name and in the document's thread: composed, or, when one cannot be made, all of them
    with the reason and no message (none goes out half)."""
    document = auto.document
    contacts = document.customer.recipients
    link, new_link = link_for(document)
    facts = document_facts(
        document,
        space=space,
        language=auto.template.language,
        contact=contacts[0] if contacts else None,
        sender=auto.sender,
        settings=email_settings,
        today=auto.today,
        payment=auto.payment,
        link=link,
    )
    inputs = EmailInputs(
        space,
        email_settings,
        auto.template,
        contacts,
        facts,
        sanitize_html(auto.template.body_html),
    )
    request = SendRequest(
        event=auto.template.event,
        contact_ids=[c.id for c in contacts],
        subject=auto.template.subject,
        body_html=auto.template.body_html,
        attach_pdf=auto.attach_pdf,
        send_key=auto.key,
    )
    kind = kind_of(document)
    try:
        return document_emails(
            document,
            inputs,
            auto.sender,
            request,
            origin=auto.origin,
            sent_by_id=auto.sent_by_id,
            context=document_context(document) if auto.attach_pdf else {},
            domain=normalize_address(email_settings.from_email).rpartition("@")[2],
            thread=document_threads(kind, [document.id]).get(document.id),
            new_link=new_link,
        )
    except MessageError as exc:
        problem = exc.message
    except SendRefused as exc:
        problem = str(exc)
    return [
        document_email(
            document,
            request,
            None,
            origin=auto.origin,
            sent_by_id=auto.sent_by_id,
            contact=contact,
            problem=problem,
        )
        for contact in contacts
    ]
