"""How long the invoice and customer lists take with 10,000+ invoices, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/list_pages.py [--invoices 10000]

Builds a throw-away database per engine (PostgreSQL on 127.0.0.1:5432, user postgres), fills
it with customers and invoices through bulk inserts, then times the list pages (first page,
a search, the overdue filter, a far page, a sort) through the real app with a signed-in client.
Prints milliseconds per request (median of 5). Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

import flask_migrate
import psycopg
import sqlalchemy as sa

from djaboo import create_app
from djaboo.documents.models import Customer, Invoice
from djaboo.extensions import db
from djaboo.spaces.creation import create_space

PASSWORD = "benchmark-password"
URLS = [
    "/invoices",
    "/invoices?q=Customer 42",
    "/invoices?status=overdue",
    "/invoices?page=300",
    "/invoices?sort=-total",
    "/customers?q=7",
]


def fill(n_invoices: int) -> None:
    admin = create_space("Bench Ltd", "bench@example.com", PASSWORD)
    space_id = admin.space_id
    customers = [
        {
            "space_id": space_id,
            "company": f"Customer {i}",
            "address": "",
            "vat_number": "",
            "language": "en",
            "currency": "EUR",
            "reminders_enabled": True,
        }
        for i in range(n_invoices // 10)
    ]
    db.session.execute(sa.insert(Customer), customers)
    ids = db.session.execute(sa.select(Customer.id)).scalars().all()
    today = date.today()
    rows = []
    for i in range(n_invoices):
        total = Decimal(random.randint(100, 100000)) / 100
        issued = today - timedelta(days=random.randint(0, 400))
        rows.append(
            {
                "space_id": space_id,
                "number": f"INV-{i + 1:06d}",
                "customer_id": random.choice(ids),
                "owner_id": admin.id,
                "issue_date": issued,
                "due_date": issued + timedelta(days=30),
                "currency": "EUR",
                "status": random.choice(["unpaid", "paid", "draft"]),
                "notes": "",
                "subtotal": total,
                "tax_total": 0,
                "total": total,
                "amount_paid": 0,
                "reminders_enabled": True,
                "version": 1,
            }
        )
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(Invoice), rows[start : start + 2000])
    db.session.commit()


def measure(url: str, n_invoices: int) -> dict[str, float]:
    app = create_app(
        {
            "SECRET_KEY": "b" * 40,
            "DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "https://billing.bench.example",
            "ENCRYPTION_KEY": "uq1JqJ0rZSfJjH3kq6m1Yk0vX8m9a3tbfQy8bq1wq0Q=",
        },
        instance_path=tempfile.mkdtemp(),
    )
    with app.app_context():
        flask_migrate.upgrade()
        fill(n_invoices)
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.com", "password": PASSWORD})
    results = {}
    for path in URLS:
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        results[path] = statistics.median(timings)
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    args = parser.parse_args()
    engines = {"sqlite": f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"}
    name = f"djaboo_bench_{secrets.token_hex(3)}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    engines["postgresql"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        print(f"{args.invoices} invoices, median of 5 requests, milliseconds")
        for engine, url in engines.items():
            for path, ms in measure(url, args.invoices).items():
                print(f"{engine:<11} {path:<28} {ms:8.1f} ms")
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
