"""Issue #16: a thousand spaces and a million invoices on one PostgreSQL; prints each figure
with its goal.

    .venv/bin/python benchmarks/scale.py [--spaces 1000] [--invoices 1000] [--overdue 50]
        [--queue-sizes 10000,100000,1000000] [--big-queue 100000] [--skip-bulk] [--skip-pages]

Quick run: --spaces 100 --invoices 200 --overdue 10 --queue-sizes 1000,10000 --big-queue 10000.
Makes its own database (djaboo_scale_<pid> on 127.0.0.1:5432, user postgres; dropped at the
end unless --keep) and a Postfix smtp-sink on loopback (every space sends to it). Seeds
(benchmarks/scale_seed.py, COPY then ANALYZE) `spaces` spaces x `invoices` invoices, `overdue`
of each space's invoices 40 days late, one sent email per invoice; then
1. claim cost vs queue size: one worker claim (djaboo/mail/claims.py claim_due, 100 rows) with
   N rows queued over every space and in one space; median and p99 (goal: flat), the worker's
   look for spaces with mail (due_spaces), and PostgreSQL's plan of the claim;
2. reminders across spaces: `djaboo reminders run` over every space (spaces x overdue
   reminders, no PDF), alone then 4 processes at once; time, rate, duplicates (none), against
   one space's rate (the run of one space with as many overdue invoices);
3. fairness: one space with `big-queue` queued emails, 50 spaces with 1 each, committed while
   `djaboo mail worker` processes (1, then 4) drain the big one: each small email's delay from
   its commit to the sink's acceptance (goal: p99 < 5 s);
4./5. pages and storage (benchmarks/scale_pages.py, when present);
6. benchmarks/bulk_reminders.py (PostgreSQL, without its memory part; --skip-bulk: the command).
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

import flask_migrate
import psycopg
import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import scale_seed  # noqa: E402
from bulk_reminders import BASE_URL, KEY, free_port, start_sink, stop  # noqa: E402

from djaboo import create_app  # noqa: E402
from djaboo.extensions import db  # noqa: E402
from djaboo.mail.claims import Claim, claim_due, due_spaces  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
DJABOO = os.path.join(os.path.dirname(sys.executable), "djaboo")


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms, p99 {p99(values) * 1000:.1f} ms"


def env_for(url: str, instance: str) -> dict:
    return {
        **os.environ,
        "DJABOO_SECRET_KEY": "b" * 40,
        "DJABOO_ENCRYPTION_KEY": KEY,
        "DJABOO_DATABASE_URL": url,
        "DJABOO_BASE_URL": BASE_URL,
        "DJABOO_SMTP_ALLOWED_HOSTS": '["127.0.0.1"]',
        "DJABOO_INSTANCE_PATH": instance,
    }


def sql(statement: str, **params):
    return db.session.execute(sa.text(statement), params)


def bulk(statement: str, **params) -> None:
    """A statement over many rows, on a connection of its own: the app's statement timeout
    and watchdog (djaboo/database_timeouts.py) are for pages and jobs, not for writing a
    million rows at once. Committed."""
    statement = re.sub(r"(?<![:\w]):(\w+)(?!:)", r"%(\1)s", statement.replace("%", "%%"))
    with psycopg.connect(scale_seed.psycopg_url(db.engine.url.render_as_string(False))) as conn:
        conn.execute(statement, params)


# 2. Reminders across spaces ---------------------------------------------------------------


def reset_reminders() -> None:
    for table in ("reminder_log", "reminder_pass", "public_link"):
        bulk(f"DELETE FROM {table}")
    bulk("DELETE FROM outbox_message WHERE origin = 'reminder'")


def reminder_runs(processes: int, env: dict) -> tuple[float, list[int]]:
    """`processes` x `djaboo reminders run` at once; (seconds until the last ends, queued each)."""
    started = time.perf_counter()
    runs = [
        subprocess.Popen(
            [DJABOO, "reminders", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(processes)
    ]
    outputs = [run.communicate()[0].decode() for run in runs]
    took = time.perf_counter() - started
    queued = []
    for run, out in zip(runs, outputs, strict=True):
        if run.returncode:
            raise RuntimeError(f"djaboo reminders run failed: {out}")
        queued.append(int(out.split(" reminder email")[0].split()[-1]))
    return took, queued


def reminder_figures(app, url: str, env: dict, spaces: list[int], overdue: int) -> None:
    expected = len(spaces) * overdue
    rates = {}
    for processes in (1, 4):
        with app.app_context():
            reset_reminders()
        took, queued = reminder_runs(processes, env)
        with app.app_context():
            total, invoices, keys = sql(
                "SELECT count(*), count(DISTINCT doc_id), count(DISTINCT idempotency_key) "
                "FROM outbox_message WHERE origin = 'reminder'"
            ).one()
            logs = sql("SELECT count(*) FROM reminder_log").scalar_one()
            db.session.commit()
        rates[processes] = total / took
        print(
            f"2. reminders over {len(spaces)} spaces, {processes} process(es): {total:,} queued "
            f"(expected {expected:,}; per process {queued}) in {took:.1f}s = "
            f"{rates[processes]:,.0f}/s; duplicates: {total - invoices} (emails for one invoice"
            f" beyond the first), ledger rows {logs:,}, distinct keys {keys:,}"
        )
    # One space's rate: one more space with as many overdue invoices as a space-wide run
    # queues (at most 20,000), run the same way; every other space's reminders are in the
    # ledger already (its pass over them costs a few ms each).
    n = min(expected, 20_000)
    with app.app_context():
        single = scale_seed.create_spaces(1, int(env["SINK_PORT"]), "single")
        scale_seed.seed_documents(url, single, n, n)
        scale_seed.analyze(url)
    took, queued = reminder_runs(1, env)
    rate = sum(queued) / took
    print(
        f"2. one space alone: {sum(queued):,} reminders in {took:.1f}s = {rate:,.0f}/s. Goal: "
        f"across spaces >= one space's rate: 1 process {rates[1] / rate:.2f} x, "
        f"4 processes {rates[4] / rate:.2f} x"
    )
    with app.app_context():  # out of the way of the worker figures below
        bulk("UPDATE outbox_message SET status = 'sent' WHERE status = 'queued'")


# 1. Claim cost vs queue size ---------------------------------------------------------------


def fill_queue(template_id: int, target: int, space_ids: list[int]) -> None:
    """Copy the template row until `target` rows are queued, spread over `space_ids`."""
    have = sql("SELECT count(*) FROM outbox_message WHERE status = 'queued'").scalar_one()
    db.session.commit()
    if target > have:
        bulk(
            "INSERT INTO outbox_message (space_id, idempotency_key, origin, message_id, sender,"
            " recipients, to_display, subject, raw, smtputf8, status, attempts, claimed_by,"
            " claim_token, last_error, server_reply, recipient_results, event, doc_type,"
            " doc_id, created_at, bounce_token, bounce_reason, sent_copy_error)"
            " SELECT (CAST(:spaces AS integer[]))"
            "[1 + g % cardinality(CAST(:spaces AS integer[]))], 'q:' || g, origin,"
            " '<q' || g || '@bench.example>', sender, recipients, to_display, subject, raw,"
            " smtputf8, 'queued', 0, '', '', '', '', '{}', event, doc_type, doc_id, now(), '',"
            " '', '' FROM outbox_message t,"
            " generate_series(CAST(:first AS integer), CAST(:last AS integer)) g"
            " WHERE t.id = :t",
            spaces=space_ids,
            first=have + 1,
            last=target,
            t=template_id,
        )
    bulk("ANALYZE outbox_message")


def clear_queue() -> None:
    """Remove the copied rows, and VACUUM as autovacuum would (it is off on these machines):
    else the next figures pay for walking a million dead index entries."""
    bulk("DELETE FROM outbox_message WHERE idempotency_key LIKE 'q:%'")
    url = scale_seed.psycopg_url(db.engine.url.render_as_string(False))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE outbox_message")


def capture_claim_sql(app):
    """The SELECT ... FOR UPDATE the claim runs (whatever the claim's code), with parameters."""
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if "FOR UPDATE" in statement:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    return seen, lambda: sa.event.remove(db.engine, "before_cursor_execute", listen)


def claim_figures(app, spaces: list[int], sizes: list[int], claims: int, template: int) -> None:
    lease = timedelta(minutes=5)
    for layout, where in (("over all spaces", spaces), ("in one space", spaces[:1])):
        with app.app_context():
            clear_queue()
        for size in sizes:
            with app.app_context():
                fill_queue(template, size, where)
                times, looks = [], []
                statements, done = capture_claim_sql(app)
                for _ in range(claims):
                    space = random.choice(where)
                    started = time.perf_counter()
                    claim = claim_due(space, "bench:1:1", 100, 2, lease)
                    times.append(time.perf_counter() - started)
                    if claim is not None:
                        Claim.release(claim, claim.ids, db.session)
                        db.session.commit()
                    started = time.perf_counter()
                    due_spaces(0, lease)
                    looks.append(time.perf_counter() - started)
                    db.session.commit()
                done()
                plan = explain(statements[-1])
                print(
                    f"1. claim of 100 rows, {size:,} queued {layout}: {ms(times)} (its SELECT "
                    f"alone: {plan[-1].split(': ')[-1]}, the rest is the UPDATE and commit); the "
                    f"worker's look for spaces with mail: {ms(looks)}"
                )
                if size == sizes[-1]:
                    print("   the claim's plan:\n      " + "\n      ".join(plan))
    with app.app_context():
        clear_queue()
    print("   Goal: flat (the same cost at every queue size).")


def explain(captured) -> list[str]:
    """PostgreSQL's plan of the claim's SELECT, run (EXPLAIN ANALYZE, rolled back)."""
    statement, parameters = captured
    connection = db.session.connection().connection.driver_connection
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, parameters)
        plan = [row[0] for row in cursor.fetchall()]
    db.session.rollback()
    return plan


# 3. Fairness -------------------------------------------------------------------------------


def fairness(app, env: dict, spaces: list[int], big_queue: int, template: int) -> None:
    big, small = spaces[0], spaces[1:51]
    for workers in (1, 4):
        with app.app_context():
            clear_queue()
            fill_queue(template, big_queue, [big])
        processes = [
            subprocess.Popen(
                [DJABOO, "mail", "worker", "--no-reminders", "--no-prune"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            with app.app_context():
                while not sql(
                    "SELECT count(*) FROM outbox_message WHERE status = 'sent' AND "
                    "idempotency_key LIKE 'q:%'"
                ).scalar_one():
                    db.session.commit()
                    time.sleep(0.1)
                time.sleep(1)  # the big space is being drained
                sql(
                    "INSERT INTO outbox_message (space_id, idempotency_key, origin, message_id,"
                    " sender, recipients, to_display, subject, raw, smtputf8, status, attempts,"
                    " claimed_by, claim_token, last_error, server_reply, recipient_results,"
                    " event, doc_type, doc_id, created_at, bounce_token, bounce_reason,"
                    " sent_copy_error) SELECT s, 'q:small:' || s, origin, '<small' || s ||"
                    " '@bench.example>', sender, recipients, to_display, subject, raw, smtputf8,"
                    " 'queued', 0, '', '', '', '', '{}', event, doc_type, doc_id,"
                    " clock_timestamp(), '', '', '' FROM outbox_message t,"
                    " unnest(CAST(:small AS integer[])) s"
                    " WHERE t.id = :t",
                    small=small,
                    t=template,
                )
                db.session.commit()
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    delays = (
                        sql(
                            "SELECT extract(epoch FROM sent_at - created_at) FROM outbox_message"
                            " WHERE idempotency_key LIKE 'q:small:%' AND status = 'sent'"
                        )
                        .scalars()
                        .all()
                    )
                    db.session.commit()
                    if len(delays) == len(small):
                        break
                    time.sleep(0.1)
                drained = sql(
                    "SELECT count(*) FROM outbox_message WHERE status = 'sent' AND "
                    "idempotency_key LIKE 'q:%'"
                ).scalar_one()
                db.session.commit()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(60)
        delays = [float(d) for d in delays]
        print(
            f"3. fairness, {workers} worker process(es), {big_queue:,} queued in one space: "
            f"{len(delays)}/{len(small)} small spaces' emails accepted; delay from commit to "
            f"the sink's 250: {ms(delays)}, max {max(delays, default=0):.2f}s "
            f"({drained:,} emails sent meanwhile). Goal: p99 < 5 s"
        )
    with app.app_context():
        clear_queue()


# Main --------------------------------------------------------------------------------------


def other_figures(url: str, args) -> None:
    if args.skip_pages:
        print("4./5. skipped (--skip-pages)")
    else:
        try:
            import scale_pages
        except ImportError as exc:
            print(f"4./5. pages and storage: benchmarks/scale_pages.py is missing ({exc})")
        else:
            scale_pages.measure_pages(url)
            scale_pages.measure_storage(url)
    bulk = [sys.executable, os.path.join(os.path.dirname(__file__), "bulk_reminders.py")]
    if args.skip_bulk:
        print("6. throughput against the transport limit: " + " ".join(bulk))
    else:
        print("6. throughput against the transport limit (bulk_reminders.py, PostgreSQL):")
        sys.stdout.flush()
        subprocess.run([*bulk, "--engines", "postgresql", "--memory-messages", "0"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spaces", type=int, default=1000)
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--overdue", type=int, default=50, help="per space (5 %% of 1000)")
    parser.add_argument("--queue-sizes", default="10000,100000,1000000")
    parser.add_argument("--claims", type=int, default=100, help="claims timed per size")
    parser.add_argument("--big-queue", type=int, default=100_000)
    parser.add_argument("--items", default="1,2,3", help="which of items 1-3 to measure")
    parser.add_argument("--skip-bulk", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    begun = time.perf_counter()
    name = f"djaboo_scale_{os.getpid()}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(SERVER + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    sink = start_sink(port)
    instance = tempfile.mkdtemp()
    env = {**env_for(url, instance), "SINK_PORT": str(port)}
    config = {
        "SECRET_KEY": "b" * 40,
        "DATABASE_URL": url,
        "ENCRYPTION_KEY": KEY,
        "BASE_URL": BASE_URL,
        "SMTP_ALLOWED_HOSTS": ["127.0.0.1"],
    }
    app = create_app(config, instance_path=instance)
    try:
        with app.app_context():
            flask_migrate.upgrade()
            started = time.perf_counter()
            spaces = scale_seed.create_spaces(args.spaces, port)
            made = time.perf_counter() - started
            seeded = scale_seed.seed_documents(url, spaces, args.invoices, args.overdue)
            analyzed = scale_seed.analyze(url)
        print(
            f"seed: {len(spaces):,} spaces in {made:.0f}s (create_space), then by COPY "
            f"{seeded['customers']:,} customers and contacts, {seeded['invoices']:,} invoices, "
            f"{seeded['sent']:,} sent emails in {seeded['seconds']:.0f}s; ANALYZE {analyzed:.0f}s"
        )
        sys.stdout.flush()
        items = args.items.split(",")
        if "2" in items:
            reminder_figures(app, url, env, spaces, args.overdue)
        with app.app_context():  # a real reminder (else the history's) is what gets copied
            template = sql(
                "SELECT coalesce(min(id) FILTER (WHERE origin = 'reminder'), min(id))"
                " FROM outbox_message"
            ).scalar_one()
            db.session.commit()
        if "1" in items:
            sizes = [int(s) for s in args.queue_sizes.split(",")]
            claim_figures(app, spaces, sizes, args.claims, template)
        if "3" in items:
            fairness(app, env, spaces, args.big_queue, template)
        sys.stdout.flush()
        other_figures(url, args)
    finally:
        stop(sink)
        with app.app_context():
            db.engine.dispose()
        if not args.keep:
            with psycopg.connect(SERVER + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"total: {time.perf_counter() - begun:.0f}s")


if __name__ == "__main__":
    main()
