"""Bulk reminders end to end, against Postfix's smtp-sink on 127.0.0.1, with smtp-source's
one-session rate on the same sink as the ceiling.

    .venv/bin/python benchmarks/bulk_reminders.py [--invoices 10000] [--slow-workers 4]

Needs Debian's postfix package for smtp-sink/smtp-source (`apt-get install postfix`; the daemon
need not run). For each engine (SQLite file, PostgreSQL on 127.0.0.1:5432) it bulk-inserts N
overdue invoices, then times (1) `run_reminders()`: choose, compose and record every reminder in
the outbox, and (2) one mail worker draining the outbox over one reused connection. Then, with a
sink that waits 100 ms before answering each DATA, it drains again with K worker threads to
show that throughput follows connections × 10/s. PDF attachments are off (a PDF costs ~50 ms
to render; it is cached per invoice version). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import tempfile
import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import flask_migrate
import psycopg
import sqlalchemy as sa

from djaboo import create_app
from djaboo.documents.models import Contact, Customer, Invoice
from djaboo.documents.reminders import reminder_settings_for, run_reminders
from djaboo.extensions import db
from djaboo.mail import worker
from djaboo.mail.outbox import OutboxMessage
from djaboo.settings.email_settings import email_settings_for
from djaboo.settings.transport_settings import transport_settings_for_space
from djaboo.spaces.creation import create_space
from djaboo.spaces.models import Space

SINK, SOURCE = "/usr/sbin/smtp-sink", "/usr/sbin/smtp-source"
BATCH = 20  # rows a worker claims at a time: small batches let several workers share a queue
KEY = "uq1JqJ0rZSfJjH3kq6m1Yk0vX8m9a3tbfQy8bq1wq0Q="


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    args = [SINK, "-u", "nobody"] if os.geteuid() == 0 else [SINK]
    process = subprocess.Popen(
        [*args, f"127.0.0.1:{port}", "1000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("smtp-sink did not start")


def stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(5)


class SlowRelay:
    """A relay that takes 100 ms to answer each DATA (smtp-sink's -w counts whole seconds)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import asyncio

                await asyncio.sleep(0.1)
                return "250 2.0.0 Accepted"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


def ceiling(port: int, messages: int = 5000) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            SOURCE,
            "-d",
            "-s",
            "1",
            "-m",
            str(messages),
            "-l",
            "4000",
            "-f",
            "billing@bench.example",
            "-t",
            "customer@bench.example",
            f"127.0.0.1:{port}",
        ],
        check=True,
    )
    return messages / (time.perf_counter() - started)


def fill(n: int, port: int) -> None:
    admin = create_space("Bench Ltd", "bench@example.com", "benchmark-password")
    space_id = admin.space_id
    settings = email_settings_for(admin.space)
    settings.protocol, settings.encryption, settings.host, settings.port = (
        "smtp",
        "none",
        "127.0.0.1",
        port,
    )
    settings.from_email = "billing@bench.example"
    reminder_settings_for(space_id).attach_pdf = False
    db.session.flush()
    customers = []
    for i in range(n // 10):
        customer = Customer(
            space_id=space_id,
            company=f"Customer {i}",
            address="",
            vat_number="",
            language="en",
            currency="EUR",
        )
        customer.contacts.append(
            Contact(
                space_id=space_id,
                first_name="Pat",
                last_name=str(i),
                email=f"pat{i}@customers.example",
                is_primary=True,
            )
        )
        customers.append(customer)
    db.session.add_all(customers)
    db.session.flush()
    issued = date.today() - timedelta(days=40)
    rows = [
        {
            "space_id": space_id,
            "number": f"INV-{i + 1:06d}",
            "customer_id": customers[i % len(customers)].id,
            "owner_id": admin.id,
            "issue_date": issued,
            "due_date": issued + timedelta(days=30),
            "currency": "EUR",
            "status": "unpaid",
            "notes": "",
            "subtotal": Decimal("100"),
            "tax_total": 0,
            "total": Decimal("120"),
            "amount_paid": 0,
            "reminders_enabled": True,
            "version": 1,
        }
        for i in range(n)
    ]
    for start in range(0, n, 2000):
        db.session.execute(sa.insert(Invoice), rows[start : start + 2000])
    db.session.commit()


def waiting() -> int:
    return db.session.execute(
        sa.select(sa.func.count()).where(OutboxMessage.status.in_(("queued", "sending")))
    ).scalar_one()


def drain(app, threads: int) -> float:
    def work():
        with app.app_context():
            while True:
                if worker.run_once(transport_settings_for_space, batch=BATCH):
                    continue
                if not waiting():  # other workers may still be sending their claims
                    break
                time.sleep(0.02)
            db.session.remove()

    started = time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - started


def bench(engine: str, url: str, n: int, slow_workers: int, source_rate: float) -> None:
    port = free_port()
    sink, slow = start_sink(port), SlowRelay()
    app = create_app(
        {
            "SECRET_KEY": "b" * 40,
            "DATABASE_URL": url,
            "ENCRYPTION_KEY": KEY,
            "SMTP_ALLOWED_HOSTS": ["127.0.0.1"],
        },
        instance_path=tempfile.mkdtemp(),
    )
    try:
        with app.app_context():
            flask_migrate.upgrade()
            fill(n, port)
            started = time.perf_counter()
            queued = run_reminders()
            compose = time.perf_counter() - started
        send = drain(app, 1)
        with app.app_context():
            sent = db.session.execute(
                sa.select(sa.func.count()).where(OutboxMessage.status == "sent")
            ).scalar_one()
        rate = n / (compose + send)
        print(
            f"{engine}: {len(queued)} reminders composed+recorded in {compose:.1f}s "
            f"({n / compose:.0f}/s); delivered {sent} in {send:.1f}s ({n / send:.0f}/s); "
            f"whole pipeline {rate:.0f} msg/s = {rate / source_rate:.2f} of smtp-source"
        )
        # Slow relay: 100 ms per DATA. One connection per worker thread.
        m = min(n, 400)
        with app.app_context():
            db.session.execute(
                sa.update(OutboxMessage).where(OutboxMessage.id <= m).values(status="queued")
            )
            db.session.execute(
                sa.update(OutboxMessage).where(OutboxMessage.id > m).values(status="failed")
            )
            space = db.session.execute(sa.select(Space)).scalar_one()
            email_settings_for(space).port = slow.port
            db.session.commit()
        for threads in (1, slow_workers):
            with app.app_context():
                db.session.execute(
                    sa.update(OutboxMessage).where(OutboxMessage.id <= m).values(status="queued")
                )
                db.session.commit()
            took = drain(app, threads)
            print(
                f"{engine}: slow relay (100 ms/DATA), {threads} connection(s): {m / took:.1f} msg/s"
            )
    finally:
        stop(sink)
        slow.stop()
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--slow-workers", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    sink = start_sink(port)
    try:
        source_rate = ceiling(port)
    finally:
        stop(sink)
    print(f"smtp-source, one session reusing its connection: {source_rate:.0f} msg/s")
    name = f"djaboo_bench_{secrets.token_hex(3)}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        bench(
            "sqlite",
            f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3",
            args.invoices,
            args.slow_workers,
            source_rate,
        )
        bench(
            "postgresql",
            f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
            args.invoices,
            args.slow_workers,
            source_rate,
        )
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
