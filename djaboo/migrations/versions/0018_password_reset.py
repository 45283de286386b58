"""password reset: links (only their hash), the requests that throttle them, their template

Revision ID: 0018
Revises: 0017

Issue #12, Password reset by email: password_reset holds each link sent (the SHA-256 of its
token, when it was made, expires and was used); password_reset_request counts requests per
address and per client address (throttle). Every existing space gets the shipped "Password
reset (to staff)" template in each language, as new spaces get it when they are created
(templates are written through a frozen table definition, as in 0011).
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

EVENT = "password_reset"
email_template = sa.table(
    "email_template",
    *(sa.column(n) for n in (
        "space_id event language subject from_name body_html plain_text active"
    ).split()),
    sa.column("updated_at", djaboo.db.UTCDateTime),
)


def upgrade():
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", djaboo.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_user.id"],
            name=op.f("fk_password_reset_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_reset_user_id"), ["user_id"], unique=False)
    op.create_table(
        "password_reset_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_request")),
    )
    with op.batch_alter_table("password_reset_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_password_reset_request_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_password_reset_request_email"), ["email"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_password_reset_request_ip"), ["ip"], unique=False)

    # The shipped texts are content, not schema: today's texts are the right ones to add.
    from djaboo.email_templates.default_texts import DEFAULT_TEXTS

    bind = op.get_bind()
    now = datetime.now(UTC)
    spaces = bind.execute(sa.text("SELECT id FROM space")).scalars().all()
    have = set(
        bind.execute(
            sa.text("SELECT space_id, language FROM email_template WHERE event = :event"),
            {"event": EVENT},
        ).all()
    )
    texts = {lang: text for (event, lang), text in DEFAULT_TEXTS.items() if event == EVENT}
    for space_id in spaces:
        for language, (subject, body) in texts.items():
            if (space_id, language) not in have:
                bind.execute(
                    email_template.insert().values(
                        space_id=space_id, event=EVENT, language=language, subject=subject,
                        from_name="", body_html=body, plain_text=False, active=True,
                        updated_at=now,
                    )
                )


def downgrade():
    # Code before this revision knows no such event: its template list would fail on them.
    op.execute(sa.text("DELETE FROM email_template WHERE event = 'password_reset'"))
    with op.batch_alter_table("password_reset_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_request_ip"))
        batch_op.drop_index(batch_op.f("ix_password_reset_request_email"))
        batch_op.drop_index(batch_op.f("ix_password_reset_request_created_at"))
    op.drop_table("password_reset_request")
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_user_id"))
    op.drop_table("password_reset")
