"""outbox origin: why each email exists, stored instead of guessed from its key

Revision ID: 0013
Revises: 0012

Reminders were told apart by their key's "reminder:" prefix; that is now the origin column
(djaboo/mail/recording.py writes it for every email). Existing rows get theirs from the same
prefix, once, here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ORIGINS = "('manual', 'reminder', 'test', 'thank_you', 'notice', 'password_reset')"


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=20), server_default="manual", nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_outbox_message_origin"), f"origin IN {ORIGINS}")
    op.execute(
        "UPDATE outbox_message SET origin = 'reminder' WHERE idempotency_key LIKE 'reminder:%'"
    )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_origin"), type_="check")
        batch_op.drop_column("origin")
