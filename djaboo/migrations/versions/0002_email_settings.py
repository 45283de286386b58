"""email settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 07:40:52.100976

"""
from alembic import op
import sqlalchemy as sa

import djaboo.db


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('engine', sa.String(length=16), nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=False),
    sa.Column('encryption', sa.String(length=8), nullable=False),
    sa.Column('host', sa.String(length=253), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('from_email', sa.String(length=254), nullable=False),
    sa.Column('from_name', sa.String(length=120), nullable=False),
    sa.Column('username', sa.String(length=254), nullable=False),
    sa.Column('password_encrypted', sa.Text(), nullable=False),
    sa.Column('charset', sa.String(length=32), nullable=False),
    sa.Column('bcc_all', sa.Text(), nullable=False),
    sa.Column('signature_html', sa.Text(), nullable=False),
    sa.Column('header_html', sa.Text(), nullable=False),
    sa.Column('footer_html', sa.Text(), nullable=False),
    sa.Column('allow_insecure_auth', sa.Boolean(), nullable=False),
    sa.Column('pinned_sha256', sa.String(length=64), nullable=False),
    sa.Column('timeout_seconds', sa.Integer(), nullable=False),
    sa.Column('updated_at', djaboo.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("encryption IN ('ssl', 'tls', 'none')", name=op.f('ck_email_settings_encryption')),
    sa.CheckConstraint("engine IN ('standard', 'alternative')", name=op.f('ck_email_settings_engine')),
    sa.CheckConstraint("protocol IN ('smtp', 'sendmail', 'mail')", name=op.f('ck_email_settings_protocol')),
    sa.CheckConstraint('port BETWEEN 1 AND 65535', name=op.f('ck_email_settings_port')),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_email_settings_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_settings')),
    sa.UniqueConstraint('space_id', name=op.f('uq_email_settings_space_id'))
    )
    op.create_table('mail_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('hint', sa.Text(), nullable=False),
    sa.Column('created_at', djaboo.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', djaboo.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('test_email', 'connection')", name=op.f('ck_mail_check_kind')),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name=op.f('ck_mail_check_status')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['staff_user.id'], name=op.f('fk_mail_check_requested_by_id_staff_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_mail_check_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_check'))
    )
    with op.batch_alter_table('mail_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_check_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_check_space_id'), ['space_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mail_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_check_space_id'))
        batch_op.drop_index(batch_op.f('ix_mail_check_created_at'))

    op.drop_table('mail_check')
    op.drop_table('email_settings')
