"""staff language: each staff member's own interface language

Revision ID: 0023
Revises: 0022

Issue #13, item 1: Profile → Language. staff_user.language is "en", "fr" or "ja", or NULL to
follow the space's default language (every existing user: nothing changes for them).
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_column("language")
