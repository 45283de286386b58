"""Bulk reminders end to end, against Postfix's smtp-sink on 127.0.0.1, with smtp-source's
one-session rate on the same sink as the ceiling.

    .venv/bin/python benchmarks/bulk_reminders.py [--invoices 10000] [--slow-workers 4]
        [--memory-messages 100000] [--engines sqlite,postgresql]

Needs Debian's postfix package for smtp-sink/smtp-source (`make bench` installs it; the daemon
need not run). For each engine (SQLite file, PostgreSQL on 127.0.0.1:5432) it bulk-inserts N
overdue invoices, then times
1. each stage alone: `run_reminders()` (choose, compose, record every reminder in the outbox),
   then one worker draining the outbox over one reused connection;
2. the whole pipeline as deployed: the reminder run in this process while one (then two)
   `djaboo mail worker` processes deliver what each committed chunk queued, from the start of
   the run to the last message accepted by the sink;
3. a sink that waits 100 ms before answering each DATA, drained by 1 and K worker threads on
   at most MAIL_CONNECTIONS_PER_SPACE connections (the space's cap, 2 by default), to show
   that throughput follows connections x 10/s;
4. a neighbour that hangs: another space's server takes each message and never answers, 20
   queued; how long after its commit a healthy space's email is accepted by the sink, with one
   `djaboo mail worker` process (woken by NOTIFY on PostgreSQL, its poll on SQLite).
Then the memory of one `djaboo mail worker --once` process delivering M messages (SQLite).
PDF attachments are off (a PDF costs ~50 ms to render once per invoice version). smtp-source
runs three times; its median is the ceiling (it varies a lot on a shared 2-core machine).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import flask_migrate
import psycopg
import sqlalchemy as sa

from djaboo import create_app
from djaboo.documents.models import Contact, Customer, Invoice, ReminderLog
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
BASE_URL = "https://billing.bench.example"  # links in the reminders


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


class HangingRelay:
    """A server that takes the whole message and never answers it."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import asyncio

                await asyncio.sleep(3600)
                return "250 2.0.0 Too late"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


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


def ceiling(port: int, messages: int = 20000) -> float:
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


def drain(app, threads: int, connections: int = 1, batch: int = BATCH) -> float:
    def work():
        with app.app_context():
            while True:
                if worker.run_once(transport_settings_for_space, batch, connections):
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


def worker_process(url: str, instance: str, *args: str) -> subprocess.Popen:
    """A real `djaboo mail worker` process on the benchmark's database."""
    env = {
        **os.environ,
        "DJABOO_SECRET_KEY": "b" * 40,
        "DJABOO_ENCRYPTION_KEY": KEY,
        "DJABOO_DATABASE_URL": url,
        "DJABOO_BASE_URL": BASE_URL,
        "DJABOO_SMTP_ALLOWED_HOSTS": '["127.0.0.1"]',
        "DJABOO_INSTANCE_PATH": instance,
    }
    djaboo = os.path.join(os.path.dirname(sys.executable), "djaboo")
    return subprocess.Popen(
        [djaboo, "mail", "worker", *args], env=env, stdout=subprocess.DEVNULL, stderr=None
    )


def count(*statuses: str) -> int:
    db.session.rollback()
    return db.session.execute(
        sa.select(sa.func.count()).where(OutboxMessage.status.in_(statuses))
    ).scalar_one()


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def bench(engine: str, url: str, n: int, slow_workers: int, source_rate: float) -> None:
    port = free_port()
    sink, slow = start_sink(port), SlowRelay()
    instance = tempfile.mkdtemp()
    app = create_app(
        {
            "SECRET_KEY": "b" * 40,
            "DATABASE_URL": url,
            "ENCRYPTION_KEY": KEY,
            "BASE_URL": BASE_URL,
            "SMTP_ALLOWED_HOSTS": ["127.0.0.1"],
        },
        instance_path=instance,
    )
    try:
        with app.app_context():
            flask_migrate.upgrade()
            fill(n, port)
        # 1. Each stage alone: the reminder run, then one worker thread over one connection.
        with app.app_context():
            started = time.perf_counter()
            queued = run_reminders()
            compose = time.perf_counter() - started
        send = drain(app, 1, batch=100)  # the worker's default batch
        with app.app_context():
            sent = count("sent")
            size = db.session.execute(sa.select(sa.func.avg(sa.func.length(OutboxMessage.raw))))
            size = float(size.scalar_one())
        print(
            f"{engine}: {len(queued)} reminders ({size:,.0f} bytes each on average) chosen, "
            f"composed and recorded in {compose:.1f}s "
            f"({n / compose:.0f}/s); one worker delivered {sent} over one connection in "
            f"{send:.1f}s ({n / send:.0f}/s)"
        )
        # 2. The whole pipeline as deployed: `djaboo reminders run` (here, this process) while
        # `djaboo mail worker` processes deliver what each committed chunk queued.
        for workers in (1, 2):
            pipeline(app, engine, url, instance, n, workers, source_rate)
        # 3. Slow relay: 100 ms per DATA; one connection per worker thread, at most the
        # space's cap (MAIL_CONNECTIONS_PER_SPACE), as a real space gets.
        cap = app.config["MAIL_CONNECTIONS_PER_SPACE"]
        m = min(n, 400)
        with app.app_context():
            first = db.session.execute(sa.select(sa.func.min(OutboxMessage.id))).scalar_one()
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id >= first + m)
                .values(status="failed")
            )
            space = db.session.execute(sa.select(Space)).scalar_one()
            email_settings_for(space).port = slow.port
            db.session.commit()
        for threads in sorted({1, slow_workers} - {0}):
            with app.app_context():
                db.session.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id < first + m)
                    .values(status="queued", claimed_by="")
                )
                db.session.commit()
            took = drain(app, threads, connections=min(threads, cap))
            print(
                f"{engine}: slow relay (100 ms/DATA), {threads} worker thread(s), at most "
                f"{min(threads, cap)} connection(s) (MAIL_CONNECTIONS_PER_SPACE = {cap}): "
                f"{m / took:.1f} msg/s"
            )
        # 4. A neighbour whose server hangs; the healthy space sends to the sink again.
        with app.app_context():
            email_settings_for(db.session.execute(sa.select(Space)).scalar_one()).port = port
            db.session.commit()
        hanging_neighbour(app, engine, url, instance)
    finally:
        stop(sink)
        slow.stop()
        with app.app_context():
            db.engine.dispose()


def pipeline(app, engine, url, instance, n, workers, source_rate) -> None:
    with app.app_context():
        db.session.execute(sa.delete(ReminderLog))
        db.session.execute(sa.delete(OutboxMessage))
        db.session.commit()
    processes = [
        worker_process(url, instance, "--no-reminders", "--interval", "0.05")
        for _ in range(workers)
    ]
    try:
        with app.app_context():
            started = time.perf_counter()
            run_reminders()
            recorded = time.perf_counter() - started
            while count("sent") < n and all(p.poll() is None for p in processes):
                time.sleep(0.02)
            took = time.perf_counter() - started
            sent = count("sent")
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    rate = sent / took
    print(
        f"{engine}: whole pipeline with {workers} worker(s), {sent} reminders from due invoices "
        f"to accepted by the sink in {took:.1f}s (the run done after {recorded:.1f}s): "
        f"{rate:.0f} msg/s = {rate / source_rate:.2f} of smtp-source's one session"
    )


def hanging_neighbour(app, engine, url, instance, queued: int = 20) -> None:
    relay = HangingRelay()
    with app.app_context():
        sample = db.session.execute(sa.select(OutboxMessage).limit(1)).scalar_one()
        healthy = sample.space_id
        copy = {c.name: getattr(sample, c.name) for c in OutboxMessage.__table__.columns}
        del copy["id"]
        db.session.execute(sa.delete(ReminderLog))
        db.session.execute(sa.delete(OutboxMessage))
        admin = create_space("Hanging Ltd", "hang@example.com", "benchmark-password")
        settings = email_settings_for(admin.space)
        settings.protocol, settings.encryption, settings.host, settings.port = (
            "smtp",
            "none",
            "127.0.0.1",
            relay.port,
        )
        settings.from_email = "billing@hanging.example"
        rows = [
            dict(copy, space_id=admin.space_id, status="queued", idempotency_key=f"hang:{i}")
            for i in range(queued)
        ]
        db.session.execute(sa.insert(OutboxMessage.__table__), rows)  # by column name
        db.session.commit()
    process = worker_process(url, instance, "--no-reminders")
    try:
        with app.app_context():
            while not count("sending") and process.poll() is None:  # it hangs on them now
                time.sleep(0.05)
            time.sleep(1)
            row = OutboxMessage(
                **dict(copy, space_id=healthy, status="queued", idempotency_key="ok")
            )
            db.session.add(row)
            db.session.commit()
            committed = time.perf_counter()
            while count("sent") < 1 and process.poll() is None:
                time.sleep(0.01)
            took = time.perf_counter() - committed
    finally:
        process.terminate()
        process.wait(200)  # each thread ends its message first (at most half the lease)
        relay.stop()
    print(
        f"{engine}: a healthy space's email while another space's server hangs ({queued} "
        f"queued, 1 worker): accepted by the sink {took:.2f}s after its commit"
    )


def worker_memory(url: str, messages: int) -> None:
    """Peak RSS of one `djaboo mail worker --once` process as it delivers `messages` emails."""
    port = free_port()
    sink = start_sink(port)
    instance = tempfile.mkdtemp()
    app = create_app(
        {"SECRET_KEY": "b" * 40, "DATABASE_URL": url, "ENCRYPTION_KEY": KEY, "BASE_URL": BASE_URL},
        instance_path=instance,
    )
    try:
        with app.app_context():
            flask_migrate.upgrade()
            fill(10, port)
            run_reminders()  # ten real reminders, copied to `messages` rows
            model = [
                {c.name: getattr(r, c.name) for c in OutboxMessage.__table__.columns}
                for r in db.session.execute(sa.select(OutboxMessage)).scalars()
            ]
            db.session.execute(sa.delete(OutboxMessage))
            for start in range(0, messages, 5000):
                rows = []
                for i in range(start, min(start + 5000, messages)):
                    row = dict(model[i % len(model)], id=None, idempotency_key=f"copy:{i}")
                    row.pop("id")
                    rows.append(row)
                db.session.execute(sa.insert(OutboxMessage.__table__), rows)  # by column name
            db.session.commit()
        process = worker_process(url, instance, "--once", "--batch", "200")
        marks, checkpoints = [], [messages // 10, messages // 2, messages]
        peak = 0.0
        with app.app_context():
            while process.poll() is None:
                try:
                    peak = max(peak, rss_mib(process.pid, "VmHWM"))
                    current = rss_mib(process.pid)
                except FileNotFoundError:
                    break
                done = count("sent")
                while checkpoints and done >= checkpoints[0]:
                    marks.append(f"{checkpoints.pop(0):,} sent: RSS {current:.0f} MiB")
                time.sleep(0.5)
            sent = count("sent")
        print(f"worker memory, {sent:,} messages: " + "; ".join(marks) + f"; peak {peak:.0f} MiB")
    finally:
        stop(sink)
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--slow-workers", type=int, default=4)
    parser.add_argument("--memory-messages", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    port = free_port()
    sink = start_sink(port)
    try:  # smtp-source's rate varies from run to run on a shared machine: take the median of 3
        rates = sorted(ceiling(port) for _ in range(3))
    finally:
        stop(sink)
    source_rate = rates[1]
    print(
        f"smtp-source, one session reusing its connection, 4,000-byte messages: "
        f"{source_rate:.0f} msg/s (median of {', '.join(f'{r:.0f}' for r in rates)})"
    )
    name = f"djaboo_bench_{secrets.token_hex(3)}"
    urls = {
        "sqlite": f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3",
        "postgresql": f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
    }
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        for engine in args.engines.split(","):
            bench(engine, urls[engine], args.invoices, args.slow_workers, source_rate)
        if args.memory_messages:
            worker_memory(f"sqlite:///{tempfile.mkdtemp()}/memory.sqlite3", args.memory_messages)
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
