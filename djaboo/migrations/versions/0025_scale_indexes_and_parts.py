"""scale: trigram search indexes, keyset order indexes

Revision ID: 0025
Revises: 0022

Issue #16: a list's search (number or customer name, an email's subject or recipient) is a
substring match; on PostgreSQL a pg_trgm GIN index answers it instead of a sequential scan
(SQLite keeps its LIKE over the space's rows). Each list's order (the id, newest first, within
a space) gets an index, so its first page and each keyset page read 26 rows, not the space's.
"""

from alembic import op

revision = "0025"
down_revision = "0022"
branch_labels = None
depends_on = None

# (index, table, column) searched with ILIKE '%term%'
TRIGRAM = (
    ("ix_invoice_number_trgm", "invoice", "number"),
    ("ix_estimate_number_trgm", "estimate", "number"),
    ("ix_credit_note_number_trgm", "credit_note", "number"),
    ("ix_customer_company_trgm", "customer", "company"),
    ("ix_outbox_subject_trgm", "outbox_message", "subject"),
    ("ix_outbox_to_display_trgm", "outbox_message", "to_display"),
)
ORDER = (
    ("ix_invoice_space_id", "invoice"),
    ("ix_estimate_space_id", "estimate"),
    ("ix_credit_note_space_id", "credit_note"),
    ("ix_outbox_space_id", "outbox_message"),
)


def upgrade():
    for name, table in ORDER:
        op.create_index(name, table, ["space_id", "id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM:
        op.create_index(
            name,
            table,
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _ in TRIGRAM:
            op.drop_index(name, table_name=table)
    for name, table in ORDER:
        op.drop_index(name, table_name=table)
