"""Emails the app writes to a customer by itself about one document: a payment's thank-you
(thank_you.py) and an estimate's expiry reminder (expiry_reminders.py). The invoice reminders
have their bulk path (reminder_batch.py); these are few, so each is made on its own.

Each is composed as a staff send of its template would be (compose_from_inputs), to the
customer's recipients, signed by `sender`. One that cannot be made (an address the message
refuses, a PDF that timed out) comes back all the same, with composed=None and the reason, to
be recorded as "Needs attention": the action that caused it is never lost because of its email.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from email.utils import make_msgid

from djaboo.documents.kinds import kind_of
from djaboo.documents.merge_facts import document_facts
from djaboo.documents.models import Payment, PublicLink
from djaboo.documents.public_links import current_link
from djaboo.documents.recording import DocumentEmail
from djaboo.documents.sending import (
    EmailInputs,
    SendRefused,
    SendRequest,
    compose_from_inputs,
    document_email,
)
from djaboo.documents.sheet import document_context
from djaboo.email_templates.models import EmailTemplate
from djaboo.mail.fields import merge_values
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


def compose_automatic(auto: Automatic, space: Space, email_settings) -> DocumentEmail:
    """The email to record (not recorded yet): composed, or with the reason it could not be."""
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
        merge_values(facts, email_settings.charset),
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
    domain = normalize_address(email_settings.from_email).rpartition("@")[2]
    composed, problem = None, ""
    try:
        composed = compose_from_inputs(
            document,
            inputs,
            auto.sender,
            request,
            context=document_context(document) if auto.attach_pdf else {},
            message_id=make_msgid(domain=domain),
        )
    except MessageError as exc:
        problem = exc.message
    except SendRefused as exc:
        problem = str(exc)
    return document_email(
        document,
        request,
        composed,
        origin=auto.origin,
        sent_by_id=auto.sent_by_id,
        new_link=new_link if composed else None,
        problem=problem,
    )
