"""documents remember the customer's views; sent emails may lose their message after N days

Revision ID: 0014
Revises: 0013

Issue #12, two items in one migration:
- Viewed: invoices, estimates and credit notes get first_viewed_at, last_viewed_at and
  view_count, written when the customer opens the public link (djaboo/documents/viewing.py).
- Retention: Settings → Email → Keep sent messages for (email_settings.keep_sent_days, empty:
  forever); outbox_message.pruned_at marks a row whose message was removed, keeping its log
  line, and a partial index holds only the rows that still have theirs.
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

DOCUMENT_TABLES = ("invoice", "estimate", "credit_note")
UNPRUNED = sa.text("pruned_at IS NULL")


def upgrade():
    for table in DOCUMENT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("first_viewed_at", djaboo.db.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(
                sa.Column("last_viewed_at", djaboo.db.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(
                sa.Column("view_count", sa.Integer(), server_default="0", nullable=False)
            )
    with op.batch_alter_table("email_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keep_sent_days", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_email_settings_keep_sent_days"), "keep_sent_days BETWEEN 1 AND 3650"
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pruned_at", djaboo.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_outbox_space_unpruned",
            ["space_id", "created_at"],
            unique=False,
            postgresql_where=UNPRUNED,
            sqlite_where=UNPRUNED,
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_space_unpruned")
        batch_op.drop_column("pruned_at")
    with op.batch_alter_table("email_settings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_email_settings_keep_sent_days"), type_="check")
        batch_op.drop_column("keep_sent_days")
    for table in reversed(DOCUMENT_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("view_count")
            batch_op.drop_column("last_viewed_at")
            batch_op.drop_column("first_viewed_at")
