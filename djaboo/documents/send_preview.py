"""The send view's preview: the very email that Send will queue, with missing values marked."""

from __future__ import annotations

from datetime import date

from djaboo.documents.merge_facts import document_facts
from djaboo.documents.sending import SendRequest, _chosen_contacts, starting_template
from djaboo.email_templates.preview import Preview
from djaboo.extensions import db
from djaboo.mail.compose import Wrapper, render_html, render_subject, render_text
from djaboo.mail.fields import FIELDS, merge_values
from djaboo.mail.merge import fields_used, highlight_missing_html, highlight_missing_text
from djaboo.mail.sanitize import sanitize_html
from djaboo.settings.email_settings import email_settings_for
from djaboo.spaces.models import Space
from djaboo.staff.models import User


def preview_document_email(document, sender: User, request: SendRequest) -> Preview:
    space = db.session.get(Space, document.space_id)
    settings = email_settings_for(space)
    template = starting_template(document, request.event)
    contacts = _chosen_contacts(document, request.contact_ids)
    facts = document_facts(
        document,
        space=space,
        language=template.language,
        contact=contacts[0] if contacts else None,
        sender=sender,
        settings=settings,
        today=date.today(),
    )
    values = merge_values(facts, settings.charset)
    wrapper = Wrapper(settings.header_html, settings.footer_html)
    body = sanitize_html(request.body_html)
    used = [
        *fields_used(request.subject),
        *fields_used(body),
        *fields_used(wrapper.header_html),
        *fields_used(wrapper.footer_html),
    ]
    name = template.from_name or settings.from_name or space.name
    recipients = ", ".join(f"{c.full_name} <{c.email}>".strip() for c in contacts)
    if request.cc:
        recipients += f"; CC: {', '.join(request.cc)}"
    return Preview(
        subject=render_subject(request.subject, values, missing=highlight_missing_text),
        sender=f"{name} <{settings.from_email or 'no From address set'}>",
        recipient=recipients or "nobody chosen yet",
        html=None
        if template.plain_text
        else render_html(wrapper, body, values, settings.charset, missing=highlight_missing_html),
        text=render_text(wrapper, body, values, missing=highlight_missing_text),
        missing=[n for n in dict.fromkeys(used) if n in FIELDS and not values.get(n)],
    )
