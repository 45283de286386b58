"""credit notes

Revision ID: 0010d
Revises: 0009

The third kind of document: a credit note (CN-000001, numbered per space like the others),
optionally crediting one invoice, with its lines. Its number sequence, PDFs and public links
live in the shared tables (doc_type 'credit_note'), which need no change.
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0010d"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credit_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", djaboo.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", djaboo.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'issued', 'cancelled')", name=op.f("ck_credit_note_status")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_credit_note_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoice.id"],
            name=op.f("fk_credit_note_invoice_id_invoice"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff_user.id"],
            name=op.f("fk_credit_note_owner_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"], ["space.id"], name=op.f("fk_credit_note_space_id_space"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_note")),
        sa.UniqueConstraint("space_id", "number", name=op.f("uq_credit_note_space_id_number")),
    )
    with op.batch_alter_table("credit_note", schema=None) as batch_op:
        batch_op.create_index("ix_credit_note_space_status", ["space_id", "status"], unique=False)

    op.create_table(
        "credit_note_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["credit_note.id"],
            name=op.f("fk_credit_note_line_credit_note_id_credit_note"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_note_line")),
    )
    with op.batch_alter_table("credit_note_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_note_line_credit_note_id"), ["credit_note_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("credit_note_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_note_line_credit_note_id"))
    op.drop_table("credit_note_line")
    with op.batch_alter_table("credit_note", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_note_space_status")
    op.drop_table("credit_note")
