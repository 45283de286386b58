"""outbox claimed by, withdrawn status

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


OLD = "'queued', 'sending', 'sent', 'retry', 'failed', 'attention', 'unknown'"
NEW = OLD + ", 'withdrawn'"


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_outbox_message_status"), f"status IN ({NEW})")
        batch_op.add_column(
            sa.Column("claimed_by", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.create_index("ix_outbox_space_claims", ["space_id", "status", "claimed_at"])


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_outbox_message_status"), f"status IN ({OLD})")
        batch_op.drop_index("ix_outbox_space_claims")
        batch_op.drop_column("claimed_by")
