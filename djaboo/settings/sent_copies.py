"""Save a copy in the mailbox's Sent folder (Settings → Email → Bounces): a job of its own.

The delivery thread only marks an email the server accepted as "copy pending" (mark_pending,
the worker's Sent hook: one small write). save_sent_copies() runs in `djaboo mail worker`
every EVERY seconds: per space, it takes up to BATCH pending copies and appends them over one
IMAP connection, each outcome committed on its own. A slow or unreachable IMAP server delays
copies, never mail; nothing here ever talks SMTP, so a copy is never a second send.

A failed copy is tried again after a backoff (BACKOFF doubling, at most MAX_BACKOFF), and
after MAX_ATTEMPTS it is "failed"; either way sent_copy_error says why, on the email's page.
Safe in several workers at once: taking copies is one conditional UPDATE that moves their
next attempt past a lease, so a copy is taken by one job; a job that dies mid-batch leaves
its copies to be taken again once the lease ends (at most one extra copy in the folder).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from djaboo.database_timeouts import UNREACHABLE
from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail import imap
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.parts import message_bytes
from djaboo.settings.bounces import BounceSettings, mailbox_settings

log = logging.getLogger(__name__)
EVERY = 20.0  # seconds between passes in the mail worker
BATCH = 20  # copies per space and connection
LEASE = timedelta(minutes=10)  # a pass's hold on the copies it took
BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
MAX_ATTEMPTS = 6
MAX_ERROR = 500
OUTBOX = OutboxMessage.__table__


def mark_pending(space_id: int) -> Callable[[OutboxMessage], None] | None:
    """The worker's Sent hook, asked once per batch (djaboo/mail/batch.py, Sent): when the
    space keeps copies, a function that marks each email the server accepted as waiting for
    its copy (flushed; the worker commits); None otherwise (no query per email)."""
    wanted = db.session.execute(
        sa.select(BounceSettings.id).where(
            BounceSettings.space_id == space_id,
            BounceSettings.save_sent_copy.is_(True),
            BounceSettings.imap_host != "",
            BounceSettings.imap_username != "",
        )
    ).first()
    if wanted is None:
        return None

    def pending(row: OutboxMessage) -> None:
        db.session.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == row.id, OUTBOX.c.sent_copy == "")
            .values(sent_copy="pending", sent_copy_next_at=utcnow(), sent_copy_attempts=0)
        )

    return pending


def save_sent_copies() -> int:
    """For the mail worker: one pass over every space with copies due; returns how many were
    saved. One space's failure is stored on its emails and never stops the others."""
    spaces = (
        db.session.execute(
            sa.select(OUTBOX.c.space_id)
            .where(OUTBOX.c.sent_copy == "pending", OUTBOX.c.sent_copy_next_at <= utcnow())
            .distinct()
            .order_by(OUTBOX.c.space_id)
        )
        .scalars()
        .all()
    )
    db.session.rollback()
    saved = 0
    for space_id in spaces:
        try:
            saved += save_space_copies(space_id)
        except UNREACHABLE:
            db.session.rollback()
            raise
        except Exception:  # noqa: BLE001 - one space's poison must not stop the others
            db.session.rollback()
            log.exception("Sent folder copies of space %s failed; the others go on", space_id)
    return saved


def save_space_copies(space_id: int, batch: int = BATCH) -> int:
    """Take up to `batch` of the space's due copies and save them over one connection;
    returns how many were saved."""
    ids = _take(space_id, batch)
    if not ids:
        return 0
    settings = db.session.execute(
        sa.select(BounceSettings).where(BounceSettings.space_id == space_id)
    ).scalar_one_or_none()
    if settings is None or not settings.save_sent_copy or not settings.has_mailbox:
        _give_up(ids, "saving copies was switched off before it was saved.")
        return 0
    saved = 0
    left = list(ids)
    try:
        with imap.SentFolder(mailbox_settings(settings)) as folder:
            while left and not folder.broken:
                row_id = left.pop(0)
                saved += _save_one(folder, row_id)
            if left:  # the connection was lost: the rest wait for the next pass
                _failed(left, "The IMAP server stopped answering.")
    except imap.MailboxError as exc:  # no connection, no login, no Sent folder: all wait
        _failed(left, str(exc))
    if len(ids) > saved:
        log.warning("space %s: %d Sent folder copies not saved", space_id, len(ids) - saved)
    return saved


def _save_one(folder: imap.SentFolder, row_id: int) -> int:
    """Append one email's copy (its outcome committed); 1 if saved."""
    stored = db.session.execute(
        sa.select(OUTBOX.c.raw).where(OUTBOX.c.id == row_id)
    ).scalar_one_or_none()
    raw = message_bytes(row_id, stored) if stored else None  # its PDF is kept apart
    db.session.rollback()  # nothing held while the server works
    if not raw:  # the space's retention removed the message first
        _give_up([row_id], "the message was removed before its copy was saved.")
        return 0
    try:
        folder.append(raw)
    except imap.MailboxError as exc:
        _failed([row_id], str(exc))
        return 0
    _write([row_id], sent_copy="saved", sent_copy_next_at=None, sent_copy_error="")
    return 1


def _take(space_id: int, batch: int) -> list[int]:
    """The space's due copies, taken for LEASE (committed): another pass skips them."""
    now = utcnow()
    due = (
        sa.select(OUTBOX.c.id)
        .where(
            OUTBOX.c.space_id == space_id,
            OUTBOX.c.sent_copy == "pending",
            OUTBOX.c.sent_copy_next_at <= now,
        )
        .order_by(OUTBOX.c.id)
        .limit(batch)
    )
    taken = db.session.execute(
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.id.in_(due.scalar_subquery()),
            OUTBOX.c.sent_copy == "pending",
            OUTBOX.c.sent_copy_next_at <= now,
        )
        .values(sent_copy_next_at=now + LEASE)
        .returning(OUTBOX.c.id)
    )
    ids = sorted(taken.scalars())
    db.session.commit()
    return ids


def _failed(ids: list[int], error: str) -> None:
    """Another failed attempt: tried again after a backoff, or given up after MAX_ATTEMPTS."""
    if not ids:
        return
    rows = db.session.execute(
        sa.select(OUTBOX.c.id, OUTBOX.c.sent_copy_attempts).where(OUTBOX.c.id.in_(ids))
    ).all()
    now = utcnow()
    for row_id, attempts in rows:
        attempts += 1
        if attempts >= MAX_ATTEMPTS:
            _give_up([row_id], f"{error} Given up after {attempts} attempts.", attempts)
            continue
        wait = min(BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
        _write(
            [row_id],
            sent_copy_attempts=attempts,
            sent_copy_next_at=now + wait,
            sent_copy_error=_error(f"{error} It will be tried again."),
        )


def _give_up(ids: list[int], why: str, attempts: int | None = None) -> None:
    values = {"sent_copy": "failed", "sent_copy_next_at": None, "sent_copy_error": _error(why)}
    if attempts is not None:
        values["sent_copy_attempts"] = attempts
    _write(ids, **values)


def _error(why: str) -> str:
    return f"Not saved in the Sent folder: {why}"[:MAX_ERROR]


def _write(ids: list[int], **values) -> None:
    """One outcome, committed on its own (a later failure never undoes an earlier copy)."""
    db.session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id.in_(ids), OUTBOX.c.sent_copy == "pending")
        .values(**values)
    )
    db.session.commit()
