"""email OAuth: Microsoft 365 and Google sign-in for SMTP (XOAUTH2)

Revision ID: 0022
Revises: 0021

Issue #14: email_oauth holds a space's app registration (client id, encrypted client secret,
tenant) and its grant (mailbox, encrypted refresh and access tokens, when refreshed);
oauth_authorization holds each Connect in flight (the SHA-256 of its state, the encrypted PKCE
verifier, who started it, single use, expiry).
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "email_oauth",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret_encrypted", sa.Text(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("mailbox", sa.String(length=254), nullable=False),
        sa.Column("refresh_token_encrypted", sa.Text(), nullable=False),
        sa.Column("access_token_encrypted", sa.Text(), nullable=False),
        sa.Column("access_expires_at", djaboo.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refreshed_at", djaboo.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("refresh_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "from_alias_confirmed", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("grant_refused_at", djaboo.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "provider IN ('microsoft', 'google')", name=op.f("ck_email_oauth_provider")
        ),
        sa.ForeignKeyConstraint(
            ["space_id"], ["space.id"], name=op.f("fk_email_oauth_space_id_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_oauth")),
        sa.UniqueConstraint("space_id", name=op.f("uq_email_oauth_space_id")),
    )
    op.create_table(
        "oauth_authorization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("verifier_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", djaboo.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["space_id"], ["space.id"], name=op.f("fk_oauth_authorization_space_id_space"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_user.id"], name=op.f("fk_oauth_authorization_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_authorization")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_authorization_state_hash")),
    )
    with op.batch_alter_table("oauth_authorization", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oauth_authorization_space_id"), ["space_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("oauth_authorization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_authorization_space_id"))
    op.drop_table("oauth_authorization")
    op.drop_table("email_oauth")
