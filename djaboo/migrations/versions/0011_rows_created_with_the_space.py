"""rows created with the space

Revision ID: 0011
Revises: 0010d

Pages only read (GET never writes), so what a space reads must exist from the start: its email
settings, its reminder settings and one template per event and language. New spaces get them
when they are created; this adds whatever an existing space lacks (including the templates of
events added since it was created). The tables are written through frozen definitions, not the
app's models, so this migration keeps working as the models change.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from markupsafe import escape

from djaboo.db import UTCDateTime

revision = "0011"
down_revision = "0010d"
branch_labels = None
depends_on = None

# As the app ships them at this revision (djaboo/settings/defaults.py).
HEADER = (
    '<div style="padding:0 0 12px;margin:0 0 20px;border-bottom:2px solid #2453d6;'
    'font-size:18px;font-weight:bold;color:#1d2330">{companyname}</div>'
)
FOOTER = (
    '<div style="margin:28px 0 0;padding:12px 0 0;border-top:1px solid #dfe3ea;'
    'font-size:12px;color:#6b7385">This email was sent to you by '
    "{companyname}. Reply to it if you have any question.</div>"
)

email_settings = sa.table(
    "email_settings",
    *(sa.column(n) for n in (
        "space_id engine protocol encryption host port from_email from_name username "
        "password_encrypted charset bcc_all signature_html header_html footer_html logo_url "
        "allow_insecure_auth pinned_sha256 timeout_seconds"
    ).split()),
    sa.column("updated_at", UTCDateTime),
)
reminder_settings = sa.table(
    "reminder_settings",
    *(sa.column(n) for n in (
        "space_id due_soon_enabled due_soon_days overdue_first_days resend_every_days "
        "max_resends send_hour attach_pdf due_soon_event overdue_event repeat_event"
    ).split()),
)
email_template = sa.table(
    "email_template",
    *(sa.column(n) for n in (
        "space_id event language subject from_name body_html plain_text active"
    ).split()),
    sa.column("updated_at", UTCDateTime),
)


def upgrade():
    # The shipped texts are content, not schema: today's texts are the right ones to add.
    from djaboo.email_templates.default_texts import DEFAULT_TEXTS

    bind = op.get_bind()
    now = datetime.now(UTC)
    spaces = bind.execute(sa.text("SELECT id, name FROM space")).all()
    have_settings = set(bind.execute(sa.text("SELECT space_id FROM email_settings")).scalars())
    have_reminders = set(bind.execute(sa.text("SELECT space_id FROM reminder_settings")).scalars())
    have_templates = set(
        bind.execute(sa.text("SELECT space_id, event, language FROM email_template")).all()
    )
    for space_id, name in spaces:
        if space_id not in have_settings:
            bind.execute(email_settings.insert().values(
                space_id=space_id, engine="standard", protocol="smtp", encryption="tls",
                host="", port=587, from_email="", from_name="", username="",
                password_encrypted="", charset="utf-8", bcc_all="",
                signature_html=f"<p>Kind regards,<br>{escape(name)}</p>",
                header_html=HEADER, footer_html=FOOTER, logo_url="",
                allow_insecure_auth=False, pinned_sha256="", timeout_seconds=30,
                updated_at=now,
            ))
        if space_id not in have_reminders:
            bind.execute(reminder_settings.insert().values(
                space_id=space_id, due_soon_enabled=True, due_soon_days=2,
                overdue_first_days=1, resend_every_days=3, max_resends=3, send_hour=9,
                attach_pdf=True, due_soon_event="invoice_due_soon",
                overdue_event="invoice_overdue", repeat_event="invoice_overdue_repeat",
            ))
        for (event, language), (subject, body) in DEFAULT_TEXTS.items():
            if (space_id, event, language) not in have_templates:
                bind.execute(email_template.insert().values(
                    space_id=space_id, event=event, language=language, subject=subject,
                    from_name="", body_html=body, plain_text=False, active=True,
                    updated_at=now,
                ))


def downgrade():
    """The rows are valid at every earlier revision: nothing to undo."""
