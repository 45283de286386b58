"""Claims: which worker sends which outbox rows, and for how long.

A claim is a lease on a batch of one space's rows: they move to "sending" with the worker
thread's name, a token new for this claim, and the time; the holder renews that time while it
works through the batch, however slowly the server answers. Rows whose lease ran out (their
worker died, or stopped renewing) are due again, for any worker, with the same Message-ID.

Every write of the holder is conditional on the row still carrying its name and token, and a
row is renewed (so checked) right before it is sent: a row taken over is never sent, nor its
outcome written, by its former holder. The timing that makes this hold is in `Claim`.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.outbox import MailPause, OutboxMessage, WorkerHeartbeat

log = logging.getLogger(__name__)
DEFAULT_LEASE = timedelta(minutes=5)  # MAIL_CLAIM_LEASE_SECONDS in the config
OUTBOX = OutboxMessage.__table__
# Built once: the worker runs these once per message, and building a statement costs more
# than running it (the claim's name and token are parameters, `held_params()`).
HELD_BY_PARAMS = sa.and_(
    OUTBOX.c.status == "sending",
    OUTBOX.c.claimed_by == sa.bindparam("b_worker"),
    OUTBOX.c.claim_token == sa.bindparam("b_token"),
)
RENEW_ONE = (
    sa.update(OUTBOX)
    .where(OUTBOX.c.id == sa.bindparam("b_id"), HELD_BY_PARAMS)
    .values(claimed_at=sa.bindparam("b_now", type_=OUTBOX.c.claimed_at.type))
)
# PostgreSQL advisory locks are keyed (namespace, id): this namespace holds one lock per space
# for claiming its mail ("DJML" in ASCII), apart from any other use of advisory locks.
CLAIM_LOCK_NAMESPACE = 0x444A4D4C


@dataclass
class Claim:
    """One worker thread's hold on some of a space's rows.

    Before each message the holder renews the row it is about to send, and every
    `renew_every` the whole rest of the batch; one message (and opening a connection) may take
    at most `message_deadline`, after which its connection is interrupted. A row is thus
    renewed at most renew_every + message_deadline = 3/4 of the lease ago while its holder
    works on it: never expired, and the last quarter is a margin for database latency and
    clocks that differ between machines.
    """

    space_id: int
    worker: str
    lease: timedelta
    ids: list[int]
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    renewed_at: float = field(default_factory=time.monotonic)
    # The row renewed in the same statement as the last outcome written (delivery._store),
    # right before it is to be sent: the batch loop sends it without renewing it again.
    # Cleared whenever anything else may run in between (a hook told of an outcome).
    renewed_next: int | None = None

    @property
    def renew_every(self) -> float:
        return self.lease.total_seconds() / 4

    @property
    def message_deadline(self) -> float:
        return self.lease.total_seconds() / 2

    def held(self):
        """The rows this claim still holds."""
        return sa.and_(
            OUTBOX.c.status == "sending",
            OUTBOX.c.claimed_by == self.worker,
            OUTBOX.c.claim_token == self.token,
        )

    def held_params(self) -> dict:
        """The parameters of HELD_BY_PARAMS for this claim."""
        return {"b_worker": self.worker, "b_token": self.token}

    def renewal_due(self) -> bool:
        return time.monotonic() - self.renewed_at >= self.renew_every

    def renew(self, ids: list[int], connection, *, whole: bool = False) -> set[int]:
        """Renew the lease of these rows on `connection` (which commits by itself); returns
        those still held. `whole`: they are all the batch has left to send."""
        if not ids:
            return set()
        started = time.monotonic()
        if len(ids) == 1 and not whole:  # before each message: the cheapest statement
            params = {"b_id": ids[0], "b_now": utcnow(), **self.held_params()}
            if connection.execute(RENEW_ONE, params).rowcount == 1:
                return set(ids)
            log.warning(
                "worker %s lost its claim on email %s (lease expired); another worker has "
                "it, this one leaves it alone",
                self.worker,
                ids[0],
            )
            return set()
        held = connection.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), self.held())
            .values(claimed_at=utcnow())
            .returning(OUTBOX.c.id)
        )
        held = set(held.scalars())
        if whole:
            self.renewed_at = started
        if len(held) < len(ids):
            log.warning(
                "worker %s lost its claim on email(s) %s (lease expired); another worker has "
                "them, this one leaves them alone",
                self.worker,
                sorted(set(ids) - held),
            )
        return held

    def release(self, ids: list[int], connection) -> None:
        """Give back rows this claim holds but did not try (paused space, worker stopping)."""
        if ids:
            connection.execute(
                sa.update(OUTBOX)
                .where(OUTBOX.c.id.in_(ids), self.held())
                .values(
                    status="queued",
                    claimed_at=None,
                    claimed_by="",
                    claim_token="",
                    attempts=sa.case((OUTBOX.c.attempts > 0, OUTBOX.c.attempts - 1), else_=0),
                )
            )


# Rows that wait for their next_attempt_at: a retry, and an email scheduled (Send at).
WAITING = ("retry", "scheduled")


def _status_is(*statuses: str):
    """status = 'x' (or IN (...)) with the values written into the SQL, not bound: only then
    can SQLite and a prepared PostgreSQL plan use the partial indexes made for them
    (migration 0024: ix_outbox_queued on (space_id, id), ix_outbox_waiting on
    (space_id, next_attempt_at))."""
    values = [sa.literal_column(f"'{s}'") for s in statuses]
    return OUTBOX.c.status == values[0] if len(values) == 1 else OUTBOX.c.status.in_(values)


QUEUED, WAITING_ROWS, SENDING = _status_is("queued"), _status_is(*WAITING), _status_is("sending")


def due(now, lease: timedelta = DEFAULT_LEASE):
    """Rows to send now: queued, a retry or a scheduled email whose time came, or a claim
    whose lease ran out."""
    return sa.and_(
        sa.or_(
            QUEUED,
            sa.and_(WAITING_ROWS, OUTBOX.c.next_attempt_at <= now),
            sa.and_(SENDING, OUTBOX.c.claimed_at < now - lease),
        ),
        OUTBOX.c.space_id.not_in(sa.select(MailPause.space_id)),
    )


def next_due_at(now):
    """When the next waiting row (retry, scheduled) falls due, after `now`; None if none
    does. The worker sleeps no longer than that."""
    return db.session.execute(
        sa.select(sa.func.min(OUTBOX.c.next_attempt_at)).where(
            OUTBOX.c.status.in_(WAITING), OUTBOX.c.next_attempt_at > now
        )
    ).scalar_one_or_none()


# The spaces with queued rows, one index probe per space (a "skip scan" of ix_outbox_queued):
# a DISTINCT over the rows themselves read the whole queue on every pass of every worker.
QUEUED_SPACES = sa.text(
    "WITH RECURSIVE s(space_id) AS ("
    " SELECT min(space_id) FROM outbox_message WHERE status = 'queued'"
    " UNION ALL SELECT (SELECT min(space_id) FROM outbox_message"
    "  WHERE status = 'queued' AND space_id > s.space_id)"
    " FROM s WHERE s.space_id IS NOT NULL)"
    " SELECT space_id FROM s WHERE space_id IS NOT NULL"
)


def due_spaces(after: int = 0, lease: timedelta = DEFAULT_LEASE, skip=()) -> list[int]:
    """Spaces with due mail, in turn: those after the last one served first, so a space with
    10,000 queued reminders never starves the others. `skip`: spaces already being served.

    Its cost follows the number of spaces with mail (and of due retries), not of rows queued."""
    now = utcnow()
    ids = set(db.session.execute(QUEUED_SPACES).scalars())
    ids.update(
        db.session.execute(
            sa.select(OUTBOX.c.space_id)
            .where(
                sa.or_(
                    sa.and_(WAITING_ROWS, OUTBOX.c.next_attempt_at <= now),
                    sa.and_(SENDING, OUTBOX.c.claimed_at < now - lease),
                )
            )
            .distinct()
        ).scalars()
    )
    ids -= set(db.session.execute(sa.select(MailPause.space_id)).scalars())
    ids = sorted(i for i in ids if i not in skip)
    return [i for i in ids if i > after] + [i for i in ids if i <= after]


def _candidates(space_id: int, now, lease: timedelta, limit: int, postgresql: bool):
    """The ids of the space's first `limit` due rows: one ordered range scan with LIMIT per
    kind of due row (each on its own index), merged, so a claim reads about `limit` rows
    however long the queue is (the OR of the three let PostgreSQL sort every due row of the
    space). Rows another transaction holds locked are skipped on PostgreSQL."""
    # The queued rows' space as a range of one, not `=`: PostgreSQL drops an equality's
    # column from the order, and may then walk the primary key (in id order) through every
    # older row of every space and status when one space holds most of the queue. Kept,
    # (space_id, id) is the order of ix_outbox_queued alone.
    one_space = OUTBOX.c.space_id.between(space_id, space_id)
    arms = []
    for where in (
        sa.and_(one_space, QUEUED),
        sa.and_(OUTBOX.c.space_id == space_id, WAITING_ROWS, OUTBOX.c.next_attempt_at <= now),
        sa.and_(OUTBOX.c.space_id == space_id, SENDING, OUTBOX.c.claimed_at < now - lease),
    ):
        arm = (
            sa.select(OUTBOX.c.id)
            .where(where)
            .order_by(OUTBOX.c.space_id, OUTBOX.c.id)
            .limit(limit)
        )
        if postgresql:
            arm = arm.with_for_update(skip_locked=True)
        arm = arm.subquery()
        arms.append(sa.select(arm.c.id))
    merged = sa.union_all(*arms).subquery()
    return sa.select(merged.c.id).order_by(merged.c.id).limit(limit)


def lock_space(space_id: int, worker: str, now) -> None:
    """Hold the space's claim lock until the transaction ends, without knowing what a space is:
    on PostgreSQL a transaction-level advisory lock on (CLAIM_LOCK_NAMESPACE, space_id); on
    SQLite the database's write lock, which the first write of a transaction takes and which
    serializes every claim of every space (this write renews the worker's heartbeat)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(
                sa.func.pg_advisory_xact_lock(
                    sa.cast(CLAIM_LOCK_NAMESPACE, sa.Integer), sa.cast(space_id, sa.Integer)
                )
            )
        )
    else:
        db.session.execute(
            sa.update(WorkerHeartbeat).where(WorkerHeartbeat.name == worker).values(seen_at=now)
        )


def claim_due(
    space_id: int, worker: str, limit: int, connections: int, lease: timedelta = DEFAULT_LEASE
) -> Claim | None:
    """Claim up to limit of the space's due rows and commit the claim; None when there is
    nothing to claim, or `connections` other claims on the space are alive (held by a worker
    that renews them: one hanging on a slow server counts too).

    The check and the claim are one locked step (lock_space); the claim itself is a
    conditional UPDATE, so a row that stopped being due is never taken."""
    now = utcnow()
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    lock_space(space_id, worker, now)
    busy = db.session.execute(
        sa.select(sa.func.count(sa.distinct(OUTBOX.c.claimed_by))).where(
            OUTBOX.c.space_id == space_id,
            OUTBOX.c.status == "sending",
            OUTBOX.c.claimed_at >= now - lease,
            OUTBOX.c.claimed_by != worker,
        )
    ).scalar_one()
    claim = None
    if busy < connections:
        paused = db.session.execute(
            sa.select(MailPause.space_id).where(MailPause.space_id == space_id)
        ).first()
        candidates = _candidates(space_id, now, lease, limit, postgresql)
        wanted = [] if paused else db.session.execute(candidates).scalars().all()
        if wanted:
            claim = Claim(space_id, worker, lease, [])
            # Conditional as well: a row some other worker claimed meanwhile is not taken.
            claim.ids = (
                db.session.execute(
                    sa.update(OUTBOX)
                    .where(OUTBOX.c.id.in_(wanted), due(now, lease))
                    .values(
                        status="sending",
                        claimed_at=now,
                        claimed_by=worker,
                        claim_token=claim.token,
                        attempts=OUTBOX.c.attempts + 1,
                    )
                    .returning(OUTBOX.c.id)
                )
                .scalars()
                .all()
            )
    db.session.commit()
    return claim if claim and claim.ids else None
