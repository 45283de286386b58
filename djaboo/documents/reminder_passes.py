"""Sharing one reminder run between several processes: each space is taken by one of them.

Every mail worker runs the reminders every 15 minutes, and cron may run `djaboo reminders run`
too: without this, each of N processes would compose every space's reminders and all but one
would lose each to the ledger (correct, but N times the work). A process takes a space with
one conditional upsert of its reminder_pass row, which succeeds unless
- another process took it after this run started (its pass covers this run's), or
- another process's pass on it is still going (younger than STALE).
The ledger's unique key (reminder_batch) still guarantees one email per reminder whatever
happens here: a pass taken over after STALE, or two runs' passes that overlap, only cost time.
Works the same on SQLite (whose write lock serializes the upserts) and PostgreSQL.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.models import ReminderPass
from djaboo.extensions import db

# A pass still unfinished after this is taken as dead (its process stopped mid-space).
STALE = timedelta(hours=1)
TABLE = ReminderPass.__table__


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def take_space(space_id: int, run_started: datetime, runner: str) -> datetime | None:
    """Take the space for this run (committed); returns the pass's start, or None if another
    process has it (see the module's docstring)."""
    now = utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(TABLE).values(space_id=space_id, runner=runner, started_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[TABLE.c.space_id],
        set_={"runner": runner, "started_at": now, "finished_at": None},
        where=sa.or_(
            sa.and_(TABLE.c.finished_at.is_not(None), TABLE.c.started_at < run_started),
            sa.and_(TABLE.c.finished_at.is_(None), TABLE.c.started_at < now - STALE),
        ),
    ).returning(TABLE.c.space_id)
    taken = db.session.execute(statement).first() is not None
    db.session.commit()
    return now if taken else None


def finish_space(space_id: int, started: datetime, runner: str) -> None:
    """This process's pass on the space is over (committed)."""
    db.session.execute(
        sa.update(TABLE)
        .where(
            TABLE.c.space_id == space_id,
            TABLE.c.runner == runner,
            TABLE.c.started_at == started,
        )
        .values(finished_at=utcnow())
    )
    db.session.commit()
