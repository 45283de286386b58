"""The reminder ledger (reminder_log), shared by the invoice reminders (reminder_batch.py) and
the estimate expiry reminders (expiry_reminders.py).

An entry is one automatic reminder about one document: (document id, stage, occurrence) of an
invoice or of an estimate. A run claims its entries before recording their emails, in the same
transaction; the unique keys make a second or a concurrent run claim nothing it already has,
so it sends nothing extra (THREATS.md I01 to I03). Each entry then points to its first email.
Just before sending, the worker asks whether each reminder is still wanted (no_longer_due).
Add only: the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from djaboo.db import insert_skipping_duplicates, utcnow
from djaboo.documents.models import ReminderLog
from djaboo.extensions import db
from djaboo.mail.outbox import OutboxMessage
from djaboo.staff.models import User

Entry = tuple[int, str, int]  # (document id, stage, occurrence)
LEDGER = ReminderLog.__table__
COLUMNS = {"invoice": LEDGER.c.invoice_id, "estimate": LEDGER.c.estimate_id}


def claim_entries(space_id: int, doc_type: str, entries: Iterable[Entry]) -> set[Entry]:
    """Insert the entries; returns those this run won (one a concurrent run already has is
    skipped, not returned)."""
    entries = list(entries)
    if not entries:
        return set()
    column = COLUMNS[doc_type]
    now = utcnow()
    statement = insert_skipping_duplicates(db.session, LEDGER).returning(
        column, LEDGER.c.stage, LEDGER.c.occurrence
    )
    rows = db.session.execute(
        statement,
        [
            {
                "space_id": space_id,
                column.key: document_id,
                "stage": stage,
                "occurrence": occurrence,
                "created_at": now,
            }
            for document_id, stage, occurrence in entries
        ],
    ).all()
    return {tuple(row) for row in rows}


def link_entries(doc_type: str, outbox_ids: dict[Entry, int]) -> None:
    """Each entry points to the email it caused."""
    if not outbox_ids:
        return
    column = COLUMNS[doc_type]
    db.session.execute(
        sa.update(LEDGER)
        .where(
            column == sa.bindparam("b_document"),
            LEDGER.c.stage == sa.bindparam("b_stage"),
            LEDGER.c.occurrence == sa.bindparam("b_occurrence"),
        )
        .values(outbox_id=sa.bindparam("b_outbox")),
        [
            {
                "b_document": document_id,
                "b_stage": stage,
                "b_occurrence": occurrence,
                "b_outbox": outbox_id,
            }
            for (document_id, stage, occurrence), outbox_id in outbox_ids.items()
        ],
    )


def reminder_signer(space_id: int, owner_id: int | None) -> User:
    """Who signs an automatic reminder: the document's owner; without one, the space's first
    active admin."""
    return (db.session.get(User, owner_id) if owner_id else None) or db.session.execute(
        sa.select(User)
        .where(User.space_id == space_id, User.role == "admin", User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    ).scalar_one()


def no_longer_due(
    rows: list[OutboxMessage],
    doc_type: str,
    read: Callable[[set[int]], dict[int, Any]],
    why_not: Callable[[Any], str | None],
) -> dict[int, str]:
    """For the mail worker, just before sending: the reminders about documents of doc_type
    among rows that must not go any more, each with the reason shown in the email log.
    read(ids) gives the documents' current state by id; why_not(state or None: deleted) says
    why one is no longer wanted, or None."""
    reminders = {
        row.id: row.doc_id for row in rows if row.doc_type == doc_type and row.origin == "reminder"
    }
    if not reminders:
        return {}
    documents = read(set(reminders.values()))
    reasons = {}
    for row_id, document_id in reminders.items():
        reason = why_not(documents.get(document_id))
        if reason:
            reasons[row_id] = f"Not sent: {reason}."
    return reasons
