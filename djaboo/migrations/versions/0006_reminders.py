"""reminders

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:06:09.090831

"""
from alembic import op
import sqlalchemy as sa

import djaboo.db


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_settings',
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('due_soon_enabled', sa.Boolean(), nullable=False),
    sa.Column('due_soon_days', sa.Integer(), nullable=False),
    sa.Column('overdue_first_days', sa.Integer(), nullable=False),
    sa.Column('resend_every_days', sa.Integer(), nullable=False),
    sa.Column('max_resends', sa.Integer(), nullable=False),
    sa.Column('send_hour', sa.Integer(), nullable=False),
    sa.Column('attach_pdf', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_reminder_settings_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('space_id', name=op.f('pk_reminder_settings'))
    )
    op.create_table('reminder_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('occurrence', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('created_at', djaboo.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], name=op.f('fk_reminder_log_invoice_id_invoice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_message.id'], name=op.f('fk_reminder_log_outbox_id_outbox_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_reminder_log_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_log')),
    sa.UniqueConstraint('invoice_id', 'stage', 'occurrence', name=op.f('uq_reminder_log_invoice_id_stage_occurrence'))
    )
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_log_space_id'), ['space_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_log_space_id'))

    op.drop_table('reminder_log')
    op.drop_table('reminder_settings')
