import pytest
import sqlalchemy as sa

from djaboo.email_templates.models import EmailTemplate
from djaboo.extensions import db


@pytest.fixture
def template_of(app):
    """template_of(space_id, event, language="en") -> the stored EmailTemplate (fresh)."""

    def find(space_id, event, language="en"):
        db.session.expire_all()
        return db.session.execute(
            sa.select(EmailTemplate).where(
                EmailTemplate.space_id == space_id,
                EmailTemplate.event == event,
                EmailTemplate.language == language,
            )
        ).scalar_one()

    return find


def edit_data(template, **overrides):
    data = {
        "subject": template.subject,
        "from_name": template.from_name,
        "body_html": template.body_html,
        "active": "y",
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
