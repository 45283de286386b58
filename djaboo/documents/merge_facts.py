"""From a real document to the plain facts its email may show (no ORM object goes further)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from djaboo.documents.kinds import kind_of
from djaboo.documents.merge_fields import ContactFacts, PaymentFacts
from djaboo.documents.models import Contact, Payment, PublicLink
from djaboo.documents.public_links import active_link, current_link, unsent_link
from djaboo.email_templates.preview import company_facts, staff_facts
from djaboo.i18n import document_language, with_language
from djaboo.mail.compose import signature_for
from djaboo.mail.fields import MergeFacts, StaffFacts
from djaboo.settings.models import EmailSettings
from djaboo.spaces.models import Space
from djaboo.staff.models import User


def language_of(document) -> str:
    return document.customer.language or ""


def reader_language(document, space: Space) -> str:
    """The language the customer reads the document in (its PDF, its page, names' order)."""
    return document_language(document.customer.language, space.default_language)


def document_facts(
    document,
    *,
    space: Space,
    language: str,
    contact: Contact | None,
    sender: User | None,
    settings: EmailSettings,
    today: date,
    payment: Payment | None = None,
    link: PublicLink | None = None,
    preview: bool = False,
) -> MergeFacts:
    """Facts for an email about document, signed by sender (for automatic emails: the owner).

    An email that is sent creates the document's public link if it has none; a preview only
    looks it up (GET requests never write)."""
    customer, kind = document.customer, kind_of(document)
    if link is None and preview:
        link = current_link(kind, document) or unsent_link(kind, document)
    elif link is None:
        link = active_link(kind, document)
    with with_language(language):  # its words ({invoice_status}) in the email's language
        own = kind.facts(kind, document, today, link)
    parts = {"contact": contact_facts(customer.company, contact, language), **own}
    if payment:
        parts["payment"] = PaymentFacts(payment.amount, payment.paid_on, document.currency)
    return MergeFacts(
        company=company_facts(space, settings),
        language=language,
        staff=staff_facts(sender) if sender else StaffFacts(),
        signature_html=signature_for(
            sender.signature_html if sender else "", settings.texts_in(language).signature_html
        ),
        parts=parts,
    )


def contact_facts(company: str, contact: Contact | None, language: str) -> ContactFacts:
    """The contact's facts; `language` orders their name (family name first in Japanese)."""
    if contact is None:
        return ContactFacts(company=company, language=language)
    return ContactFacts(contact.first_name, contact.last_name, contact.email, company, language)


def facts_for_contact(facts: MergeFacts, contact: Contact | None) -> MergeFacts:
    """The same facts greeting another contact of the customer ({contact_firstname}...)."""
    current = facts.parts["contact"]
    greeted = contact_facts(current.company, contact, current.language)
    return replace(facts, parts={**facts.parts, "contact": greeted})
