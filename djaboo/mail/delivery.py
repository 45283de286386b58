"""Delivering outbox rows: claim, send, record. The row is committed as "sending" before the
first SMTP byte, so a crash can never roll it back to "queued" and cause a silent duplicate.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.extensions import db
from djaboo.mail.errors import (
    ConfigurationError,
    DeliveryUnknownError,
    MailError,
    TransientError,
)
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.transports import Envelope, TransportSettings, open_transport

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=4)
GIVE_UP_AFTER = timedelta(days=3)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: ~1 min, 2, 4, ... capped at 4 hours."""
    base = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)
    return base * random.uniform(0.8, 1.2)


def claim(outbox_id: int) -> bool:
    """Move one due row to "sending" and commit; False when another worker has it."""
    now = utcnow()
    table = OutboxMessage.__table__
    result = db.session.execute(
        sa.update(table)
        .where(table.c.id == outbox_id, table.c.status.in_(("queued", "retry")))
        .values(status="sending", claimed_at=now, attempts=table.c.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_claimed(row: OutboxMessage, settings_for: Callable[[int], TransportSettings]) -> None:
    """Send one claimed row and record what happened (commits)."""
    envelope = Envelope(row.sender, tuple(row.recipients), row.raw, row.smtputf8)
    try:
        with open_transport(settings_for(row.space_id)) as transport:
            result = transport.send(envelope)
    except MailError as error:
        record_failure(row, error)
    else:
        row.status = "sent"
        row.sent_at = utcnow()
        row.server_reply = result.reply
        row.last_error = ""
        row.recipient_results = {
            **{r: "accepted" for r in result.accepted},
            **{r: f"{x.code} {x.reply}" for r, x in result.refused.items()},
        }
    db.session.commit()


def record_failure(row: OutboxMessage, error: MailError) -> None:
    row.last_error = str(error)
    row.server_reply = (
        f"{error.smtp_code} {error.server_reply}".strip() if error.smtp_code else error.server_reply
    )
    if isinstance(error, ConfigurationError):
        row.status = "attention"
    elif isinstance(error, DeliveryUnknownError):
        row.status = "unknown"
    elif isinstance(error, TransientError) and utcnow() - row.created_at < GIVE_UP_AFTER:
        row.status = "retry"
        row.next_attempt_at = utcnow() + retry_delay(row.attempts)
    else:
        row.status = "failed"
