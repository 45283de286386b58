"""notices to staff: their choices, the digest setting, the notices' templates

Revision ID: 0017
Revises: 0016

Issue #12, item 3:
- Profile → Email me when…: staff_user.notify_estimate_answers, notify_own_failures and (for
  admins) notify_space_failures, on for everyone.
- Settings → Email → Tell staff about failed emails: email_settings.failure_notices, "each"
  (one notice per failure) or "digest" (once a day); "each" for every space.
- The notices' templates (one per space, event and language), added to every existing space
  as 0011 does: new spaces get them when they are created (djaboo/spaces/creation.py).
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from djaboo.db import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The events this revision adds (djaboo/notices/mail_events.py), frozen here.
NOTICE_EVENTS = (
    "estimate_accepted_notice",
    "estimate_declined_notice",
    "email_failed_notice",
    "failed_emails_digest",
    "sending_paused_notice",
)
PREFERENCES = ("notify_estimate_answers", "notify_own_failures", "notify_space_failures")

email_template = sa.table(
    "email_template",
    *(sa.column(n) for n in (
        "space_id event language subject from_name body_html plain_text active"
    ).split()),
    sa.column("updated_at", UTCDateTime),
)


def upgrade():
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        for name in PREFERENCES:
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), server_default=sa.true(), nullable=False)
            )
    with op.batch_alter_table("email_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "failure_notices", sa.String(length=8), server_default="each", nullable=False
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_email_settings_failure_notices"), "failure_notices IN ('each', 'digest')"
        )
    _add_templates()


def _add_templates():
    # The shipped texts are content, not schema: today's texts are the right ones to add.
    from djaboo.email_templates.default_texts import DEFAULT_TEXTS

    bind = op.get_bind()
    now = datetime.now(UTC)
    spaces = bind.execute(sa.text("SELECT id FROM space")).scalars().all()
    have = set(bind.execute(sa.text("SELECT space_id, event, language FROM email_template")).all())
    rows = [
        dict(
            space_id=space_id, event=event, language=language, subject=subject, from_name="",
            body_html=body, plain_text=False, active=True, updated_at=now,
        )
        for space_id in spaces
        for (event, language), (subject, body) in DEFAULT_TEXTS.items()
        if event in NOTICE_EVENTS and (space_id, event, language) not in have
    ]
    if rows:
        bind.execute(email_template.insert(), rows)


def downgrade():
    op.execute(
        email_template.delete().where(email_template.c.event.in_(NOTICE_EVENTS))
    )
    with op.batch_alter_table("email_settings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_email_settings_failure_notices"), type_="check")
        batch_op.drop_column("failure_notices")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        for name in reversed(PREFERENCES):
            batch_op.drop_column(name)
