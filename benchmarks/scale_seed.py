"""The data benchmarks/scale.py measures: many spaces, each with customers, contacts, invoices
and a history of sent emails, written with PostgreSQL's COPY (psycopg), then ANALYZEd
(autovacuum is off on these machines: an unanalysed table misleads the planner).

Each space is made by the app's own create_space (settings, templates, first admin); its
admin's password is hashed once for all (scrypt costs ~0.1 s a space). Per space: customers
(one per ten invoices, one contact each), invoices (`overdue` of them unpaid and 40 days
late, the others paid) and one sent email per invoice, whose message is `raw_bytes` long.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import psycopg
import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.spaces.creation import create_space
from djaboo.spaces.models import Space
from djaboo.staff import accounts

PASSWORD = "benchmark-password"
HISTORY_RAW = (
    b"From: billing@space.example\r\nTo: customer@customers.example\r\nSubject: Invoice\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
)


def psycopg_url(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def create_spaces(count: int, sink_port: int, prefix: str = "company") -> list[int]:
    """`count` spaces made as the app makes them, each sending through the sink on loopback."""
    hashed = accounts.generate_password_hash(PASSWORD)
    ids = []
    with mock.patch.object(accounts, "generate_password_hash", lambda _password: hashed):
        for n in range(count):
            admin = create_space(
                f"{prefix} {n:04d} Ltd", f"admin@{prefix}{n:04d}.example", PASSWORD
            )
            ids.append(admin.space_id)
            if n % 100 == 99:
                db.session.commit()
    db.session.commit()
    point_spaces_at(ids, sink_port)
    return ids


def point_spaces_at(space_ids: list[int], port: int) -> None:
    """The spaces send through 127.0.0.1:port, without TLS; reminders without PDF."""
    db.session.execute(
        sa.text(
            "UPDATE email_settings SET protocol = 'smtp', encryption = 'none', "
            "host = '127.0.0.1', port = :port, "
            "from_email = 'billing@company' || space_id || '.example' "
            "WHERE space_id = ANY(:ids)"
        ),
        {"port": port, "ids": space_ids},
    )
    db.session.execute(
        sa.text("UPDATE reminder_settings SET attach_pdf = false WHERE space_id = ANY(:ids)"),
        {"ids": space_ids},
    )
    db.session.commit()


def copy_rows(conn: psycopg.Connection, table: str, columns: list[str], rows) -> int:
    n = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def seed_documents(
    database_url: str, space_ids: list[int], invoices: int, overdue: int, raw_bytes: int = 1500
) -> dict:
    """Customers, contacts, invoices and sent emails for each space, by COPY; returns counts
    and the seconds it took."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    today = date.today()
    customers_per_space = max(1, invoices // 10)
    raw = HISTORY_RAW + b"x" * max(0, raw_bytes - len(HISTORY_RAW))
    with psycopg.connect(psycopg_url(database_url)) as conn:
        admins = dict(
            conn.execute(
                "SELECT space_id, min(id) FROM staff_user WHERE space_id = ANY(%s) "
                "GROUP BY space_id",
                (space_ids,),
            ).fetchall()
        )
        copy_rows(
            conn,
            "customer",
            ["space_id", "company", "address", "vat_number", "language", "currency"]
            + ["reminders_enabled", "created_at"],
            (
                (s, f"Customer {c:05d} of {s}", f"{c} Market Street\nSpringfield", "", "en")
                + ("EUR", True, now)
                for s in space_ids
                for c in range(customers_per_space)
            ),
        )
        customers: dict[int, list[int]] = {}
        for customer_id, space_id in conn.execute(
            "SELECT id, space_id FROM customer WHERE space_id = ANY(%s) ORDER BY id", (space_ids,)
        ):
            customers.setdefault(space_id, []).append(customer_id)
        copy_rows(
            conn,
            "contact",
            ["space_id", "customer_id", "first_name", "last_name", "email", "phone"]
            + ["is_primary", "receives_documents"],
            (
                (s, c, "Pat", f"Buyer{c}", f"pat{c}@customers.example", "", True, True)
                for s, ids in customers.items()
                for c in ids
            ),
        )
        late_issue = today - timedelta(days=70)  # due 40 days ago: the overdue notice is due

        def invoice_rows():
            for s in space_ids:
                ids = customers[s]
                for i in range(invoices):
                    unpaid = i < overdue
                    issued = late_issue if unpaid else today - timedelta(days=100 + i % 300)
                    yield (
                        s,
                        f"INV-{i + 1:06d}",
                        ids[i % len(ids)],
                        admins[s],
                        issued,
                        issued + timedelta(days=30),
                        "EUR",
                        "unpaid" if unpaid else "paid",
                        "",
                        100,
                        20,
                        120,
                        0 if unpaid else 120,
                        True,
                        1,
                        sent_on(issued),
                        sent_on(issued),
                    )

        n_invoices = copy_rows(
            conn,
            "invoice",
            ["space_id", "number", "customer_id", "owner_id", "issue_date", "due_date"]
            + ["currency", "status", "notes", "subtotal", "tax_total", "total", "amount_paid"]
            + ["reminders_enabled", "version", "sent_at", "created_at"],
            invoice_rows(),
        )
        history = conn.execute(
            "SELECT i.id, i.space_id, i.number, c.email, i.issue_date FROM invoice i "
            "JOIN contact c ON c.customer_id = i.customer_id WHERE i.space_id = ANY(%s)",
            (space_ids,),
        )
        n_sent = copy_rows(
            conn,
            "outbox_message",
            OUTBOX_COLUMNS,
            (
                outbox_row(space_id, f"send:{invoice_id}", email, raw, "sent", sent_on(issued))
                + ("invoice", invoice_id, f"Invoice {number}")
                for invoice_id, space_id, number, email, issued in history.fetchall()
            ),
        )
        conn.commit()
    return {
        "customers": sum(len(c) for c in customers.values()),
        "invoices": n_invoices,
        "sent": n_sent,
        "seconds": time.perf_counter() - started,
    }


def sent_on(day: date) -> datetime:
    """Each invoice was emailed the day it was issued (not today: a reminder waits a day
    after an invoice is sent by hand)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)


OUTBOX_COLUMNS = [
    "space_id",
    "idempotency_key",
    "origin",
    "message_id",
    "sender",
    "recipients",
    "to_display",
    "raw",
    "smtputf8",
    "status",
    "attempts",
    "claimed_by",
    "claim_token",
    "last_error",
    "server_reply",
    "recipient_results",
    "event",
    "created_at",
    "sent_at",
    "bounce_token",
    "bounce_reason",
    "sent_copy_error",
    "doc_type",
    "doc_id",
    "subject",
]


def outbox_row(space_id, key, email, raw, status, now) -> tuple:
    """The columns OUTBOX_COLUMNS names but its last three (doc_type, doc_id, subject)."""
    return (
        space_id,
        key,
        "manual",
        f"<{key.replace(':', '.')}.{space_id}@company{space_id}.example>",
        f"billing@company{space_id}.example",
        f'["{email}"]',
        email,
        raw,
        False,
        status,
        1 if status == "sent" else 0,
        "",
        "",
        "",
        "250 2.0.0 Ok" if status == "sent" else "",
        "{}",
        "invoice_sent",
        now,
        now if status == "sent" else None,
        "",
        "",
        "",
    )


def analyze(database_url: str) -> float:
    started = time.perf_counter()
    with psycopg.connect(psycopg_url(database_url), autocommit=True) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


def space_ids() -> list[int]:
    return db.session.execute(sa.select(Space.id).order_by(Space.id)).scalars().all()
