"""The mail worker: the one way out of the outbox.

Several workers (processes, machines) may run at once on one PostgreSQL database: rows are claimed
with FOR UPDATE SKIP LOCKED (a conditional UPDATE on SQLite), so no row is ever sent by two.
A claim is a lease the worker renews while it works (djaboo/mail/claims.py): a row left in
"sending" by a worker that died is taken over once the lease has expired and sent again with
the same Message-ID (at most one extra copy, never a loss); a live worker's rows, never.

Within a worker, spaces are served at once, each by a thread of a small pool on a connection
of its own, so a space whose server hangs holds one thread (for at most a deadline per message),
never the others' mail. A paused space (configuration error) is skipped until its settings are
saved again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from djaboo.database_timeouts import UNREACHABLE, describe
from djaboo.db import insert_or_ignore, utcnow
from djaboo.extensions import db
from djaboo.mail.batch import (
    CONNECTIONS_PER_SPACE,
    Notify,
    Sent,
    SettingsFor,
    Withdraw,
    serve_space,
)
from djaboo.mail.claims import DEFAULT_LEASE, WAITING, due_spaces, next_due_at
from djaboo.mail.outbox import OutboxMessage, WorkerHeartbeat
from djaboo.mail.wakeup import Listener

log = logging.getLogger(__name__)
MAX_BACKOFF = 60.0  # seconds between attempts while the database stays unreachable
THREADS = 4  # spaces one worker serves at once
BEAT_EVERY = 10.0  # seconds between heartbeats
POLL = {"postgresql": 5.0, "sqlite": 0.5}  # seconds between idle looks (PostgreSQL: LISTEN too)
SOONEST = 0.05  # seconds: the shortest pause before a retry or a scheduled email falls due
JOB_GRACE = 10.0  # seconds a stopping worker waits for the job it is running

_last_served = threading.local()


def run_once(
    settings_for: SettingsFor,
    batch: int = 100,
    connections: int = CONNECTIONS_PER_SPACE,
    withdraw: Withdraw | None = None,
    lease: timedelta = DEFAULT_LEASE,
    notify: Notify | None = None,
    sent: Sent | None = None,
) -> int:
    """One pass in this thread: up to `batch` due rows of each space, spaces in turn, each
    space's rows on one connection; returns how many rows were handled. `notify`: told of
    each email whose outcome went wrong (djaboo/mail/batch.py, Notify)."""
    handled = 0
    for space_id in due_spaces(getattr(_last_served, "space_id", 0), lease):
        _last_served.space_id = space_id
        handled += serve_space(
            space_id,
            settings_for,
            batch=batch,
            connections=connections,
            lease=lease,
            withdraw=withdraw,
            notify=notify,
            sent=sent,
        )
    return handled


def waiting_without_worker(space_id: int, grace: timedelta = timedelta(minutes=3)):
    """Minutes the space's oldest due email has waited while no worker was seen, else None."""
    now = utcnow()
    late = now - grace
    # One statement (the banner is on every page): when a worker was seen last, and the
    # oldest due email (two index lookups).
    oldest = sa.select(sa.func.min(OutboxMessage.created_at)).where(
        OutboxMessage.space_id == space_id,
        sa.or_(
            sa.and_(OutboxMessage.status == "queued", OutboxMessage.created_at < late),
            sa.and_(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at < late),
        ),
    )
    seen_at = sa.select(sa.func.max(WorkerHeartbeat.seen_at))
    seen, oldest = db.session.execute(
        sa.select(seen_at.scalar_subquery(), oldest.scalar_subquery())
    ).one()
    if oldest is None or (seen is not None and now - seen < grace):
        return None
    return int((now - oldest).total_seconds() // 60)


def beat(name: str | None = None) -> None:
    """Record that this worker is alive (committed)."""
    name = name or f"{socket.gethostname()}:{os.getpid()}"
    now = utcnow()
    updated = db.session.execute(
        sa.update(WorkerHeartbeat).where(WorkerHeartbeat.name == name).values(seen_at=now)
    )
    if updated.rowcount == 0:
        insert_or_ignore(db.session, WorkerHeartbeat.__table__, name=name, seen_at=now)
    db.session.commit()


def run(
    settings_for: SettingsFor,
    *,
    interval: float | None = None,
    batch: int = 100,
    connections: int = CONNECTIONS_PER_SPACE,
    withdraw: Withdraw | None = None,
    stop: threading.Event | None = None,
    periodic: Callable[[], object] | None = None,
    period: float = 900.0,
    lease: timedelta = DEFAULT_LEASE,
    threads: int = THREADS,
    jobs: Sequence[tuple[float, Callable[[], object]]] = (),
    notify: Notify | None = None,
    sent: Sent | None = None,
) -> None:
    """Deliver until `stop` is set (needs an app context).

    This thread finds the spaces with due mail and hands each to a pool thread (at most one
    per space, `threads` at once); it looks again whenever a batch ends, mail is queued
    (PostgreSQL NOTIFY), `interval` seconds passed (default: 5 s on PostgreSQL, 0.5 s on
    SQLite), or a retry or a scheduled email falls due, whichever comes first. `periodic` (the
    reminder run) is called every `period` seconds, and each of `jobs` (seconds, job), such as
    the retention run, every its seconds, the first time at start, one after another in a
    thread of their own (a slow job, say an IMAP server that hangs, never holds up delivery);
    they must be safe to run in several workers at once. `notify` is told of each email whose
    outcome went wrong (djaboo/mail/batch.py, Notify), `sent` of each email the server accepted
    (Sent). On stop, each thread gives back the rows it has not started and ends after its
    current message."""
    stop = stop or threading.Event()
    app = current_app._get_current_object()
    engine = db.engine.dialect.name
    interval = interval if interval is not None else POLL.get(engine, 0.5)
    wake = threading.Event()
    if engine == "postgresql":
        Listener(db.engine, wake, stop).start()
    serving: dict[int, Future] = {}
    jobs = [*([(period, periodic)] if periodic else []), *jobs]
    last_served, last_beat = 0, float("-inf")
    failures = 0  # passes in a row that found the database unreachable
    came_meanwhile: set[int] = set()  # spaces found due while a thread was serving them

    def serve(space_id: int) -> None:
        with app.app_context():
            claimed = 0
            try:
                claimed = serve_space(
                    space_id,
                    settings_for,
                    batch=batch,
                    connections=connections,
                    lease=lease,
                    withdraw=withdraw,
                    stop=stop,
                    notify=notify,
                    sent=sent,
                )
            except UNREACHABLE as exc:
                log.warning(
                    "delivery for space %s: database unreachable: %s", space_id, describe(exc)
                )
            except Exception:
                log.exception(
                    "delivery for space %s failed; its claims expire and are retried", space_id
                )
            finally:
                _end_pass()
                # The space is free again before the loop is woken: woken while its future was
                # still running, the loop skipped it and slept a whole interval, and mail queued
                # for it meanwhile (a resend) waited that long.
                serving.pop(space_id, None)
                if claimed or space_id in came_meanwhile:  # maybe more, or mail came meanwhile
                    came_meanwhile.discard(space_id)
                    wake.set()

    runner = threading.Thread(
        target=_run_jobs, args=(app, jobs, stop), name="mail-jobs", daemon=True
    )
    if jobs:
        runner.start()
    with ThreadPoolExecutor(threads, thread_name_prefix="mail-space") as pool:
        try:
            while not stop.is_set():
                pause = interval
                for space_id in [s for s, future in list(serving.items()) if future.done()]:
                    serving.pop(space_id, None)
                try:
                    if time.monotonic() - last_beat >= BEAT_EVERY:
                        beat()
                        last_beat = time.monotonic()
                    if failures:
                        log.warning("database answering again after %d failed attempt(s)", failures)
                        failures = 0
                    due_now = due_spaces(last_served, lease)
                    came_meanwhile.update(s for s in due_now if s in serving)
                    for space_id in [s for s in due_now if s not in serving]:
                        if len(serving) >= threads:
                            break
                        serving[space_id] = pool.submit(serve, space_id)
                        last_served = space_id
                    pause = _pause_until_due(interval)
                except UNREACHABLE as exc:
                    # Expected while the database restarts: one line per attempt, not a traceback.
                    failures += 1
                    last_beat = float("-inf")
                    pause = min(interval * 2 ** (failures - 1), MAX_BACKOFF)
                    log.warning(
                        "database unreachable (attempt %d, next in %gs): %s",
                        failures,
                        pause,
                        describe(exc),
                    )
                except Exception:
                    log.exception("mail worker pass failed; trying again")
                finally:
                    _end_pass()
                _sleep(wake, stop, pause)
        finally:
            stop.set()  # Ctrl+C: the threads give back what they have not started
            # It ends after the job it is running; a long one (a reminder run) is cut short
            # with the process like before: each job commits in steps of its own.
            if runner.is_alive():
                runner.join(JOB_GRACE)


def _run_jobs(app, jobs: Sequence[tuple[float, Callable[[], object]]], stop) -> None:
    """Each job every its seconds (the first time at once), until `stop`; one failing is
    logged and tried again at its next time."""
    last_run = [float("-inf")] * len(jobs)
    with app.app_context():
        while not stop.is_set():
            for n, (every, job) in enumerate(jobs):
                if stop.is_set() or time.monotonic() - last_run[n] < every:
                    continue
                last_run[n] = time.monotonic()
                try:
                    job()
                except UNREACHABLE as exc:
                    log.warning("mail worker job: database unreachable: %s", describe(exc))
                except Exception:
                    log.exception("mail worker job %r failed; it runs again at its next time", job)
                finally:
                    _end_pass()
            now = time.monotonic()
            soonest = min(last + every for last, (every, _) in zip(last_run, jobs, strict=True))
            stop.wait(min(max(soonest - now, 0.05), 0.5))


def _pause_until_due(interval: float) -> float:
    """`interval`, or less when a retry or a scheduled email falls due sooner: no NOTIFY
    says a time came, so the worker wakes for it itself."""
    now = utcnow()
    at = next_due_at(now)
    if at is None:
        return interval
    return min(interval, max((at - now).total_seconds(), SOONEST))


def _sleep(wake: threading.Event, stop: threading.Event, seconds: float) -> None:
    """Until woken, stopped (checked twice a second), or `seconds` passed."""
    end = time.monotonic() + seconds
    while not stop.is_set() and (left := end - time.monotonic()) > 0:
        if wake.wait(min(left, 0.5)):
            break
    wake.clear()


def _end_pass() -> None:
    """Roll back and hand the connection back; with the database gone that may fail too."""
    try:
        db.session.rollback()
    except Exception as exc:
        log.warning("rollback failed: %s", describe(exc))
    db.session.remove()
