"""Emails a document no longer wants: when an invoice is paid or cancelled, an estimate
accepted or declined, or a credit note cancelled (the statuses that lock its kind), the emails
staff sent about it that still wait to go (queued, retrying, or scheduled for a later time) are
cancelled in the same transaction as the status change, with the reason the email log shows.
A customer never gets "please pay" for an invoice already paid, nor "please answer" for an
estimate already answered.

One conditional UPDATE of the rows still in those states: a row a worker has claimed
("sending") is left alone, whatever was read before (exactly once: THREATS.md, I05). Only the
emails staff send are cancelled here; reminders have their own rule, checked by the worker as
it claims them (reminders.reminders_no_longer_due), and a thank-you is about the payment.
Add only: the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.queue_control import CANCELLABLE

OUTBOX = OutboxMessage.__table__


def withdraw_unwanted_emails(document) -> list[int]:
    """If the document's status now locks it, cancel its waiting staff emails; returns their
    ids (none when its status does not lock it)."""
    # Here, not at the top: kinds imports invoicing, which calls this.
    from djaboo.documents.kinds import kind_of

    kind = kind_of(document)
    if document.status not in kind.life.locked:
        return []
    status = kind.life.labels[document.status].lower()
    # Stored with the email like every reason in the log (English, as the worker's are).
    reason = f"Cancelled: {kind.label.lower()} {document.number} was {status} before it went out."
    changed = db.session.execute(
        sa.update(OUTBOX)
        .where(
            OUTBOX.c.space_id == document.space_id,
            OUTBOX.c.doc_type == kind.name,
            OUTBOX.c.doc_id == document.id,
            OUTBOX.c.origin == "manual",
            OUTBOX.c.event.in_(kind.events),
            OUTBOX.c.status.in_(CANCELLABLE),
        )
        .values(
            status="cancelled",
            next_attempt_at=None,
            last_error=sa.case(
                (OUTBOX.c.last_error == "", reason),
                else_=reason + " Last attempt: " + OUTBOX.c.last_error,
            ),
        )
        .returning(OUTBOX.c.id)
    )
    return sorted(changed.scalars())
