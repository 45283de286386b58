"""outbox claimed by

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_by", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.create_index("ix_outbox_space_claims", ["space_id", "status", "claimed_at"])


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_space_claims")
        batch_op.drop_column("claimed_by")
