"""The test email: the space's "Test email" template, wrapped and signed like every other."""

from __future__ import annotations

from djaboo.email_templates.catalogue import template_for
from djaboo.email_templates.preview import company_facts, staff_facts
from djaboo.mail.compose import Composed, TemplateText, compose_email, signature_for
from djaboo.mail.errors import MailError
from djaboo.mail.events import EVENTS
from djaboo.mail.fields import MergeFacts, StaffFacts, merge_values
from djaboo.mail.message import Party
from djaboo.mail.texts import N_, Line
from djaboo.settings.models import EmailSettings
from djaboo.spaces.models import Space
from djaboo.staff.models import User


def compose_test_email(
    space: Space, settings: EmailSettings, user: User | None, recipient: str
) -> Composed:
    """The test email as it will go out; MailError when its template is inactive."""
    template = template_for(space.id, "test_email", space.default_language)
    if not template.active:  # inactive templates are not sent, by any path
        raise MailError(
            N_('The template "%(template)s" is inactive; nothing was sent.'),
            params={"template": Line(EVENTS["test_email"].label)},
            hint=N_("Activate it in Email templates, then send the test email again."),
        )
    texts = settings.texts_in(template.language)
    facts = MergeFacts(
        company=company_facts(space, settings),
        language=template.language,
        staff=staff_facts(user) if user else StaffFacts(),
        signature_html=signature_for(user.signature_html if user else "", texts.signature_html),
    )
    composed = compose_email(
        template=TemplateText(template.subject, template.body_html, template.plain_text),
        wrapper=texts.wrapper,
        values=merge_values(facts, settings.charset),
        sender=Party(settings.from_email, template.from_name or settings.from_name or space.name),
        to=[Party(recipient)],
        reply_to=Party(user.email, user.name) if user else None,
        bcc=settings.bcc_list,
        charset=settings.charset,
    )
    return composed
