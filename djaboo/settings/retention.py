"""Settings → Email → Keep sent messages for: after that many days a sent email loses the
message itself (its stored bytes; its attached PDF too, once no kept email uses it) and keeps
its line in the email log: subject, recipients, status, the server's answer.

Only rows nothing can send again lose their message: "sent", "withdrawn" and "cancelled". A
failed, held ("needs attention") or unknown email can still be sent again with the same bytes
(Resend, or saving the settings), so it keeps them; once accepted it is "sent" and ages like
the rest.

Cached PDFs (document_pdf) are not emails' copies: each document keeps only the one drawn from
its current page, which its pages and public link serve. They stay.

Run by the mail worker once an hour and by `djaboo mail prune`; several at once are harmless
(each batch re-checks its rows in the UPDATE). The mail core does not know this rule: it only
calls what the CLI hands it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from djaboo.database_timeouts import UNREACHABLE
from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.parts import forget_parts
from djaboo.settings.models import EmailSettings

log = logging.getLogger(__name__)

PRUNABLE = ("sent", "withdrawn", "cancelled")  # final: nothing sends these again
BATCH = 500  # rows per transaction: a big space never holds a long lock
EVERY = 3600.0  # seconds between runs in the mail worker


def spaces_with_retention() -> list[tuple[int, int]]:
    """(space id, days) of every space that keeps sent messages for a limited time."""
    return [
        (space_id, days)
        for space_id, days in db.session.execute(
            sa.select(EmailSettings.space_id, EmailSettings.keep_sent_days)
            .where(EmailSettings.keep_sent_days.is_not(None))
            .order_by(EmailSettings.space_id)
        ).all()
    ]


def prune_batch(space_id: int, days: int, now: datetime, limit: int = BATCH) -> int:
    """Remove the message of up to `limit` of the space's emails sent more than `days` days
    before `now` (flushed, not committed); returns how many."""
    cutoff = now - timedelta(days=days)
    ids = (
        db.session.execute(
            sa.select(OutboxMessage.id)
            .where(*_prunable(space_id, cutoff))
            .order_by(OutboxMessage.created_at)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if not ids:
        return 0
    pruned = (
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), *_prunable(space_id, cutoff))
            .values(stored=b"", pruned_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    forget_parts(space_id, pruned)  # a PDF no kept email uses any more goes too
    return len(pruned)


def prune_sent_messages(now: datetime | None = None, batch: int = BATCH) -> int:
    """Apply every space's retention, committing each batch; returns how many emails lost
    their message. One space's failure is logged and never stops the others."""
    now = now or utcnow()
    total = 0
    for space_id, days in spaces_with_retention():
        try:
            while pruned := prune_batch(space_id, days, now, batch):
                db.session.commit()
                total += pruned
                if pruned < batch:
                    break
        except UNREACHABLE:
            db.session.rollback()
            raise  # no use going on: the caller says so once
        except Exception:  # noqa: BLE001 - one space's poison must not stop the others
            db.session.rollback()
            log.exception("retention of space %s stopped; the other spaces go on", space_id)
    if total:
        log.info("retention: %d sent email(s) lost their stored message", total)
    return total


def _prunable(space_id: int, cutoff: datetime) -> tuple:
    return (
        OutboxMessage.space_id == space_id,
        OutboxMessage.pruned_at.is_(None),
        OutboxMessage.status.in_(PRUNABLE),
        # created_at first: the partial index ix_outbox_space_unpruned finds the candidates;
        # then the age that counts, from when the server accepted it.
        OutboxMessage.created_at < cutoff,
        sa.func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < cutoff,
    )
