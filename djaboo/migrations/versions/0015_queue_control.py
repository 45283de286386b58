"""outbox: scheduled and cancelled emails, not_before; documents remember Mark as sent

Revision ID: 0015
Revises: 0014

Issue #12, items 7 and 8:
- Send later: an email recorded with a Send at waits as "scheduled" (next_attempt_at is its
  time); not_before keeps that time, from which the give-up age of its retries counts.
- Cancel: queued, retrying and scheduled emails may be "cancelled".
- Mark as sent: invoices, estimates and credit notes get marked_sent_at and marked_sent_by_id
  (who marked it sent without emailing it; nothing goes in the outbox).
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD = "'queued', 'sending', 'sent', 'retry', 'failed', 'attention', 'unknown', 'withdrawn'"
NEW = (
    "'queued', 'scheduled', 'sending', 'sent', 'retry', 'failed', 'attention', "
    "'unknown', 'withdrawn', 'cancelled'"
)
DOCUMENT_TABLES = ("invoice", "estimate", "credit_note")


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_outbox_message_status"), f"status IN ({NEW})")
        batch_op.add_column(
            sa.Column("not_before", djaboo.db.UTCDateTime(timezone=True), nullable=True)
        )
    for table in DOCUMENT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("marked_sent_at", djaboo.db.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(sa.Column("marked_sent_by_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_marked_sent_by_id_staff_user"),
                "staff_user",
                ["marked_sent_by_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade():
    for table in reversed(DOCUMENT_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_marked_sent_by_id_staff_user"), type_="foreignkey"
            )
            batch_op.drop_column("marked_sent_by_id")
            batch_op.drop_column("marked_sent_at")
    # Rows in the new states have no place in the old constraint: a cancelled email stays
    # unsent ("withdrawn"); a scheduled one is not sent early but waits for a person's Resend.
    op.execute(
        "UPDATE outbox_message SET status = 'withdrawn', last_error = 'Cancelled.' "
        "WHERE status = 'cancelled'"
    )
    op.execute(
        "UPDATE outbox_message SET status = 'failed', last_error = 'It was scheduled; not "
        "sent since the database was downgraded. Resend it when it should go.' "
        "WHERE status = 'scheduled'"
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("not_before")
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_outbox_message_status"), f"status IN ({OLD})")
