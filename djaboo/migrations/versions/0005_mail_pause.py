"""mail pause

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 08:55:50.665498

"""
from alembic import op
import sqlalchemy as sa

import djaboo.db


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_pause',
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('since', djaboo.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_mail_pause_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('space_id', name=op.f('pk_mail_pause'))
    )


def downgrade():
    op.drop_table('mail_pause')
