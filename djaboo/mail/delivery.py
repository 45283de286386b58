"""Delivering claimed outbox rows: send, record. The row was committed as "sending" before the
first SMTP byte, so a crash can never roll it back to "queued" and cause a silent duplicate;
each outcome is written only while the claim still holds the row (djaboo/mail/claims.py).
"""

from __future__ import annotations

import functools
import logging
import os
import random
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.claims import HELD_BY_PARAMS, Claim
from djaboo.mail.errors import (
    ConfigurationError,
    DeliveryUnknownError,
    MailError,
    TransientError,
    UnexpectedError,
)
from djaboo.mail.outbox import MailPause, OutboxMessage
from djaboo.mail.recipient_results import all_accepted, recipient_summary
from djaboo.mail.transports import Envelope

log = logging.getLogger(__name__)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=4)
GIVE_UP_AFTER = timedelta(days=3)
UNKNOWN_RETRIES = 1


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: ~1 min, 2, 4, ... capped at 4 hours."""
    base = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)
    return base * random.uniform(0.8, 1.2)


def still_trying(row: OutboxMessage) -> bool:
    """Whether a transient failure is tried again: within GIVE_UP_AFTER of when the email was
    to go (queued, or its Send at, Send now or Resend: not_before)."""
    since = max(row.created_at, row.not_before or row.created_at)
    return utcnow() - since < GIVE_UP_AFTER


def worker_name() -> str:
    """This thread's name in claims: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_native_id()}"[:200]


def unexpected(exc: Exception) -> UnexpectedError:
    """An exception none of our typed errors: logged with its traceback, and turned into a
    reason that stops the email ("Needs attention") rather than a claim that expires and is
    retried, silently, for ever."""
    log.error("sending failed unexpectedly", exc_info=exc)
    return UnexpectedError.wrapping(exc)


def send_claimed(
    row: OutboxMessage, transport, claim: Claim, outcomes, renew_next: int | None = None
) -> bool:
    """Send one claimed row on an open transport and record the result on `outcomes` (a
    connection of outcome_connection(); each outcome commits at once, so a later failure never
    undoes it). False when the claim no longer holds the row: nothing was recorded.
    `renew_next`: the row to be sent next, renewed by the same statement (see _store).

    Connection-level failures propagate; the caller records them for the row.
    """
    envelope = Envelope(row.sender, tuple(row.recipients), row.raw, row.smtputf8)
    try:
        result = transport.send(envelope)
    except MailError as error:
        return fail(row, error, claim, outcomes, renew_next)
    except Exception as exc:
        transport.close()  # in an unknown state now; the next row reconnects
        return fail(row, unexpected(exc), claim, outcomes, renew_next)
    results = _merged_results(row, result.accepted, result.refused)
    changes = {
        "sent_at": utcnow(),
        "server_reply": result.reply,
        # Accepted for some, refused for others (now or in an earlier attempt): said where
        # the email log, its page and the daily digest of failures look.
        "last_error": "" if all_accepted(results) else recipient_summary(results),
        "recipient_results": results,
        "status": "sent",
    }
    deferred = [r for r, x in result.refused.items() if x.transient]
    if deferred and still_trying(row):
        # Only the deferred recipients are tried again: the others already have it.
        changes.update(
            recipients=deferred,
            status="retry",
            next_attempt_at=utcnow() + retry_delay(row.attempts),
            last_error=(
                f"Delivered to {len(result.accepted)}; deferred for "
                f"{', '.join(deferred)}; those will be retried."
            ),
        )
    return _store(row, changes, claim, outcomes, renew_next)


@functools.lru_cache(maxsize=64)
def _store_statement(columns: tuple[str, ...], renew_next: bool = False):
    """The outcome UPDATE for this set of columns, built once (see claims.RENEW_ONE); with
    `renew_next`, the same statement also renews the lease of row b_next, each row only while
    the claim holds it, and returns the ids it changed."""
    table = OutboxMessage.__table__
    values = {c: sa.bindparam(f"v_{c}", type_=table.c[c].type) for c in columns}
    if not renew_next:
        return (
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"), HELD_BY_PARAMS)
            .values(values)
        )
    assert "claimed_at" not in values  # an outcome never touches the lease
    this = table.c.id == sa.bindparam("b_id")
    values = {c: sa.case((this, value), else_=table.c[c]) for c, value in values.items()}
    values["claimed_at"] = sa.case(
        (this, table.c.claimed_at), else_=sa.bindparam("b_now", type_=table.c.claimed_at.type)
    )
    return (
        sa.update(table)
        .where(table.c.id.in_([sa.bindparam("b_id"), sa.bindparam("b_next")]), HELD_BY_PARAMS)
        .values(values)
        .returning(table.c.id)
    )


def _store(
    row: OutboxMessage, changes: dict, claim: Claim, outcomes, renew_next: int | None = None
) -> bool:
    """One UPDATE, no unit-of-work flush (a bulk run records thousands), and only while the
    claim still holds the row; the loaded row is told the new values as committed ones.

    With `renew_next` (the row to be sent next) the same UPDATE renews that row's lease, as
    claim.renew would right before its send: one round trip and one commit per message, not
    two. The outcome is committed before the next row is sent, as before, and the renewal
    checks the claim on that row; claim.renewed_next says whether it still holds it."""
    columns = tuple(sorted(changes))
    params = {"b_id": row.id, **claim.held_params()}
    params.update({f"v_{c}": changes[c] for c in columns})
    claim.renewed_next = None
    if renew_next is None:
        stored = outcomes.execute(_store_statement(columns), params).rowcount == 1
    else:
        params.update(b_next=renew_next, b_now=utcnow())
        held = set(outcomes.execute(_store_statement(columns, True), params).scalars())
        stored = row.id in held
        if renew_next in held:
            claim.renewed_next = renew_next
    if not stored:
        log.warning(
            "email %s: its outcome (%s) was not recorded, the claim of %s on it had expired",
            row.id,
            changes.get("status"),
            claim.worker,
        )
        return False
    for name, value in changes.items():
        set_committed_value(row, name, value)
    return True


@contextmanager
def outcome_connection():
    """A connection on which each outcome UPDATE (and each claim renewal) commits by itself:
    one round trip per statement. Those commits do not wait for the disk (PostgreSQL:
    synchronous_commit off; SQLite in WAL mode: synchronous NORMAL, still atomic and
    consistent): losing one in a crash of the machine only means one more copy with the same
    Message-ID once the lease expires (the claim before it was committed durably), and waiting
    for the disk twice per email would cut the sending rate by half or more."""
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        dialect = connection.dialect.name
        if dialect == "postgresql":
            connection.exec_driver_sql("SET synchronous_commit TO OFF")
        elif dialect == "sqlite":
            before = connection.exec_driver_sql("PRAGMA synchronous").scalar()
            connection.exec_driver_sql("PRAGMA synchronous = NORMAL")
        try:
            yield connection
        finally:  # the pooled connection goes back as it came
            if dialect == "postgresql":
                connection.exec_driver_sql("RESET synchronous_commit")
            elif dialect == "sqlite":
                connection.exec_driver_sql(f"PRAGMA synchronous = {int(before)}")


def _merged_results(row: OutboxMessage, accepted, refused) -> dict:
    results = dict(row.recipient_results or {})
    results.update({r: "accepted" for r in accepted})
    results.update({r: f"{x.code} {x.reply}" for r, x in refused.items()})
    return results


def went_wrong(row: OutboxMessage) -> bool:
    """An outcome a person should hear of: failed for good, needs attention, unknown, or
    accepted with some recipients refused (or deferred until the worker gave up)."""
    if row.status in ("failed", "attention", "unknown"):
        return True
    return row.status == "sent" and not all_accepted(row.recipient_results)


def fail(
    row: OutboxMessage, error: MailError, claim: Claim, outcomes, renew_next: int | None = None
) -> bool:
    """Record the failure (as _store); a configuration error also pauses the space's queue."""
    stored = _store(row, failure_changes(row, error), claim, outcomes, renew_next)
    if stored and isinstance(error, ConfigurationError):
        pause_space(row.space_id, error)
        db.session.commit()
    return stored


def pause_space(space_id: int, error: MailError) -> None:
    if db.session.get(MailPause, space_id) is None:
        db.session.add(MailPause(space_id=space_id, reason=str(error)))
        db.session.flush()


def failure_changes(row: OutboxMessage, error: MailError) -> dict:
    """What a failure changes on the row: its words, and when (or whether) to try again."""
    changes = {
        "last_error": str(error),
        "server_reply": (
            f"{error.smtp_code} {error.server_reply}".strip()
            if error.smtp_code
            else error.server_reply
        ),
    }
    refused = getattr(error, "refused", None)
    if refused:
        changes["recipient_results"] = _merged_results(row, [], refused)
    if isinstance(error, ConfigurationError | UnexpectedError):
        changes["status"] = "attention"
    elif isinstance(error, DeliveryUnknownError) and row.attempts >= UNKNOWN_RETRIES + 1:
        changes["status"] = "unknown"  # surfaced for a person to decide; never re-sent silently
    elif isinstance(error, DeliveryUnknownError):
        # The server may have it: one more try, same Message-ID, so at most one extra copy.
        changes["status"] = "retry"
        changes["next_attempt_at"] = utcnow() + retry_delay(row.attempts)
    elif isinstance(error, TransientError) and still_trying(row):
        changes["status"] = "retry"
        changes["next_attempt_at"] = utcnow() + retry_delay(row.attempts)
        if refused:  # recipients refused for good are not tried again; deferred ones are
            changes["recipients"] = [
                r for r in row.recipients if r not in refused or refused[r].transient
            ]
    else:
        changes["status"] = "failed"
    return changes


def resume_space(space_id: int) -> int:
    """Lift a space's pause and queue its "needs attention" rows again; returns how many."""
    pause = db.session.get(MailPause, space_id)
    if pause is not None:
        db.session.delete(pause)
    table = OutboxMessage.__table__
    result = db.session.execute(
        sa.update(table)
        .where(table.c.space_id == space_id, table.c.status == "attention")
        .values(status="queued", next_attempt_at=None)
    )
    return result.rowcount
