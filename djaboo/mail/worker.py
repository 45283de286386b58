"""The mail worker: claims due outbox rows, sends each space's batch on one connection, records.

Several workers (processes, machines) may run at once on one PostgreSQL database: rows are claimed
with FOR UPDATE SKIP LOCKED (a conditional UPDATE on SQLite), so no row is ever sent by two.
A claim is a lease: a row left in "sending" by a worker that died is taken over once the lease
has expired and sent again with the same Message-ID (at most one extra copy, never a loss).
A paused space (configuration error) is skipped until its settings are saved again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from djaboo.database_timeouts import UNREACHABLE, describe
from djaboo.db import insert_or_ignore, utcnow
from djaboo.extensions import db
from djaboo.mail.delivery import fail, outcome_connection, send_claimed, unexpected, worker_name
from djaboo.mail.errors import ConfigurationError, MailError
from djaboo.mail.outbox import MailPause, OutboxMessage, WorkerHeartbeat
from djaboo.mail.transports import TransportSettings, open_transport
from djaboo.spaces.models import Space

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
CONNECTIONS_PER_SPACE = 2  # default; MAIL_CONNECTIONS_PER_SPACE in the config
MAX_BACKOFF = 60.0  # seconds between attempts while the database stays unreachable


def _due(now):
    table = OutboxMessage.__table__
    return sa.and_(
        sa.or_(
            table.c.status == "queued",
            sa.and_(table.c.status == "retry", table.c.next_attempt_at <= now),
            sa.and_(table.c.status == "sending", table.c.claimed_at < now - LEASE),
        ),
        table.c.space_id.not_in(sa.select(MailPause.space_id)),
    )


def due_spaces(after: int = 0) -> list[int]:
    """Spaces with due mail, in turn: those after the last one served first, so a space with
    10,000 queued reminders never starves the others."""
    table = OutboxMessage.__table__
    ids = db.session.execute(
        sa.select(table.c.space_id).where(_due(utcnow())).distinct().order_by(table.c.space_id)
    ).scalars()
    ids = list(ids)
    return [i for i in ids if i > after] + [i for i in ids if i <= after]


def claim_due(
    space_id: int, limit: int = 100, connections: int = CONNECTIONS_PER_SPACE
) -> list[int]:
    """Claim up to limit of the space's due rows and commit the claim; returns their ids.

    Nothing when `connections` other workers already hold live claims for the space. The check
    and the claim are one locked step: the space's row (FOR UPDATE) on PostgreSQL, the
    database's write lock on SQLite (taken by the first statement, a write); the claim itself is
    a conditional UPDATE, so a row that stopped being due is never taken."""
    now = utcnow()
    me = worker_name()
    table = OutboxMessage.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Space.id).where(Space.id == space_id).with_for_update())
    else:
        db.session.execute(
            sa.update(WorkerHeartbeat).where(WorkerHeartbeat.name == me).values(seen_at=now)
        )
    busy = db.session.execute(
        sa.select(sa.func.count(sa.distinct(table.c.claimed_by))).where(
            table.c.space_id == space_id,
            table.c.status == "sending",
            table.c.claimed_at >= now - LEASE,
            table.c.claimed_by != me,
        )
    ).scalar_one()
    ids = []
    if busy < connections:
        candidates = (
            sa.select(table.c.id)
            .where(table.c.space_id == space_id, _due(now))
            .order_by(table.c.id)
            .limit(limit)
        )
        if db.session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        wanted = db.session.execute(candidates).scalars().all()
        if wanted:
            # Conditional as well: a row some other worker claimed meanwhile is not taken.
            ids = (
                db.session.execute(
                    sa.update(table)
                    .where(table.c.id.in_(wanted), _due(now))
                    .values(
                        status="sending",
                        claimed_at=now,
                        claimed_by=me,
                        attempts=table.c.attempts + 1,
                    )
                    .returning(table.c.id)
                )
                .scalars()
                .all()
            )
    db.session.commit()
    return ids


_last_served = threading.local()


# Given claimed rows, the ones that must not go out any more, each with the reason (the
# documents layer knows: a reminder whose invoice was paid meanwhile).
Withdraw = Callable[[list[OutboxMessage]], dict[int, str]]


def run_once(
    settings_for: Callable[[int], TransportSettings],
    batch: int = 100,
    connections: int = CONNECTIONS_PER_SPACE,
    withdraw: Withdraw | None = None,
) -> int:
    """One pass: up to `batch` due rows of each space, spaces in turn, each space's rows on
    one connection; returns how many rows were handled."""
    handled = 0
    for space_id in due_spaces(getattr(_last_served, "space_id", 0)):
        _last_served.space_id = space_id
        ids = claim_due(space_id, batch, connections)
        if not ids:
            continue
        rows = (
            db.session.execute(
                sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
            )
            .scalars()
            .all()
        )
        handled += len(rows)
        if withdraw:
            rows = _withdraw(rows, withdraw(rows))
        if rows:
            _deliver_space(space_id, rows, settings_for)
    return handled


def _deliver_space(space_id: int, rows: list[OutboxMessage], settings_for) -> None:
    """One connection for the space's batch; each row committed on its own (a later failure
    never rolls back an earlier success)."""
    pending = list(rows)
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False  # rows are ours: no reloads
    try:
        with open_transport(settings_for(space_id)) as transport, outcome_connection() as outcomes:
            while pending:
                row = pending.pop(0)
                send_claimed(row, transport, outcomes)
                db.session.commit()  # failures are recorded in the session
                if row.status == "attention" and db.session.get(MailPause, space_id):
                    break  # paused: the others wait for the settings to be fixed
    except MailError as error:
        row = pending.pop(0) if pending else None
        if row is not None:
            fail(row, error)
            db.session.commit()
        if not isinstance(error, ConfigurationError):
            for other in pending:  # the server is unreachable now: they wait as well
                fail(other, error)
            db.session.commit()
            pending = []
    except sa.exc.DBAPIError:
        db.session.rollback()
        log.exception("delivery for space %s crashed; the claims expire and are retried", space_id)
        return
    except Exception as exc:  # the connection could not even be opened: none of them can go
        db.session.rollback()
        error = unexpected(exc)
        for row in pending:
            fail(row, error)
        db.session.commit()
        pending = []
    finally:
        session.expire_on_commit = expire
    _release(pending)


def _withdraw(rows: list[OutboxMessage], reasons: dict[int, str]) -> list[OutboxMessage]:
    """Close the rows that are no longer wanted (committed); returns the others."""
    if not reasons:
        return rows
    for row in rows:
        if row.id in reasons:
            row.status, row.last_error, row.claimed_at = "withdrawn", reasons[row.id], None
    db.session.commit()
    return [row for row in rows if row.id not in reasons]


def waiting_without_worker(space_id: int, grace: timedelta = timedelta(minutes=3)):
    """Minutes the space's oldest due email has waited while no worker was seen, else None."""
    now = utcnow()
    late = now - grace
    oldest = db.session.execute(
        sa.select(sa.func.min(OutboxMessage.created_at)).where(
            OutboxMessage.space_id == space_id,
            sa.or_(
                sa.and_(OutboxMessage.status == "queued", OutboxMessage.created_at < late),
                sa.and_(OutboxMessage.status == "retry", OutboxMessage.next_attempt_at < late),
            ),
        )
    ).scalar_one_or_none()
    if oldest is None:
        return None
    seen = db.session.execute(sa.select(sa.func.max(WorkerHeartbeat.seen_at))).scalar()
    if seen is not None and now - seen < grace:
        return None
    return int((now - oldest).total_seconds() // 60)


def _release(rows: list[OutboxMessage]) -> None:
    """Give back rows this worker claimed but did not try (their space was paused)."""
    for row in rows:
        row.status, row.claimed_at, row.claimed_by = "queued", None, ""
        row.attempts = max(row.attempts - 1, 0)
    db.session.commit()


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
    settings_for,
    *,
    interval: float = 5.0,
    batch: int = 100,
    connections: int = CONNECTIONS_PER_SPACE,
    withdraw: Withdraw | None = None,
    stop: threading.Event | None = None,
    periodic: Callable[[], object] | None = None,
    period: float = 900.0,
) -> None:
    """Deliver until stopped: a batch whenever there is work, else a short sleep. `periodic`
    (the reminder run) is called every `period` seconds; it must be safe to run in several
    workers at once."""
    stop = stop or threading.Event()
    last_periodic = float("-inf")
    failures = 0  # passes in a row that found the database unreachable
    while not stop.is_set():
        pause = interval
        try:
            beat()
            if failures:
                log.warning("database answering again after %d failed attempt(s)", failures)
                failures = 0
            if periodic and time.monotonic() - last_periodic >= period:
                last_periodic = time.monotonic()
                periodic()
            handled = run_once(settings_for, batch, connections, withdraw)
        except UNREACHABLE as exc:
            # Expected while the database restarts: one line per attempt, not a traceback.
            failures += 1
            pause = min(interval * 2 ** (failures - 1), MAX_BACKOFF)
            log.warning(
                "database unreachable (attempt %d, next in %gs): %s",
                failures,
                pause,
                describe(exc),
            )
            handled = 0
        except Exception:
            log.exception("mail worker pass failed; trying again")
            handled = 0
        finally:
            _end_pass()
        if not handled:
            stop.wait(pause)


def _end_pass() -> None:
    """Roll back and hand the connection back; with the database gone that may fail too."""
    try:
        db.session.rollback()
    except Exception as exc:
        log.warning("rollback failed: %s", describe(exc))
    db.session.remove()
