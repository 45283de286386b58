"""Viewed: the customer opened the document's public link (first and last time, how often).

Recorded by the public page itself, no tracking pixel: the one GET that writes on purpose. So
the write must never cost the customer the page: it is bounded (at most once a minute per
document, so a refresh storm is a few reads, not a write storm), waits at most LOCK_WAIT for a
lock, and a failure is rolled back and logged by the caller, never shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa

from djaboo.db import utcnow
from djaboo.documents.kinds import kind_of
from djaboo.extensions import db

VIEW_EVERY = timedelta(minutes=1)  # views closer together than this count once
LOCK_WAIT = 1.0  # seconds the customer's page may wait for another writer's lock


def view_is_due(document, now: datetime | None = None) -> bool:
    """Whether a view now would be recorded (read from the loaded row: no query)."""
    last = document.last_viewed_at
    return last is None or (now or utcnow()) - last >= VIEW_EVERY


def is_staff_of(user, document) -> bool:
    """A signed-in staff member of the document's space (previewing it): not the customer."""
    return bool(getattr(user, "is_authenticated", False)) and user.space_id == document.space_id


def record_view(document, now: datetime | None = None) -> bool:
    """Record that the customer viewed the document now (flushed, not committed); False when a
    view was recorded less than VIEW_EVERY ago, here or by a concurrent request."""
    now = now or utcnow()
    if not view_is_due(document, now):
        return False
    model = kind_of(document).model
    with _short_lock_wait():
        result = db.session.execute(
            sa.update(model)
            .where(
                model.id == document.id,
                sa.or_(model.last_viewed_at.is_(None), model.last_viewed_at <= now - VIEW_EVERY),
            )
            .values(
                first_viewed_at=sa.func.coalesce(model.first_viewed_at, now),
                last_viewed_at=now,
                view_count=model.view_count + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


@contextlib.contextmanager
def _short_lock_wait() -> Iterator[None]:
    """Wait at most LOCK_WAIT for another writer (a staff member saving the document, a long
    transaction) instead of the engine's usual wait, which is meant for work that must get done.
    """
    connection = db.session.connection()
    milliseconds = int(LOCK_WAIT * 1000)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
        yield
        return
    # SQLite: the busy timeout belongs to the connection, so it is put back before the pool
    # hands the connection to anyone else.
    previous = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one())
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {milliseconds}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {previous}")
