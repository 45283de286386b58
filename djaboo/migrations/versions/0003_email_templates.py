"""email templates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:09:39.684392

"""
from alembic import op
import sqlalchemy as sa

import djaboo.db


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('from_name', sa.String(length=120), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('plain_text', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', djaboo.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_email_template_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_template')),
    sa.UniqueConstraint('space_id', 'event', 'language', name=op.f('uq_email_template_space_id_event_language'))
    )
    with op.batch_alter_table('email_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_template_space_id'), ['space_id'], unique=False)

    with op.batch_alter_table('email_settings', schema=None) as batch_op:
        # server_default fills the rows of spaces that exist already.
        batch_op.add_column(sa.Column('logo_url', sa.String(length=500), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('email_settings', schema=None) as batch_op:
        batch_op.drop_column('logo_url')

    with op.batch_alter_table('email_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_template_space_id'))

    op.drop_table('email_template')
