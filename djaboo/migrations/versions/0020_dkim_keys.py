"""DKIM: one signing key per space (private key encrypted at rest) and whether it signs

Revision ID: 0020
Revises: 0019

Issue #15, item 1: Settings → Email → DKIM. A new table only; no existing row changes.
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dkim_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(length=8), nullable=False),
        sa.Column("selector", sa.String(length=63), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("private_key_encrypted", sa.Text(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("signing", sa.Boolean(), nullable=False),
        sa.Column("created_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "algorithm IN ('ed25519', 'rsa')", name=op.f("ck_dkim_key_algorithm")
        ),
        sa.ForeignKeyConstraint(
            ["space_id"], ["space.id"], name=op.f("fk_dkim_key_space_id_space"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dkim_key")),
        sa.UniqueConstraint("space_id", name=op.f("uq_dkim_key_space_id")),
    )


def downgrade():
    op.drop_table("dkim_key")
