"""scale: trigram search indexes, keyset order indexes; PDFs stored once (mail_part)

Revision ID: 0027
Revises: 0026

Issue #16: a list's search (number or customer name, an email's subject or recipient) is a
substring match; on PostgreSQL a pg_trgm GIN index answers it instead of a sequential scan
(SQLite keeps its LIKE over the space's rows). Each list's order (the id, newest first, within
a space) gets an index, so its first page and each keyset page read 26 rows, not the space's.

Each big attachment (a PDF) was stored inside every email's bytes: now once per space and
content in mail_part, linked from the emails that use it (outbox_part), the stored message
holding a marker in its place (djaboo/mail/parts.py). The existing messages are moved; putting
one together again gives its recorded bytes exactly. Down: the bytes go back into each row.
"""

import sqlalchemy as sa
from alembic import op

import djaboo.db

revision = "0027"
down_revision = "0026"
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


BATCH = 500


def upgrade():
    op.create_table(
        "mail_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", djaboo.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"], ["space.id"], name=op.f("fk_mail_part_space_id_space"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_part")),
        sa.UniqueConstraint("space_id", "sha256", name=op.f("uq_mail_part_space_id_sha256")),
    )
    op.create_table(
        "outbox_part",
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox_message.id"],
            name=op.f("fk_outbox_part_outbox_id_outbox_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["mail_part.id"], name=op.f("fk_outbox_part_part_id_mail_part")
        ),
        sa.PrimaryKeyConstraint("outbox_id", "part_id", name=op.f("pk_outbox_part")),
    )
    op.create_index(op.f("ix_outbox_part_part_id"), "outbox_part", ["part_id"])
    _move_parts_out(op.get_bind())
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
    _put_parts_back(op.get_bind())
    op.drop_index(op.f("ix_outbox_part_part_id"), table_name="outbox_part")
    op.drop_table("outbox_part")
    op.drop_table("mail_part")


OUTBOX = sa.table(
    "outbox_message", sa.column("id"), sa.column("space_id"), sa.column("raw", sa.LargeBinary)
)
PART = sa.table(
    "mail_part",
    sa.column("id"),
    sa.column("space_id"),
    sa.column("sha256"),
    sa.column("content", sa.LargeBinary),
    sa.column("created_at", djaboo.db.UTCDateTime()),
)
LINK = sa.table("outbox_part", sa.column("outbox_id"), sa.column("part_id"))


def _batches(conn, where):
    last = 0
    while True:
        rows = conn.execute(
            sa.select(OUTBOX.c.id, OUTBOX.c.space_id, OUTBOX.c.raw)
            .where(OUTBOX.c.id > last, where)
            .order_by(OUTBOX.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        yield rows


def _move_parts_out(conn):
    # The split is the one the app records with (djaboo/mail/parts.py): the same markers.
    from djaboo.mail.parts import MIN_PART, split_message

    known: dict[tuple[int, str], int] = {}
    for rows in _batches(conn, sa.func.length(OUTBOX.c.raw) >= MIN_PART):
        for row in rows:
            stored, parts = split_message(row.raw)
            if not parts:
                continue
            for sha, content in parts.items():
                key = (row.space_id, sha)
                if key not in known:
                    known[key] = conn.execute(
                        sa.insert(PART)
                        .values(
                            space_id=row.space_id,
                            sha256=sha,
                            content=content,
                            created_at=djaboo.db.utcnow(),
                        )
                        .returning(PART.c.id)
                    ).scalar_one()
                conn.execute(sa.insert(LINK).values(outbox_id=row.id, part_id=known[key]))
            conn.execute(sa.update(OUTBOX).where(OUTBOX.c.id == row.id).values(raw=stored))


def _put_parts_back(conn):
    from djaboo.mail.parts import join_message

    linked = sa.select(LINK.c.outbox_id).where(LINK.c.outbox_id == OUTBOX.c.id).exists()
    for rows in _batches(conn, linked):
        for row in rows:
            parts = dict(
                conn.execute(
                    sa.select(PART.c.sha256, PART.c.content)
                    .join(LINK, LINK.c.part_id == PART.c.id)
                    .where(LINK.c.outbox_id == row.id)
                ).all()
            )
            raw = join_message(row.raw, parts)
            conn.execute(sa.update(OUTBOX).where(OUTBOX.c.id == row.id).values(raw=raw))
