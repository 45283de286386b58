"""Seeding, resetting and choosing a space's templates."""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.email_templates.default_texts import DEFAULT_TEXTS
from djaboo.email_templates.models import EmailTemplate
from djaboo.extensions import db
from djaboo.mail.events import EVENTS, LANGUAGES

FALLBACK_LANGUAGE = "en"


def ensure_templates(space_id: int) -> None:
    """Add the shipped template of every event and language the space does not have yet."""
    have = {
        (row.event, row.language)
        for row in db.session.execute(
            sa.select(EmailTemplate.event, EmailTemplate.language).where(
                EmailTemplate.space_id == space_id
            )
        )
    }
    for event in EVENTS:
        for language in LANGUAGES:
            if (event, language) not in have:
                db.session.add(shipped_template(space_id, event, language))
    db.session.flush()


def reset_to_default(template: EmailTemplate) -> None:
    template.subject, template.body_html = DEFAULT_TEXTS[(template.event, template.language)]
    template.from_name = ""
    template.plain_text = False
    template.active = True


def template_for(space_id: int, event: str, *languages: str | None) -> EmailTemplate:
    """The template in the first of languages that the space has (customer's, then the space's
    default), else English. Reading never writes: a template the space does not have (an
    event added since; migrations add them) is the shipped text, not stored."""
    rows = {
        t.language: t
        for t in db.session.execute(
            sa.select(EmailTemplate).where(
                EmailTemplate.space_id == space_id, EmailTemplate.event == event
            )
        ).scalars()
    }
    for language in (*languages, FALLBACK_LANGUAGE):
        if language and language in rows:
            return rows[language]
    if event not in EVENTS:
        raise LookupError(f"no template for {event}")
    return shipped_template(space_id, event, FALLBACK_LANGUAGE)


def shipped_template(space_id: int, event: str, language: str) -> EmailTemplate:
    """The shipped text of an event in a language, as a new row (not added to the session)."""
    subject, body = DEFAULT_TEXTS[(event, language)]
    return EmailTemplate(
        space_id=space_id,
        event=event,
        language=language,
        subject=subject,
        body_html=body,
        from_name="",
        plain_text=False,
        active=True,
    )
