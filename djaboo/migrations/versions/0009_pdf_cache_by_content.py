"""pdf cache keyed by what is printed

Revision ID: 0009
Revises: 0008

A PDF was cached per document version, but its status line ("Overdue" from the due date on)
and the status after a send are not versions: the cache showed "Draft" or "Unpaid" after
they had changed. It is now keyed by the SHA-256 of the HTML it was drawn from. The cached
PDFs are dropped (they are made again on first need).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM document_pdf")
    with op.batch_alter_table("document_pdf", schema=None) as batch_op:
        batch_op.drop_constraint("uq_document_pdf_doc_type_doc_id_version", type_="unique")
        batch_op.add_column(sa.Column("html_sha256", sa.String(length=64), nullable=False))
        batch_op.create_unique_constraint(
            "uq_document_pdf_doc_type_doc_id_html_sha256", ["doc_type", "doc_id", "html_sha256"]
        )


def downgrade():
    op.execute("DELETE FROM document_pdf")
    with op.batch_alter_table("document_pdf", schema=None) as batch_op:
        batch_op.drop_constraint("uq_document_pdf_doc_type_doc_id_html_sha256", type_="unique")
        batch_op.drop_column("html_sha256")
        batch_op.create_unique_constraint(
            "uq_document_pdf_doc_type_doc_id_version", ["doc_type", "doc_id", "version"]
        )
