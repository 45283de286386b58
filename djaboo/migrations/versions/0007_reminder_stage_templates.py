"""reminder stage templates

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = {
    "due_soon_event": "invoice_due_soon",
    "overdue_event": "invoice_overdue",
    "repeat_event": "invoice_overdue_repeat",
}


def upgrade():
    with op.batch_alter_table("reminder_settings", schema=None) as batch_op:
        for name, default in COLUMNS.items():
            batch_op.add_column(
                sa.Column(name, sa.String(length=40), server_default=default, nullable=False)
            )


def downgrade():
    with op.batch_alter_table("reminder_settings", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
