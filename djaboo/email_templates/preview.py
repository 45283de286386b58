"""What the editor shows: the final email, exactly as compose_email() would build it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from djaboo.display_texts import translated_mail_lines
from djaboo.email_templates.samples import sample_facts
from djaboo.i18n import _
from djaboo.mail.compose import (
    TemplateText,
    Wrapper,
    render_html,
    render_subject,
    render_text,
    signature_for,
)
from djaboo.mail.fields import (
    FIELDS,
    CompanyFacts,
    MergeFacts,
    StaffFacts,
    merge_values,
    recipient_of,
    split_name,
)
from djaboo.mail.merge import (
    fields_used,
    highlight_missing_html,
    highlight_missing_text,
)
from djaboo.mail.message import MessageError
from djaboo.settings.company import company_merge_facts
from djaboo.settings.models import EmailSettings
from djaboo.spaces.clock import space_today
from djaboo.spaces.models import Space
from djaboo.staff.models import User


@dataclass
class Preview:
    subject: str
    sender: str
    recipient: str
    html: str | None
    text: str
    missing: list[str]
    problem: str | None = None  # why the HTML cannot be shown (nor sent)

    def as_json(self) -> dict:
        """What the preview scripts of the template editor and the send page read."""
        return {**asdict(self), "errors": {}}


def preview_html(
    wrapper: Wrapper, body_html: str, values: dict, charset: str
) -> tuple[str | None, str | None]:
    """(html, None), or (None, the reason) when the email's HTML cannot be made; a stored
    header or signature beyond the bounds is a message in the preview, not an error page."""
    try:
        html = render_html(wrapper, body_html, values, charset, missing=highlight_missing_html)
    except MessageError as exc:
        return None, translated_mail_lines(exc.lines)
    return html, None


def company_facts(space: Space, settings: EmailSettings) -> CompanyFacts:
    """The company fields of every email (Setup → Company; the logo URL of Settings → Email
    when no logo is uploaded)."""
    return company_merge_facts(space, settings.logo_url)


def staff_facts(user: User) -> StaffFacts:
    first, last = split_name(user.name)
    return StaffFacts(first, last, user.email)


def build_preview(
    template: TemplateText,
    language: str,
    from_name: str,
    space: Space,
    settings: EmailSettings,
    user: User,
    facts: MergeFacts | None = None,
) -> Preview:
    """The email as `user` would send it: about a real document when facts are given, else
    about the sample document of `language`."""
    facts = facts or sample_facts(
        language,
        company_facts(space, settings),
        staff_facts(user),
        signature_for(user.signature_html, settings.texts_in(language).signature_html),
        space_today(space),
    )
    values = merge_values(facts, settings.charset)
    wrapper = settings.texts_in(language).wrapper
    used = [
        *fields_used(template.subject),
        *fields_used(template.body_html),
        *fields_used(wrapper.header_html),
        *fields_used(wrapper.footer_html),
    ]
    missing = [n for n in dict.fromkeys(used) if n in FIELDS and not values.get(n)]
    html = problem = None
    if not template.plain_text:
        html, problem = preview_html(wrapper, template.body_html, values, settings.charset)
    name = from_name or settings.from_name or space.name
    return Preview(
        subject=render_subject(template.subject, values, missing=highlight_missing_text),
        sender=f"{name} <{settings.from_email or _('no From address set')}>",
        recipient=recipient_of(facts),
        html=html,
        text=render_text(wrapper, template.body_html, values, missing=highlight_missing_text),
        missing=missing,
        problem=problem,
    )
