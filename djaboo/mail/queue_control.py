"""A person's hand on the queue: Cancel, Retry now / Send now and Resend, for one email or many.

Each is one conditional UPDATE of the space's rows that are still in a state it applies to, so
a row a worker claimed meanwhile ("sending") is left alone, whatever the page showed: the
caller learns which ids changed and says why the others did not (`refusal`). Ids of another
space change nothing, as missing ones. No flush, no commit: the caller commits.

Retry now, Send now and Resend put the row back to "queued", the same row with the same bytes
and Message-ID (an email sent again is the same email, never a second one); on PostgreSQL the
trigger of migration 0012 wakes the workers at commit.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage

OUTBOX = OutboxMessage.__table__
CANCELLABLE = ("queued", "retry", "scheduled")
SENDABLE_NOW = ("retry", "scheduled")  # Retry now, Send now
RESENDABLE = ("failed", "attention", "unknown")
MAX_IDS = 200  # one request's selection


class TooMany(ValueError):
    """More ids than one request may change (the page never offers that many)."""


def cancel_emails(space_id: int, ids: Iterable[int], *, by: str = "") -> list[int]:
    """Cancel the space's queued, retrying or scheduled emails among ids; returns those
    cancelled. The reason of a last failed attempt stays, after who cancelled."""
    note = f"Cancelled by {by[:200]}." if by else "Cancelled."
    return _move(
        space_id,
        ids,
        CANCELLABLE,
        status="cancelled",
        next_attempt_at=None,
        last_error=sa.case(
            (OUTBOX.c.last_error == "", note),
            else_=note + " Last attempt: " + OUTBOX.c.last_error,
        ),
    )


def send_emails_now(space_id: int, ids: Iterable[int]) -> list[int]:
    """Retry now (a retrying email) and Send now (a scheduled one): queued at once; returns
    those queued. A scheduled email's give-up age counts from now."""
    now = utcnow()
    return _move(
        space_id,
        ids,
        SENDABLE_NOW,
        status="queued",
        next_attempt_at=now,
        not_before=sa.case(
            (OUTBOX.c.status == "scheduled", sa.literal(now, OUTBOX.c.not_before.type)),
            else_=OUTBOX.c.not_before,
        ),
    )


def resend_emails(space_id: int, ids: Iterable[int]) -> list[int]:
    """Resend the space's failed, held ("needs attention") or unknown emails among ids that
    still have their message; returns those queued again."""
    return _move(
        space_id,
        ids,
        RESENDABLE,
        OUTBOX.c.message_id != "",  # composing it failed: there is nothing to send again
        OUTBOX.c.pruned_at.is_(None),
        status="queued",
        next_attempt_at=None,
        not_before=utcnow(),  # a person asked for it now: its retries get their days again
        last_error="",
    )


def refusal(action: str, row: OutboxMessage) -> str:
    """Why `action` ("cancel", "send_now", "resend") did not change this row, in a sentence."""
    if row.status == "sending":
        return "Too late: it is being sent."
    if row.status == "sent":
        return "Too late: it was sent already."
    if action == "resend":
        if row.pruned_at:
            return "The message itself was removed: send it again from its document."
        if row.status in RESENDABLE and not row.message_id:
            return "This email was never made; send it again from its document."
        return "Only failed emails can be sent again."
    if action == "send_now":
        return "Only a retrying or scheduled email can be sent now."
    return "Only a queued, retrying or scheduled email can be cancelled."


def _move(space_id: int, ids: Iterable[int], states: tuple[str, ...], *where, **values):
    ids = sorted(set(ids))
    if len(ids) > MAX_IDS:
        raise TooMany(f"At most {MAX_IDS} emails at once.")
    if not ids:
        return []
    changed = db.session.execute(
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.space_id == space_id,
            OUTBOX.c.id.in_(ids),
            OUTBOX.c.status.in_(states),
            *where,
        )
        .values(**values)
        .returning(OUTBOX.c.id)
    )
    return sorted(changed.scalars())
