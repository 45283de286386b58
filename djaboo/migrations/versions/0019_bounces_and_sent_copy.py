"""bounces and the Sent folder copy: bounce_settings, bounced_address, outbox bounce columns

Revision ID: 0019
Revises: 0018

Issue #15, items 3 and 4:
- bounce_settings (one row per space, a table of its own so Settings → Email's other features
  change email_settings without touching it): Return-Path for bounces, the Bounce mailbox
  (IMAP host, port, SSL, username, password encrypted at rest), Save a copy in the mailbox's
  Sent folder, and the last check's outcome.
- outbox_message: status "bounced"; bounce_token (the per-message VERP token), bounce_reason,
  bounced_at; sent_copy_error (why the Sent folder copy could not be saved).
- bounced_address: per space and address, the last bounce (Address bounced on the customer
  page and in the send view).
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

OLD = (
    "'queued', 'scheduled', 'sending', 'sent', 'retry', 'failed', 'attention', "
    "'unknown', 'withdrawn', 'cancelled'"
)
NEW = OLD + ", 'bounced'"


def upgrade():
    op.create_table(
        "bounce_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("return_path", sa.String(length=254), nullable=False, server_default=""),
        sa.Column("imap_host", sa.String(length=253), nullable=False, server_default=""),
        sa.Column("imap_port", sa.Integer(), nullable=False, server_default="993"),
        sa.Column("imap_ssl", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("imap_username", sa.String(length=254), nullable=False, server_default=""),
        sa.Column("imap_password_encrypted", sa.Text(), nullable=False, server_default=""),
        sa.Column("save_sent_copy", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("checked_at", djaboo.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("check_error", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint(
            "imap_port BETWEEN 1 AND 65535", name=op.f("ck_bounce_settings_imap_port")
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["space.id"],
            name=op.f("fk_bounce_settings_space_id_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bounce_settings")),
        sa.UniqueConstraint("space_id", name=op.f("uq_bounce_settings_space_id")),
    )
    op.create_table(
        "bounced_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("bounced_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["space.id"],
            name=op.f("fk_bounced_address_space_id_space"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox_message.id"],
            name=op.f("fk_bounced_address_outbox_id_outbox_message"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bounced_address")),
        sa.UniqueConstraint("space_id", "email", name=op.f("uq_bounced_address_space_id_email")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_message_status"), f"status IN ({NEW})"
        )
        batch_op.add_column(
            sa.Column("bounce_token", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("bounce_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("bounced_at", djaboo.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sent_copy_error", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_bounce_token"), ["bounce_token"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_message_id"), ["message_id"], unique=False
        )


def downgrade():
    # A bounced email was accepted by the server first: it goes back to "sent".
    op.execute("UPDATE outbox_message SET status = 'sent' WHERE status = 'bounced'")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_message_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_bounce_token"))
        batch_op.drop_column("sent_copy_error")
        batch_op.drop_column("bounced_at")
        batch_op.drop_column("bounce_reason")
        batch_op.drop_column("bounce_token")
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_message_status"), f"status IN ({OLD})"
        )
    op.drop_table("bounced_address")
    op.drop_table("bounce_settings")
