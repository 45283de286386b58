"""Making and recording one notice to one staff member: the space's template of the event in
the staff member's language, sent through the space's own mail settings (From the space's
address, To the staff member), recorded with origin "notice" under a key that makes it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from djaboo.config import require_base_url
from djaboo.email_templates.catalogue import template_for
from djaboo.email_templates.preview import company_facts, staff_facts
from djaboo.mail.compose import TemplateText, compose_email
from djaboo.mail.fields import MergeFacts, merge_values
from djaboo.mail.message import MessageError, Party
from djaboo.mail.recording import NewEmail, record_emails
from djaboo.mail.sanitize import sanitize_html
from djaboo.settings.email_settings import email_settings_for
from djaboo.settings.models import EmailSettings
from djaboo.spaces.models import Space
from djaboo.staff.language import language_for
from djaboo.staff.models import User

log = logging.getLogger(__name__)
ORIGIN = "notice"


def app_link(path: str) -> str:
    """An address in the app for an email: built on BASE_URL (which may end in a path
    prefix), as public links are, never from the request or command that composes it."""
    return f"{require_base_url(current_app.config)}{path}"


@dataclass
class NoticeSender:
    """What every notice of one space is made with, read once."""

    space: Space
    settings: EmailSettings

    @classmethod
    def for_space(cls, space: Space) -> NoticeSender:
        return cls(space, email_settings_for(space))

    @property
    def can_send(self) -> bool:
        """No From address: the space sends nothing at all, notices neither."""
        return bool(self.settings.from_email)

    def notice(self, user: User, event: str, parts: dict, key: str) -> NewEmail | None:
        """The notice `event` to `user` with these merge facts; None when the space turned
        that template off. One that cannot be made is recorded as such ("Needs attention")."""
        template = template_for(
            self.space.id, event, language_for(user), self.space.default_language
        )
        if not template.active:
            return None
        settings = self.settings
        facts = MergeFacts(
            company=company_facts(self.space, settings),
            language=template.language,
            staff=staff_facts(user),
            parts=parts,
        )
        composed, problem = None, ""
        try:
            composed = compose_email(
                template=TemplateText(
                    template.subject, sanitize_html(template.body_html), template.plain_text
                ),
                wrapper=settings.texts_in(template.language).wrapper,
                values=merge_values(facts, settings.charset),
                sender=Party(
                    settings.from_email,
                    template.from_name or settings.from_name or self.space.name,
                ),
                to=[Party(user.email, user.name)],
                charset=settings.charset,
                automatic=True,  # Auto-Submitted: no out-of-office reply comes back
            )
        except MessageError as exc:
            problem = exc.message
        return NewEmail(
            space_id=self.space.id,
            origin=ORIGIN,
            key=key,
            composed=composed,
            event=event,
            problem=problem,
            to_display=user.email,
            subject=template.subject[:200],
        )


def record_notices(notices: list[NewEmail | None]) -> list[int]:
    """Record them in the caller's transaction; a key already used (this notice was recorded
    before) is left out. Returns the ids recorded now."""
    wanted = [n for n in notices if n is not None]
    return [r.id for r in record_emails(wanted, skip_duplicates=True)]
