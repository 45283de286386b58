"""The send view's preview: the very email that Send will queue, with missing values marked.
Each chosen contact gets their own email: the preview shows the first one's."""

from __future__ import annotations

from djaboo.documents.sending import SendRequest, gather_inputs
from djaboo.email_templates.preview import Preview, preview_html
from djaboo.mail.compose import render_subject, render_text
from djaboo.mail.fields import FIELDS
from djaboo.mail.merge import fields_used, highlight_missing_text
from djaboo.staff.models import User


def preview_document_email(document, sender: User, request: SendRequest) -> Preview:
    inputs = gather_inputs(document, sender, request, preview=True)
    settings, values, body = inputs.settings, inputs.values, inputs.body_html
    wrapper = settings.texts_in(inputs.template.language).wrapper
    used = [
        *fields_used(request.subject),
        *fields_used(body),
        *fields_used(wrapper.header_html),
        *fields_used(wrapper.footer_html),
    ]
    recipients = _recipients(inputs.contacts, request.cc, inputs.template.language)
    html, problem = (None, None)
    if not inputs.template.plain_text:
        html, problem = preview_html(wrapper, body, values, settings.charset)
    return Preview(
        subject=render_subject(request.subject, values, missing=highlight_missing_text),
        sender=f"{inputs.from_name} <{settings.from_email or 'no From address set'}>",
        recipient=recipients or "nobody chosen yet",
        html=html,
        text=render_text(wrapper, body, values, missing=highlight_missing_text),
        missing=[n for n in dict.fromkeys(used) if n in FIELDS and not values.get(n)],
        problem=problem,
    )


def _recipients(contacts, cc: list[str], language: str) -> str:
    """The previewed email's To (and CC), and who else gets an email of their own; names in
    the email's language's order."""
    if not contacts:
        return ""
    first, *others = contacts
    shown = f"{first.name_in(language)} <{first.email}>".strip()
    if cc:
        shown += f"; CC: {', '.join(cc)}"
    if others:
        rest = ", ".join(f"{c.name_in(language)} <{c.email}>".strip() for c in others)
        shown += (
            ". Each recipient gets their own email; the preview shows the one to "
            f"{first.name_in(language) or first.email}. The others go to: {rest}."
        )
    return shown
