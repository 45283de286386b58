"""outbox: the Sent folder copy is a job of its own (copy pending, attempts, next attempt)

Revision ID: 0026
Revises: 0025

The copy in the mailbox's Sent folder (IMAP APPEND) no longer runs in the delivery thread, one
connection per email: once the server accepted an email that should be copied, it is marked
"pending"; a worker job saves a space's pending copies over one IMAP connection, retries with
backoff, and marks each "saved" or, in the end, "failed" (sent_copy_error says why).
- sent_copy: "" (not asked), "pending", "saved" or "failed"
- sent_copy_attempts: failed attempts so far
- sent_copy_next_at: when a pending copy may be tried (also the lease of a job that took it)
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

PENDING = sa.text("sent_copy = 'pending'")


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sent_copy", sa.String(length=8), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("sent_copy_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("sent_copy_next_at", djaboo.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_message_sent_copy"),
            "sent_copy IN ('', 'pending', 'saved', 'failed')",
        )
        batch_op.create_index(
            "ix_outbox_sent_copy_pending",
            ["space_id", "sent_copy_next_at"],
            unique=False,
            postgresql_where=PENDING,
            sqlite_where=PENDING,
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_sent_copy_pending")
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_sent_copy"), type_="check")
        batch_op.drop_column("sent_copy_next_at")
        batch_op.drop_column("sent_copy_attempts")
        batch_op.drop_column("sent_copy")
