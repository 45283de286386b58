"""Issue #16, items 4 and 5: the pages at a million rows, and what a sent email costs in storage.

    .venv/bin/python benchmarks/scale_pages.py [--invoices 1000000] [--emails 1000000]
        [--requests 200] [--year-invoices 1000] [--keep]

Alone, it makes its own PostgreSQL database (djaboo_scale_pages on 127.0.0.1:5432, user
postgres; dropped at the end unless --keep, and reused when kept). benchmarks/scale.py calls
`measure_pages(url)` and `measure_storage(url)` on its own database: each seeds what it needs
when it is missing (one space "Scale pages Ltd" with its invoices, customers and a million rows
in its email log, by COPY; then ANALYZE, autovacuum being off on these machines).

Pages: gunicorn with 2 workers serves the app; one client times each page in rounds (login
page, then every list), so the same load falls on each; prints median and p99 and the rate as
a ratio of `/login` in the same run. Goals: list pages >= 0.25 x /login, p99 < 100 ms; searches
go through an index (pg_trgm), never a sequential scan: the EXPLAIN plan of each search is
printed.

Storage: a simulated year of one space (each invoice sent, some reminded twice, some
thanked) recorded through the real recording path (djaboo/mail/recording.py); prints the
bytes per sent email (message, PDF, indexes and TOAST included), then runs the retention
(Settings -> Email -> Keep sent messages for) and prints the figure after it. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPACE_NAME = "Scale pages Ltd"
ADMIN = "scale-pages@example.com"
PASSWORD = "scale-pages-password"
SECRET_KEY = "s" * 48
ENCRYPTION_KEY = "uq1JqJ0rZSfJjH3kq6m1Yk0vX8m9a3tbfQy8bq1wq0Q="
BASE_URL = "https://billing.scale.example"
WORDS = (
    "Nordwind Alpen Delta Fjord Orion Quartz Linden Aurora Beacon Cobalt Falke Granit Hafen "
    "Iris Jade Kiesel Lumen Merkur Nova Opal Polar Rhein Saturn Tannen Ulme Vega Wiesen Zenit"
).split()
KINDS = "Logistik Consulting Bau Design Software Handel Labs Media Partners Werke".split()
FORMS = "GmbH AG KG Ltd SARL BV Oy".split()


def app_for(database_url: str):
    from djaboo import create_app

    return create_app(
        {
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": database_url,
            "BASE_URL": BASE_URL,
            "ENCRYPTION_KEY": ENCRYPTION_KEY,
        },
        instance_path=tempfile.mkdtemp(prefix="scale-pages-"),
    )


def libpq(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def company(i: int) -> str:
    r = random.Random(i)
    return f"{r.choice(WORDS)} {r.choice(KINDS)} {i} {r.choice(FORMS)}"


# ---- seeding -------------------------------------------------------------------------------


def ensure_space(app) -> tuple[int, int]:
    """(space id, admin id) of the benchmark's space, made (with its admin) when missing."""
    import sqlalchemy as sa

    from djaboo.extensions import db
    from djaboo.spaces.creation import create_space
    from djaboo.staff.models import User

    with app.app_context():
        admin = db.session.execute(sa.select(User).where(User.email == ADMIN)).scalar_one_or_none()
        if admin is None:
            admin = create_space(SPACE_NAME, ADMIN, PASSWORD)
            db.session.commit()
        return admin.space_id, admin.id


def copy_rows(conn, table: str, columns: list[str], rows) -> int:
    n = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def seed_pages(database_url: str, n_invoices: int, n_emails: int) -> int:
    """The space with n_invoices invoices (n/10 customers) and n_emails rows in its email log
    (each with a ~2 KB message); what is already there is kept. Returns the space id."""
    app = app_for(database_url)
    space_id, admin_id = ensure_space(app)
    now = datetime.now(UTC)
    with psycopg.connect(libpq(database_url), autocommit=True) as conn:
        have = conn.execute("SELECT count(*) FROM invoice WHERE space_id = %s", (space_id,))
        if have.fetchone()[0] < n_invoices:
            started = time.perf_counter()
            conn.execute("DELETE FROM invoice WHERE space_id = %s", (space_id,))
            conn.execute("DELETE FROM customer WHERE space_id = %s", (space_id,))
            n_customers = max(1, n_invoices // 10)
            copy_rows(
                conn,
                "customer",
                "space_id company address vat_number language currency reminders_enabled "
                "created_at".split(),
                (
                    (space_id, company(i), "", "", "en", "EUR", True, now)
                    for i in range(n_customers)
                ),
            )
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM customer WHERE space_id = %s ORDER BY id", (space_id,)
                )
            ]
            today = date.today()
            rng = random.Random(16)

            def invoices():
                for i in range(n_invoices):
                    issued = today - timedelta(days=rng.randint(0, 1500))
                    total = f"{rng.randint(100, 10_000_00) / 100:.2f}"
                    status = rng.choice(("unpaid", "paid", "paid", "paid", "draft"))
                    yield (
                        space_id,
                        f"INV-{i + 1:07d}",
                        ids[rng.randrange(len(ids))],
                        admin_id,
                        issued,
                        issued + timedelta(days=30),
                        "EUR",
                        status,
                        "",
                        total,
                        "0",
                        total,
                        "0",
                        True,
                        1,
                        now,
                        0,
                    )

            copy_rows(
                conn,
                "invoice",
                "space_id number customer_id owner_id issue_date due_date currency status notes "
                "subtotal tax_total total amount_paid reminders_enabled version created_at "
                "view_count".split(),
                invoices(),
            )
            print(
                f"  seeded {n_invoices:,} invoices, {n_customers:,} customers "
                f"in {time.perf_counter() - started:.0f} s"
            )
        count = "SELECT count(*) FROM outbox_message WHERE space_id = %s"
        have = conn.execute(count, (space_id,)).fetchone()[0]
        missing = n_emails - have
        if missing > 0:
            started = time.perf_counter()
            body = (b"Dear customer, please find your invoice attached. " * 40)[:2000]
            start = now - timedelta(days=365)
            step = timedelta(days=365) / max(missing, 1)

            def emails():
                for i in range(missing):
                    created = start + step * i
                    to = f"{company(i % 100_000)} <billing{i}@example.net>"
                    subject = f"Invoice INV-{i % max(n_invoices, 1) + 1:07d}"
                    raw = (
                        f"From: billing@scale.example\nTo: {to}\nSubject: {subject}\n"
                        f"Message-ID: <bench-{i}@scale.example>\n\n"
                    ).encode() + body
                    yield (
                        space_id,
                        f"bench:{i}:{have}",
                        "manual",
                        f"<bench-{i}@scale.example>",
                        "billing@scale.example",
                        f'["billing{i}@example.net"]',
                        to,
                        subject,
                        raw,
                        False,
                        "sent",
                        1,
                        "",
                        "",
                        "",
                        "250 2.0.0 Ok",
                        "{}",
                        "invoice_sent",
                        "invoice",
                        created,
                        created,
                        "",
                        "",
                        "",
                    )

            copy_rows(
                conn,
                "outbox_message",
                "space_id idempotency_key origin message_id sender recipients to_display subject "
                "raw smtputf8 status attempts claimed_by claim_token last_error server_reply "
                "recipient_results event doc_type created_at sent_at bounce_token bounce_reason "
                "sent_copy_error".split(),
                emails(),
            )
            print(f"  seeded {missing:,} email log rows in {time.perf_counter() - started:.0f} s")
        conn.execute("ANALYZE")  # autovacuum is off: an unanalysed table halves a list's rate
    with app.app_context():
        from djaboo.extensions import db

        db.engine.dispose()
    return space_id


# ---- pages ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workers: int = 2):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJABOO_SECRET_KEY": SECRET_KEY,
        "DJABOO_DATABASE_URL": database_url,
        "DJABOO_BASE_URL": BASE_URL,
        "DJABOO_ENCRYPTION_KEY": ENCRYPTION_KEY,
    }
    control = tempfile.mkdtemp(prefix="scale-pages-gunicorn-")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--control-socket",
            f"{control}/gunicorn.ctl",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
    )
    import requests

    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{url}/login", timeout=60)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        shutil.rmtree(control, ignore_errors=True)


def signed_in(url: str):
    import requests

    session = requests.Session()
    page = session.get(f"{url}/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"email": ADMIN, "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    answer = session.post(f"{url}/login", data=data, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return session


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def explain_searches(database_url: str, paths: list[str]) -> None:
    """The plan PostgreSQL chose for the statements each search page runs (in-process)."""
    import sqlalchemy as sa

    from djaboo.extensions import db

    app = app_for(database_url)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    client.post("/login", data={"email": ADMIN, "password": PASSWORD})
    with app.app_context():
        engine = db.engine
        seen: list[tuple[str, object]] = []

        def listen(conn, cursor, statement, parameters, context, executemany):
            if "ILIKE" in statement.upper() and not statement.startswith("EXPLAIN"):
                seen.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", listen)
        try:
            for path in paths:
                seen.clear()
                client.get(path)
                for statement, parameters in list(seen):
                    with engine.connect() as conn:
                        plan = conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars()
                        lines = list(plan)
                    scan = "SEQUENTIAL SCAN" if any("Seq Scan" in x for x in lines) else "index"
                    print(f"  EXPLAIN {path}  ->  {scan}")
                    for line in lines:
                        print(f"      {line}")
        finally:
            sa.event.remove(engine, "before_cursor_execute", listen)
            engine.dispose()


def measure_pages(
    database_url: str, n_invoices: int = 1_000_000, n_emails: int = 1_000_000, requests_: int = 200
) -> dict:
    """Item 4: the list pages at a million rows through gunicorn (2 workers), against /login."""
    print(f"\n== Pages at a million rows ({n_invoices:,} invoices, {n_emails:,} emails) ==")
    seed_pages(database_url, n_invoices, n_emails)
    name = company(4242)
    paths = {
        "/login": "/login",
        "/invoices": "/invoices",
        "/invoices next page": None,  # the first page's Next link, found below
        "/invoices?q=<customer>": f"/invoices?q={name}",
        "/invoices?q=<number>": "/invoices?q=0424242",
        "/invoices?q=<common word>": "/invoices?q=GmbH",  # 1 customer in 7
        "/emails": "/emails",
    }
    results: dict[str, list[float]] = {label: [] for label in paths}
    with gunicorn(database_url) as url:
        import requests

        anonymous = requests.Session()
        session = signed_in(url)
        first = session.get(f"{url}/invoices").text
        nxt = re.search(r'<a href="(\?[^"]*)"[^>]*>\s*(?:Next|Older)', first)
        if nxt:
            paths["/invoices next page"] = "/invoices" + nxt.group(1).replace("&amp;", "&")
        else:
            del paths["/invoices next page"], results["/invoices next page"]
        for label, path in paths.items():  # warm every worker and cache
            for _ in range(4):
                (anonymous if label == "/login" else session).get(url + path)
        for _ in range(requests_):
            for label, path in paths.items():
                client = anonymous if label == "/login" else session
                started = time.perf_counter()
                answer = client.get(url + path, allow_redirects=False)
                results[label].append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"{path}: {answer.status_code}")
    login = statistics.median(results["/login"])
    print(f"  gunicorn -w 2, one client, {requests_} requests per page, milliseconds")
    print(f"  {'page':<26}{'median':>9}{'p99':>9}{'x /login':>10}   goal: >= 0.25 x, p99 < 100 ms")
    figures = {}
    for label, timings in results.items():
        median = statistics.median(timings)
        ratio = login / median
        figures[label] = (median, p99(timings), ratio)
        ok = "" if label == "/login" else ("ok" if ratio >= 0.25 and p99(timings) < 100 else "MISS")
        print(f"  {label:<26}{median:9.1f}{p99(timings):9.1f}{ratio:9.2f}x   {ok}")
    explain_searches(database_url, [paths["/invoices?q=<customer>"], paths["/invoices?q=<number>"]])
    return figures


# ---- storage -------------------------------------------------------------------------------


def measure_storage(database_url: str, year_invoices: int = 1000) -> dict:
    """Item 5: bytes per sent email over a simulated year, before and after the retention."""
    from benchmarks.scale_storage import simulate_year

    print(f"\n== Storage: a simulated year of one space ({year_invoices:,} invoices) ==")
    return simulate_year(app_for(database_url), year_invoices)


# ---- alone ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--emails", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--year-invoices", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    parser.add_argument("--only", choices=("pages", "storage"))
    parser.add_argument("--database", default="djaboo_scale_pages")
    args = parser.parse_args()
    name = args.database
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            c.execute(f'CREATE DATABASE "{name}"')
    import flask_migrate

    app = app_for(url)
    with app.app_context():
        flask_migrate.upgrade()
        from djaboo.extensions import db

        db.engine.dispose()
    try:
        if args.only != "storage":
            measure_pages(url, args.invoices, args.emails, args.requests)
        if args.only != "pages":
            measure_storage(url, args.year_invoices)
    finally:
        if not args.keep:
            with psycopg.connect(
                "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
            ) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
