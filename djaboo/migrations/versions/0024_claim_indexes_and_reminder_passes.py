"""claim indexes and reminder passes: the outbox claim and the reminder run at scale

Revision ID: 0024
Revises: 0022

Issue #16. ix_outbox_queued (space_id, id) WHERE status = 'queued' and ix_outbox_waiting
(space_id, next_attempt_at) WHERE status IN ('retry', 'scheduled'): the worker's claim reads a
space's first due rows as index range scans with a LIMIT, and finds the spaces with queued mail
one index probe per space, instead of reading (and sorting) every queued row.
reminder_pass: which process runs (or ran) a space's reminders, so several processes share one
reminder run, each space taken by one (djaboo/documents/reminder_passes.py).
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    queued = sa.text("status = 'queued'")
    waiting = sa.text("status IN ('retry', 'scheduled')")
    op.create_index(
        "ix_outbox_queued",
        "outbox_message",
        ["space_id", "id"],
        postgresql_where=queued,
        sqlite_where=queued,
    )
    op.create_index(
        "ix_outbox_waiting",
        "outbox_message",
        ["space_id", "next_attempt_at"],
        postgresql_where=waiting,
        sqlite_where=waiting,
    )
    op.create_table(
        "reminder_pass",
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("runner", sa.String(length=200), nullable=False),
        sa.Column("started_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", djaboo.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["space.id"],
            name=op.f("fk_reminder_pass_space_id_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("space_id", name=op.f("pk_reminder_pass")),
    )


def downgrade():
    op.drop_table("reminder_pass")
    op.drop_index("ix_outbox_waiting", table_name="outbox_message")
    op.drop_index("ix_outbox_queued", table_name="outbox_message")
